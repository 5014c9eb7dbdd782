// Fixed header fields on every response (`--header 'Name: value'`): security headers, CSP, custom caching. Key
// decisions: they replace any field of the same name the app set (the operator asked for them), and framing or
// hop-by-hop fields are refused up front, since the engine owns those (RFC 9110 §7.6.1, RFC 9112 §6).
import {
  OptionError,
  type Application,
  type Middleware,
  type Response,
  type ResponseHeaders,
} from '../server/index.js';

/** The fields setHeaders() refuses: the engine writes them, and a wrong one would corrupt the framing. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set([
  'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection', 'date',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Adds (or replaces) these fields on every response: `setHeaders({ 'x-frame-options': 'DENY' })`. */
export function setHeaders(fields: Readonly<Record<string, string | readonly string[]>>): Middleware {
  const set = checkFields(fields);
  return (app: Application): Application => (req) => {
    const res = app(req);
    return res instanceof Promise ? res.then((r) => withFields(r, set)) : withFields(res, set);
  };
}

/** Parse `Name: value` (as --header takes it) into a lower-case name and a trimmed value; throws OptionError. */
export function parseHeaderLine(line: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trim();
  if (!TOKEN.test(name)) throw invalid(line, `a header must look like 'Name: value', got ${JSON.stringify(line)}`);
  return [name.toLowerCase(), line.slice(colon + 1).trim()];
}

/** Collect `Name: value` lines into fields; a name given twice becomes a list (sent as two lines). */
export function collectHeaderLines(lines: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const line of lines) {
    const [name, value] = parseHeaderLine(line);
    const prior = out[name];
    out[name] = prior === undefined ? value : [...(typeof prior === 'string' ? [prior] : prior), value];
  }
  return out;
}

function checkFields(fields: Readonly<Record<string, string | readonly string[]>>): ReadonlyMap<string, string | readonly string[]> {
  const set = new Map<string, string | readonly string[]>();
  for (const [rawName, value] of Object.entries(fields)) {
    const name = rawName.toLowerCase();
    if (!TOKEN.test(name)) throw invalid(rawName, `header name ${JSON.stringify(rawName)} is not a valid field name`);
    if (RESERVED_FIELDS.has(name)) throw invalid(rawName, `header ${rawName} cannot be set: the server writes it`);
    for (const v of typeof value === 'string' ? [value] : value) {
      // RFC 9110 §5.5: CR, LF and NUL never reach the wire.
      if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw invalid(rawName, `header ${rawName} must be text without CR, LF or NUL`);
    }
    set.set(name, value);
  }
  return set;
}

function withFields(res: Response, set: ReadonlyMap<string, string | readonly string[]>): Response {
  const headers: Record<string, string | number | readonly string[]> = {};
  for (const key in res.headers) if (!set.has(key.toLowerCase())) headers[key] = res.headers[key]!;
  for (const [name, value] of set) headers[name] = value;
  return { ...res, headers: headers as ResponseHeaders };
}

function invalid(key: string, message: string): OptionError {
  return new OptionError('INVALID_OPTION', key, message);
}
