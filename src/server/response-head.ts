// Response head composer (RFC 9112 §4, Warp's composeHeader): measures once, then writes the status line and
// every field straight into a caller-owned buffer (the engine's cork buffer), validating while it copies.

import { ResponseError, reasonPhraseOf } from './errors.js';
import { HeadCache, HIT } from './head-cache.js';
import { TOKEN } from './header-index.js';
import { REASON_PHRASE, type EngineHeaders, type ResponseHeaders } from './types.js';

export type { ResponseHeaders, EngineHeaders } from './types.js';
export { REASON_PHRASE } from './types.js';

const CRLF_LENGTH = 2;
const COLON_SP_LENGTH = 2;
const DATE_PREFIX = 'date: ';
const SERVER_PREFIX = 'server: ';
const CONTENT_LENGTH_PREFIX = 'content-length: ';
/** The chunked framing field line. */
export const TRANSFER_ENCODING_CHUNKED = 'transfer-encoding: chunked\r\n';
/** The close field line. */
export const CONNECTION_CLOSE = 'connection: close\r\n';
/** The HTTP/1.0 persistence field line. */
export const CONNECTION_KEEP_ALIVE = 'connection: keep-alive\r\n';

/** What to do with an app field name: write it, or leave it to the engine. */
const WRITE = 0;
const SKIP_FRAMING = 1;
const IS_DATE = 2;
const IS_SERVER = 3;
const IS_CONNECTION = 4;

/** Classifies an app field name, switching on length before comparing (only 5 names matter). */
function classifyName(name: string): number {
  switch (name.length) {
    case 4: return equalsIgnoreCase(name, 'date') ? IS_DATE : WRITE;
    case 6: return equalsIgnoreCase(name, 'server') ? IS_SERVER : WRITE;
    case 10: return equalsIgnoreCase(name, 'connection') ? IS_CONNECTION : WRITE;
    case 14: return equalsIgnoreCase(name, 'content-length') ? SKIP_FRAMING : WRITE;
    case 17: return equalsIgnoreCase(name, 'transfer-encoding') ? SKIP_FRAMING : WRITE;
    default: return WRITE;
  }
}

function equalsIgnoreCase(name: string, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    let c = name.charCodeAt(k);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}

const STATUS_LINES: string[] = [];

/** `HTTP/1.1 <code> <reason>\r\n`, cached per status (RFC 9112 §4; we always answer as 1.1, RFC 9110 §2.5). */
export function statusLineOf(status: number): string {
  const cached = STATUS_LINES[status];
  if (cached !== undefined) return cached;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new ResponseError('BAD_STATUS', `status must be a 3-digit integer, got ${String(status)}`);
  }
  return (STATUS_LINES[status] = `HTTP/1.1 ${status} ${reasonPhraseOf(status)}\r\n`);
}

/** The status line for a head: the cached standard one, or one with the app's reason phrase (RFC 9112 §4). */
function statusLineFor(status: number, headers: ResponseHeaders): string {
  const reason = headers[REASON_PHRASE];
  if (reason === undefined) return statusLineOf(status);
  statusLineOf(status); // validates the status
  for (let k = 0; k < reason.length; k++) {
    const c = reason.charCodeAt(k);
    // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ): never CR, LF or another CTL (response splitting).
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) {
      throw new ResponseError('BAD_STATUS', `reason phrase ${JSON.stringify(reason)} has a control or non-latin1 char`);
    }
  }
  return `HTTP/1.1 ${status} ${reason}\r\n`;
}

/** Decimal digits of a non-negative integer. */
function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** The last head composed, reused while it repeats. */
const HEADS = new HeadCache();

/**
 * The bytes of this head when it is the one cached (a hot head repeating), else null: one lookup, no measuring. The
 * caller copies them before composing anything else.
 */
export function cachedResponseHead(status: number, headers: ResponseHeaders, engine: EngineHeaders): Uint8Array | null {
  return headers[REASON_PHRASE] === undefined ? HEADS.hit(status, headers, engine) : null;
}

/** Exact byte length of the head composeResponseHead would write. */
export function measureResponseHead(status: number, headers: ResponseHeaders, engine: EngineHeaders): number {
  // A custom reason phrase is rare and not part of the cache key: such heads bypass the cache.
  if (headers[REASON_PHRASE] === undefined) {
    const cached = HEADS.measure(status, headers, engine);
    if (cached >= 0) return cached;
  }
  let len = statusLineFor(status, headers).length + CRLF_LENGTH;
  let appDate = false;
  let appServer = false;
  for (const name in headers) {
    const kind = classifyName(name);
    if (kind === SKIP_FRAMING || (kind === IS_CONNECTION && (engine.close || engine.keepAlive === true))) continue;
    if (kind === IS_DATE) appDate = true;
    else if (kind === IS_SERVER) appServer = true;
    const value = headers[name]!;
    if (typeof value === 'string') len += name.length + COLON_SP_LENGTH + value.length + CRLF_LENGTH;
    else if (typeof value === 'number') len += name.length + COLON_SP_LENGTH + String(value).length + CRLF_LENGTH;
    else for (const v of value) len += name.length + COLON_SP_LENGTH + v.length + CRLF_LENGTH;
  }
  if (engine.date !== null && !appDate) len += DATE_PREFIX.length + engine.date.length + CRLF_LENGTH;
  if (engine.server !== null && !appServer) len += SERVER_PREFIX.length + engine.server.length + CRLF_LENGTH;
  if (engine.contentLength >= 0 && !Number.isSafeInteger(engine.contentLength)) {
    throw badHeader('content-length', 'not a safe integer');
  }
  if (engine.contentLength >= 0) len += CONTENT_LENGTH_PREFIX.length + digitCount(engine.contentLength) + CRLF_LENGTH;
  if (engine.chunked) len += TRANSFER_ENCODING_CHUNKED.length;
  if (engine.close) len += CONNECTION_CLOSE.length;
  else if (engine.keepAlive === true) len += CONNECTION_KEEP_ALIVE.length;
  return len;
}

/**
 * Writes the head into out[offset..]; returns the bytes written, or -needed when it does not fit (nothing written).
 * Throws ResponseError('BAD_RESPONSE_HEADER') for a name that is not a token or a value with CR, LF, NUL, another
 * CTL or a char above 0xFF (RFC 9110 §5.5); out past offset may then hold a partial head, which the caller drops.
 */
export function composeResponseHead(
  out: Uint8Array, offset: number, status: number, headers: ResponseHeaders, engine: EngineHeaders,
): number {
  const needed = measureResponseHead(status, headers, engine);
  if (offset + needed > out.length) return -needed;
  return writeResponseHead(out, offset, status, headers, engine) - offset;
}

/**
 * Writes the head at out[offset..] and returns where it ends. The caller has measured it (measureResponseHead) and
 * made room: the hot path measures once, not twice. Throws like composeResponseHead.
 */
export function writeResponseHead(
  out: Uint8Array, offset: number, status: number, headers: ResponseHeaders, engine: EngineHeaders,
): number {
  if (headers[REASON_PHRASE] !== undefined) return composeFields(out, offset, status, headers, engine);
  const found = HEADS.verdictFor(status, headers, engine);
  if (found === HIT) {
    const bytes = HEADS.bytes;
    out.set(bytes, offset);
    return offset + bytes.length;
  }
  const end = composeFields(out, offset, status, headers, engine);
  HEADS.remember(found, status, headers, engine, out, offset, end);
  return end;
}

/** Writes the head char by char, validating every app field while it copies. */
function composeFields(out: Uint8Array, offset: number, status: number, headers: ResponseHeaders, engine: EngineHeaders): number {
  let p = writeAscii(out, offset, statusLineFor(status, headers));
  let appDate = false;
  let appServer = false;
  for (const name in headers) {
    const kind = classifyName(name);
    if (kind === SKIP_FRAMING || (kind === IS_CONNECTION && (engine.close || engine.keepAlive === true))) continue;
    if (kind === IS_DATE) appDate = true;
    else if (kind === IS_SERVER) appServer = true;
    const value = headers[name]!;
    if (typeof value === 'string') p = writeField(out, p, name, value);
    else if (typeof value === 'number') p = writeField(out, p, name, String(value));
    else for (const v of value) p = writeField(out, p, name, v);
  }
  if (engine.date !== null && !appDate) {
    p = writeAscii(out, p, DATE_PREFIX);
    out.set(engine.date, p);
    p = writeCrlf(out, p + engine.date.length);
  }
  if (engine.server !== null && !appServer) {
    const line = serverLineOf(engine.server);
    out.set(line, p);
    p += line.length;
  }
  if (engine.contentLength >= 0) {
    p = writeAscii(out, p, CONTENT_LENGTH_PREFIX);
    p = writeCrlf(out, writeDecimal(out, p, engine.contentLength));
  }
  if (engine.chunked) p = writeAscii(out, p, TRANSFER_ENCODING_CHUNKED);
  if (engine.close) p = writeAscii(out, p, CONNECTION_CLOSE);
  else if (engine.keepAlive === true) p = writeAscii(out, p, CONNECTION_KEEP_ALIVE);
  return writeCrlf(out, p);
}

let serverName: string | null = null;
let serverLine = new Uint8Array(0);

/** `server: <name>\r\n` as bytes, written (and so validated) once per name: a server keeps one name. */
function serverLineOf(name: string): Uint8Array {
  if (name !== serverName) {
    const line = new Uint8Array(SERVER_PREFIX.length + name.length + CRLF_LENGTH);
    writeField(line, 0, 'server', name);
    serverLine = line;
    serverName = name;
  }
  return serverLine;
}

/** Composes a head into a fresh buffer of exactly its length. */
export function renderResponseHead(status: number, headers: ResponseHeaders, engine: EngineHeaders): Uint8Array {
  const out = new Uint8Array(measureResponseHead(status, headers, engine));
  composeResponseHead(out, 0, status, headers, engine);
  return out;
}

/** Hot-path trick: a charCode loop beats a native latin1 write for the ~10-40 byte strings of a head. */
function writeAscii(out: Uint8Array, p: number, s: string): number {
  for (let k = 0; k < s.length; k++) out[p++] = s.charCodeAt(k);
  return p;
}

function writeCrlf(out: Uint8Array, p: number): number {
  out[p] = 0x0d;
  out[p + 1] = 0x0a;
  return p + 2;
}

/** Writes `name: value\r\n`, validating both while copying (one pass per byte). */
function writeField(out: Uint8Array, p: number, name: string, value: string): number {
  if (name.length === 0) throw badHeader(name, 'name is empty');
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c > 0xff || TOKEN[c] !== 1) throw badHeader(name, 'name is not a token');
    out[p++] = c;
  }
  out[p++] = 0x3a;
  out[p++] = 0x20;
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    // RFC 9110 §5.5: field-vchar, SP, HTAB, obs-text; never CR/LF/NUL (response splitting).
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) throw badHeader(name, 'value has a control or non-latin1 char');
    out[p++] = c;
  }
  return writeCrlf(out, p);
}

function writeDecimal(out: Uint8Array, p: number, n: number): number {
  const end = p + digitCount(n);
  let q = end;
  do {
    out[--q] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

function badHeader(name: string, why: string): ResponseError {
  return new ResponseError('BAD_RESPONSE_HEADER', `response header ${JSON.stringify(name)}: ${why}`);
}
