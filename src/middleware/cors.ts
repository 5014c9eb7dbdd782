// CORS (Fetch standard, "CORS protocol"): Access-Control-Allow-Origin on responses, and preflight OPTIONS requests
// answered 204 with the Access-Control-Allow-* fields. Key decisions: `*` by default and never with credentials (the
// Fetch standard forbids the pair); a list of origins echoes the matching one and always sends `Vary: Origin`, so a
// shared cache never hands one origin's answer to another.
import {
  checkKnownKeys,
  OptionError,
  respond,
  type Application,
  type Middleware,
  type Request,
  type Response,
  type ResponseHeaders,
} from '../server/index.js';
import { fieldValue, listsToken } from './response-fields.js';

/** What cors() accepts. */
export interface CorsOptions {
  /** '*' (default: any origin, no credentials) or the allowed origins ('https://app.example'). */
  origin?: string | readonly string[];
  /** Methods a preflight allows. Default GET, HEAD (what the static app serves). */
  methods?: readonly string[];
  /** Request headers a preflight allows; default: those the preflight asks for (Access-Control-Request-Headers). */
  allowHeaders?: readonly string[];
  /** Response headers scripts may read beyond the safelisted ones. Default ETag, Content-Range, Accept-Ranges. */
  exposeHeaders?: readonly string[];
  /** How long a browser may cache a preflight answer (Access-Control-Max-Age, seconds). Default 600. */
  maxAge?: number;
  /** Access-Control-Allow-Credentials: true (cookies, HTTP auth); needs a list of origins. Default false. */
  credentials?: boolean;
}

const DEFAULT_EXPOSE = ['ETag', 'Content-Range', 'Accept-Ranges'];
// Field names and methods are tokens (RFC 9110 §5.1, §9.1).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TOKEN_LIST = /^[\t ]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[\t ]*,[\t ]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*[\t ]*$/;

/** Adds CORS fields to every response and answers preflights: `compose(cors({ origin: 'https://app.example' }))(app)`. */
export function cors(options: CorsOptions = {}): Middleware {
  const policy = resolveCors(options);
  return (app: Application): Application => (req) => {
    const origin = req.header('origin');
    const allowed = policy.allow(origin);
    // A preflight is an OPTIONS with Origin and Access-Control-Request-Method; a disallowed one is left to the app.
    if (req.method === 'OPTIONS' && allowed !== null && req.header('access-control-request-method') !== undefined) {
      return respond(204, preflightHeaders(policy, allowed, req));
    }
    const res = app(req);
    return res instanceof Promise ? res.then((r) => addCorsFields(r, policy, allowed)) : addCorsFields(res, policy, allowed);
  };
}

interface CorsPolicy {
  /** The Access-Control-Allow-Origin value for a request's Origin, or null for none. */
  allow(origin: string | undefined): string | null;
  /** Whether the answer depends on Origin (a list of origins): then every response varies on it. */
  readonly varies: boolean;
  readonly methods: string;
  readonly allowHeaders: string | null;
  readonly exposeHeaders: string;
  readonly maxAge: string;
  readonly credentials: boolean;
}

function resolveCors(options: CorsOptions): CorsPolicy {
  checkKnownKeys('cors option', options, ['origin', 'methods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'credentials']);
  const origin = options.origin ?? '*';
  const origins = typeof origin === 'string' ? (origin === '*' ? null : [origin]) : [...origin];
  for (const o of origins ?? []) {
    if (!isOrigin(o)) throw invalid('origin', `cors origin must be '*' or origins like https://app.example, got ${JSON.stringify(o)}`);
  }
  const credentials = options.credentials ?? false;
  if (credentials && origins === null) throw invalid('credentials', "cors credentials need a list of origins: the Fetch standard refuses '*' with credentials");
  const maxAge = options.maxAge ?? 600;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw invalid('maxAge', `cors maxAge must be a non-negative integer (seconds), got ${String(maxAge)}`);
  const set = origins === null ? null : new Set(origins);
  return {
    allow: set === null ? () => '*' : (o) => (o !== undefined && set.has(o) ? o : null),
    varies: set !== null,
    methods: tokens('methods', options.methods ?? ['GET', 'HEAD']),
    allowHeaders: options.allowHeaders === undefined ? null : tokens('allowHeaders', options.allowHeaders),
    exposeHeaders: tokens('exposeHeaders', options.exposeHeaders ?? DEFAULT_EXPOSE),
    maxAge: String(maxAge),
    credentials,
  };
}

function preflightHeaders(policy: CorsPolicy, allowed: string, req: Request): ResponseHeaders {
  const headers: Record<string, string> = {
    'access-control-allow-origin': allowed,
    'access-control-allow-methods': policy.methods,
    'access-control-max-age': policy.maxAge,
    // The answer depends on these request fields, so caches must key on them (Fetch standard, "CORS protocol and HTTP caches").
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
  const asked = req.header('access-control-request-headers');
  // Echo only a well-formed token list: the value is reflected into our response.
  const allowHeaders = policy.allowHeaders ?? (asked !== undefined && TOKEN_LIST.test(asked) ? asked.trim() : null);
  if (allowHeaders !== null && allowHeaders !== '') headers['access-control-allow-headers'] = allowHeaders;
  if (policy.credentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

function addCorsFields(res: Response, policy: CorsPolicy, allowed: string | null): Response {
  if (allowed === null && !policy.varies) return res;
  const headers: Record<string, string | number | readonly string[]> = { ...res.headers };
  if (policy.varies) headers.vary = appendVary(fieldValue(res.headers, 'vary'), 'Origin', res.headers, headers);
  if (allowed !== null) {
    headers['access-control-allow-origin'] = allowed;
    if (policy.exposeHeaders !== '') headers['access-control-expose-headers'] = policy.exposeHeaders;
    if (policy.credentials) headers['access-control-allow-credentials'] = 'true';
  }
  return { ...res, headers };
}

// Adds a token to Vary (RFC 9110 §12.5.5), dropping any other-case copy of the field so exactly one is sent.
function appendVary(current: string | undefined, token: string, from: ResponseHeaders, to: Record<string, unknown>): string {
  for (const key in from) if (key !== 'vary' && key.toLowerCase() === 'vary') delete to[key];
  if (current === undefined || current.trim() === '') return token;
  return listsToken(current, token.toLowerCase()) || listsToken(current, '*') ? current : `${current}, ${token}`;
}

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

function tokens(key: string, list: readonly string[]): string {
  for (const t of list) if (!TOKEN.test(t)) throw invalid(key, `cors ${key} must be header or method names, got ${JSON.stringify(t)}`);
  return list.join(', ');
}

function invalid(key: string, message: string): OptionError {
  return new OptionError('INVALID_OPTION', key, message);
}
