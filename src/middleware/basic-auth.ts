// HTTP Basic authentication (RFC 7617) for one user: a request without the right credentials gets 401 with
// WWW-Authenticate. Key decisions: the credentials are compared as SHA-256 digests with crypto.timingSafeEqual, so
// the time taken says nothing about how much of a guess was right (not even its length); and an authorized response
// never carries `Cache-Control: public`, which would let a shared cache hand it to anyone (RFC 9111 §3.5).
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  checkKnownKeys,
  OptionError,
  respond,
  type Application,
  type Middleware,
  type Response,
} from '../server/index.js';
import { editFields, fieldValue, listsToken } from './response-fields.js';

/** What basicAuth() accepts. */
export interface BasicAuthOptions {
  /** The user name (no ':', RFC 7617 §2). */
  user: string;
  /** The password (non-empty). */
  password: string;
  /** The protection space named in WWW-Authenticate. Default 'sluice'. */
  realm?: string;
}

/** Requires HTTP Basic credentials on every request: `compose(basicAuth({ user, password }))(app)`. */
export function basicAuth(options: BasicAuthOptions): Middleware {
  checkKnownKeys('basicAuth option', options, ['user', 'password', 'realm']);
  const { user, password } = options;
  if (typeof user !== 'string' || user === '' || user.includes(':') || /[\0-\x1f\x7f]/.test(user)) {
    throw invalid('user', 'basicAuth user must be a non-empty name without ":" or control characters');
  }
  if (typeof password !== 'string' || password === '' || /[\0-\x1f\x7f]/.test(password)) throw invalid('password', 'basicAuth password must be non-empty, without control characters');
  const realm = options.realm ?? 'sluice';
  if (typeof realm !== 'string' || /["\\\0-\x1f\x7f]/.test(realm)) throw invalid('realm', 'basicAuth realm must be text without quotes, backslashes or control characters');
  const expected = digest(Buffer.from(`${user}:${password}`, 'utf8'));
  // RFC 7617 §2.1: charset="UTF-8" tells the client how to encode non-ASCII credentials.
  const challenge = respond.text(401, 'Unauthorized\n', { 'www-authenticate': `Basic realm="${realm}", charset="UTF-8"` });
  return (app: Application): Application => (req) => {
    const given = credentialsOf(req.header('authorization'));
    if (given === null || !timingSafeEqual(digest(given), expected)) return challenge;
    const res = app(req);
    return res instanceof Promise ? res.then(keepPrivate) : keepPrivate(res);
  };
}

/** Split `user:password` (the password may contain ':'); throws OptionError naming the problem. */
export function parseUserPassword(value: string): { user: string; password: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw invalid('auth', "credentials must look like 'user:password'");
  return { user: value.slice(0, colon), password: value.slice(colon + 1) };
}

// `Basic <base64>` (the scheme is case-insensitive, RFC 9110 §11.1) -> the decoded user-pass bytes, or null.
function credentialsOf(header: string | undefined): Buffer | null {
  if (header === undefined || header.length < 7 || header.slice(0, 6).toLowerCase() !== 'basic ') return null;
  const token = header.slice(6).trim();
  // token68 (RFC 9110 §11.2) in base64 (RFC 7617 §2): anything else is not a credential.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return null;
  return Buffer.from(token, 'base64');
}

function digest(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

// RFC 9111 §5.2.2.9: `public` would let a shared cache store a response to an authorized request; make it `private`.
function keepPrivate(res: Response): Response {
  const cc = fieldValue(res.headers, 'cache-control');
  if (cc === undefined || !listsToken(cc, 'public')) return res;
  const rest = cc.split(',').map((d) => d.trim()).filter((d) => d !== '' && d.toLowerCase() !== 'public');
  return { ...res, headers: editFields(res.headers, { 'cache-control': ['private', ...rest].join(', ') }) };
}

function invalid(key: string, message: string): OptionError {
  return new OptionError('INVALID_OPTION', key, message);
}
