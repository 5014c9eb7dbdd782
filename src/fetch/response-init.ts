// A ResponseInit read the way undici's WebIDL conversion reads it, for the shapes apps pass: no init, or an object whose
// status is an integer 200-599 (or absent), whose statusText is a valid reason phrase (or absent) and whose headers are
// absent or a plain record of valid names and values undici keeps as they are. Why: undici's conversion (dictionary,
// record, Headers, HeadersList, Map) costs more than the fetch adapter and the engine's own work on a request together,
// and the server only needs the status and the field lines. Every property is read once and in undici's order (status,
// statusText, headers; a record's own names in order), so getters and proxies see what undici would do. As soon as
// something is outside those shapes, the conversion is handed to undici with what was read in place of the original and
// getters forwarding the rest, so nothing is read twice and undici's own validation and errors apply
// (https://fetch.spec.whatwg.org/#responseinit, https://webidl.spec.whatwg.org/#es-record).
import { types } from 'node:util';

/** A Response as the fast path keeps it: everything undici would hold, before undici holds it. */
export class ResponseParts {
  /** The body: a string (sent as UTF-8) or bytes; null for no body. */
  source: string | Uint8Array | null = null;

  constructor(
    readonly status: number,
    readonly statusText: string,
    /** Field lines as [name, lower-case name, value]..., in order; null for none. Never changed once made. */
    public fields: readonly string[] | null,
  ) {}
}

/** What to give undici's own conversion instead of the app's init. */
export class Handoff {
  constructor(readonly init: unknown) {}
}

/** RFC 9110 §5.6.2 tchar, as undici's isValidHTTPToken. */
const TCHAR = new Uint8Array(128);
for (let c = 33; c < 127; c++) TCHAR[c] = 1;
for (const ch of '"(),/:;<=>?@[\\]{}') TCHAR[ch.charCodeAt(0)] = 0;

/** Lower-case names of names known to be tokens: a record's keys are interned strings, so a hit costs one hash lookup. */
const TOKENS = new Map<string, string>();

/** The lower-case form of a valid field name (RFC 9110 §5.1: a token), or null for anything else. */
export function tokenLower(name: string): string | null {
  const known = TOKENS.get(name);
  if (known !== undefined) return known;
  if (name.length === 0) return null;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 127 || TCHAR[c] !== 1) return null;
  }
  if (TOKENS.size >= 512) TOKENS.clear();
  const lower = name.toLowerCase();
  TOKENS.set(name, lower);
  return lower;
}

/** A value undici keeps as it is: a ByteString without NUL, CR or LF and with no whitespace to trim at either end. */
function isPlainValue(v: string): boolean {
  const n = v.length;
  if (n === 0) return true;
  const first = v.charCodeAt(0);
  const last = v.charCodeAt(n - 1);
  if (first === 9 || first === 32 || last === 9 || last === 32) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c > 255 || c === 0 || c === 10 || c === 13) return false;
  }
  return true;
}

/** undici's isValidReasonPhrase on a ByteString: HTAB, SP, VCHAR, obs-text (RFC 9112 §4). */
function isReasonPhrase(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(c === 9 || (c >= 32 && c <= 126) || (c >= 128 && c <= 255))) return false;
  }
  return true;
}

function isStatus(s: unknown): s is number {
  return typeof s === 'number' && s >= 200 && s <= 599 && Number.isInteger(s);
}

/**
 * A plain record's fields; null when undici should convert the record itself (nothing observable was done to it); or,
 * once a value is not one the fast path keeps, a copy holding what was read and forwarding the rest to the record.
 */
function readRecord(h: object): string[] | object | null {
  // A proxy's traps, another prototype's members and a symbol key (undici's TypeError) are all undici's to handle.
  if (types.isProxy(h)) return null;
  const proto = Object.getPrototypeOf(h) as unknown;
  if ((proto !== Object.prototype && proto !== null) || Symbol.iterator in Object.prototype) return null;
  if (Object.getOwnPropertySymbols(h).length !== 0) return null;
  // undici converts every own name, enumerable or not (its non-proxy record path).
  const names = Object.getOwnPropertyNames(h);
  const fields = new Array<string>(names.length * 3);
  // Every name is checked before any value is read: a name undici rejects leaves the record untouched for undici.
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const lower = tokenLower(name);
    if (lower === null) return null;
    fields[i * 3] = name;
    fields[i * 3 + 1] = lower;
  }
  for (let i = 0; i < names.length; i++) {
    const value = (h as Record<string, unknown>)[names[i]!];
    if (typeof value !== 'string' || !isPlainValue(value)) return readSoFar(h, names, fields, i, value);
    fields[i * 3 + 2] = value;
  }
  return fields;
}

/** The record as undici should see it after `names[0..at]` were read: those values, then getters for the rest. */
function readSoFar(h: object, names: string[], fields: string[], at: number, value: unknown): object {
  const copy = Object.create(null) as object;
  for (let j = 0; j < names.length; j++) {
    const name = names[j]!;
    if (j < at) Object.defineProperty(copy, name, { value: fields[j * 3 + 2], writable: true, enumerable: true, configurable: true });
    else if (j === at) Object.defineProperty(copy, name, { value, writable: true, enumerable: true, configurable: true });
    else Object.defineProperty(copy, name, { get: () => (h as Record<string, unknown>)[name], enumerable: true, configurable: true });
  }
  return copy;
}

type InitObject = { status?: unknown; statusText?: unknown; headers?: unknown };

/** The init as parts, or what undici should convert in its place (see the file header). */
export function readInit(init: unknown): ResponseParts | Handoff {
  if (init === undefined || init === null) return new ResponseParts(200, '', null);
  if (typeof init !== 'object' && typeof init !== 'function') return new Handoff(init);
  const o = init as InitObject;
  const status = o.status;
  if (status !== undefined && !isStatus(status)) {
    return new Handoff({ status, get statusText() { return o.statusText; }, get headers() { return o.headers; } });
  }
  const statusText = o.statusText;
  if (statusText !== undefined && !(typeof statusText === 'string' && isReasonPhrase(statusText))) {
    return new Handoff({ status, statusText, get headers() { return o.headers; } });
  }
  const headers = o.headers;
  let fields: string[] | null = null;
  if (headers !== undefined) {
    const read = typeof headers === 'object' && headers !== null ? readRecord(headers) : null;
    // A copy is never an array; null hands over the headers as they are.
    if (!Array.isArray(read)) return new Handoff({ status, statusText, headers: read ?? headers });
    fields = read;
  }
  return new ResponseParts(status ?? 200, statusText ?? '', fields);
}
