// Indexed common request headers (Warp's Header.hs): fixed slots filled while parsing, so the engine never
// searches the header list. Names are matched on bytes, switching on length first, and interned.

import type { RequestErrorCode } from './errors.js';
import { isValidHost } from './target.js';

/** 1 for RFC 9110 §5.6.2 tchar bytes, else 0. */
export const TOKEN: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const c of "!#$%&'*+-.^_`|~") t[c.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

/** Shape-stable slots for the headers the engine and middleware consult; null = absent. */
export class HeaderIndex {
  /** Host header, replaced by the target's authority for absolute-form (RFC 9112 §3.2.2). */
  declare host: string | null;
  /** Declared body length, -1 when absent. */
  declare contentLength: number;
  /** Transfer-Encoding is present and valid, so the body is chunked (RFC 9112 §6.3). */
  declare chunked: boolean;
  /** Client sent `Expect: 100-continue` on HTTP/1.1 (RFC 9110 §10.1.1). */
  declare expectContinue: boolean;
  // List-valued fields below are combined with ", " across lines (RFC 9110 §5.3).
  declare transferEncoding: string | null;
  declare connection: string | null;
  declare expect: string | null;
  declare upgrade: string | null;
  declare acceptEncoding: string | null;
  declare contentEncoding: string | null;
  declare ifMatch: string | null;
  declare ifNoneMatch: string | null;
  // Singleton fields keep their first value.
  declare range: string | null;
  declare ifModifiedSince: string | null;
  declare ifUnmodifiedSince: string | null;
  declare ifRange: string | null;
  declare contentType: string | null;
  declare userAgent: string | null;
  declare referer: string | null;

  // Set in the constructor, not as field initializers: a subclass (RequestHead) with initialized fields took ~35 ns
  // per construction against ~4 ns (V8 11 defines initialized class fields one by one in derived classes).
  constructor() {
    this.host = null;
    this.contentLength = -1;
    this.chunked = false;
    this.expectContinue = false;
    this.transferEncoding = null;
    this.connection = null;
    this.expect = null;
    this.upgrade = null;
    this.acceptEncoding = null;
    this.contentEncoding = null;
    this.ifMatch = null;
    this.ifNoneMatch = null;
    this.range = null;
    this.ifModifiedSince = null;
    this.ifUnmodifiedSince = null;
    this.ifRange = null;
    this.contentType = null;
    this.userAgent = null;
    this.referer = null;
  }
}

// Header ids: indexes into HEADER_NAMES. Ids 1-17 have a slot in HeaderIndex; later ones are only interned.
const HOST = 1;
const CONTENT_LENGTH = 2;
const TRANSFER_ENCODING = 3;
const CONNECTION = 4;
const EXPECT = 5;
const UPGRADE = 6;
const ACCEPT_ENCODING = 7;
const CONTENT_ENCODING = 8;
const IF_MATCH = 9;
const IF_NONE_MATCH = 10;
const RANGE = 11;
const IF_MODIFIED_SINCE = 12;
const IF_UNMODIFIED_SINCE = 13;
const IF_RANGE = 14;
const CONTENT_TYPE = 15;
const USER_AGENT = 16;
const REFERER = 17;

/** Header id -> interned lower-case name; id 0 means "not known". Ids >= 18 are interned (no lower-casing) but not indexed. */
export const HEADER_NAMES: readonly string[] = [
  '', 'host', 'content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'accept-encoding',
  'content-encoding', 'if-match', 'if-none-match', 'range', 'if-modified-since', 'if-unmodified-since', 'if-range',
  'content-type', 'user-agent', 'referer',
  // Id 18 on: frequent names from browsers, proxies and load generators.
  'accept', 'cookie', 'origin', 'authorization', 'cache-control', 'accept-language', 'pragma', 'te', 'priority',
  'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'sec-fetch-user', 'upgrade-insecure-requests',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip', 'x-requested-with', 'forwarded',
];

/** Ids grouped by name length: Warp's indexRequestHeader switches on length before comparing bytes. */
const IDS_BY_LENGTH: readonly (readonly number[])[] = (() => {
  const table: number[][] = [];
  HEADER_NAMES.forEach((name, id) => {
    if (id === 0) return;
    (table[name.length] ??= []).push(id);
  });
  for (let n = 0; n < table.length; n++) table[n] ??= [];
  return table;
})();

/** The id of a known header name in buf[start,end) (a validated token, any case), or 0. */
export function lookupHeaderName(buf: Uint8Array, start: number, end: number): number {
  const ids = IDS_BY_LENGTH[end - start];
  if (ids === undefined) return 0;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    const name = HEADER_NAMES[id]!;
    let j = 0;
    // `| 0x20` lower-cases letters; on token bytes it cannot turn a non-letter into a letter or '-'.
    while (j < name.length && (buf[start + j]! | 0x20) === name.charCodeAt(j)) j++;
    if (j === name.length) return id;
  }
  return 0;
}

/** The id of the Host field (its value is validated on bytes by the head parser: recordHeader's hostChecked). */
export const HOST_ID = HOST;

/**
 * Files one header value into its slot; returns the error code when the value makes the request invalid. With
 * `hostChecked`, a Host value was already validated (isValidHostBytes) by the caller.
 */
export function recordHeader(index: HeaderIndex, id: number, value: string, hostChecked = false): RequestErrorCode | null {
  switch (id) {
    case HOST: // RFC 9112 §3.2: more than one Host, or an invalid one, is a 400.
      if (index.host !== null || (!hostChecked && !isValidHost(value))) return 'BAD_HOST';
      index.host = value;
      return null;
    case CONTENT_LENGTH: {
      // RFC 9110 §8.6: digits only; identical duplicates may be merged, differing ones are an error.
      const n = parseContentLength(value);
      if (n < 0 || (index.contentLength !== -1 && index.contentLength !== n)) return 'BAD_CONTENT_LENGTH';
      index.contentLength = n;
      return null;
    }
    case TRANSFER_ENCODING: index.transferEncoding = combine(index.transferEncoding, value); return null;
    case CONNECTION: index.connection = combine(index.connection, value); return null;
    case EXPECT: index.expect = combine(index.expect, value); return null;
    case UPGRADE: index.upgrade = combine(index.upgrade, value); return null;
    case ACCEPT_ENCODING: index.acceptEncoding = combine(index.acceptEncoding, value); return null;
    case CONTENT_ENCODING: index.contentEncoding = combine(index.contentEncoding, value); return null;
    case IF_MATCH: index.ifMatch = combine(index.ifMatch, value); return null;
    case IF_NONE_MATCH: index.ifNoneMatch = combine(index.ifNoneMatch, value); return null;
    case RANGE: index.range ??= value; return null;
    case IF_MODIFIED_SINCE: index.ifModifiedSince ??= value; return null;
    case IF_UNMODIFIED_SINCE: index.ifUnmodifiedSince ??= value; return null;
    case IF_RANGE: index.ifRange ??= value; return null;
    case CONTENT_TYPE: index.contentType ??= value; return null;
    case USER_AGENT: index.userAgent ??= value; return null;
    case REFERER: index.referer ??= value; return null;
    default: return null; // not indexed (0, or an interned plain name)
  }
}

function combine(previous: string | null, value: string): string {
  return previous === null ? value : previous + ', ' + value;
}

/** Parses a Content-Length value: 1*DIGIT, or a list of identical ones ("42, 42"); -1 when invalid or unsafe. */
export function parseContentLength(value: string): number {
  let result = -1;
  let n = -1;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : 0x2c;
    if (c >= 0x30 && c <= 0x39) {
      n = n < 0 ? c - 0x30 : n * 10 + (c - 0x30);
      if (n > Number.MAX_SAFE_INTEGER) return -1;
    } else if (c === 0x2c) {
      if (n < 0 || (result !== -1 && result !== n)) return -1;
      result = n;
      n = -1;
      while (i + 1 < value.length && (value.charCodeAt(i + 1) === 0x20 || value.charCodeAt(i + 1) === 0x09)) i++;
    } else {
      return -1;
    }
  }
  return result;
}

/** Cross-field rules once every line is in (RFC 9112 §3.2, §6.1, §6.3; RFC 9110 §10.1.1); sets `chunked`/`expectContinue`. */
export function checkHeaderIndex(index: HeaderIndex, versionMinor: 0 | 1): RequestErrorCode | null {
  if (index.transferEncoding !== null) {
    // RFC 9112 §6.1: TE in an HTTP/1.0 request means faulty framing; TE with CL is a smuggling vector (§6.3).
    if (versionMinor === 0) return 'BAD_TRANSFER_ENCODING';
    if (index.contentLength !== -1) return 'CONFLICTING_FRAMING';
    const te = checkTransferCodings(index.transferEncoding);
    if (te !== null) return te;
    index.chunked = true;
  }
  if (versionMinor === 1 && index.host === null) return 'MISSING_HOST';
  if (index.expect !== null) {
    const ex = checkExpectation(index.expect);
    if (ex === 'failed') return 'EXPECTATION_FAILED';
    // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
    index.expectContinue = ex === 'continue' && versionMinor === 1;
  }
  return null;
}

/** RFC 9112 §6.3: chunked must be last (else 400) and appear once; any other coding is one we can't decode (501, §6.1). */
function checkTransferCodings(value: string): RequestErrorCode | null {
  if (value.length === 7 && value.toLowerCase() === 'chunked') return null; // hot path
  const codings: string[] = [];
  for (const element of value.split(',')) {
    const coding = element.trim().toLowerCase();
    if (coding === '') continue; // RFC 9110 §5.6.1: empty list elements are ignored
    const name = coding.split(';', 1)[0]!.trimEnd();
    for (let k = 0; k < name.length; k++) if (TOKEN[name.charCodeAt(k)] !== 1) return 'BAD_TRANSFER_ENCODING';
    codings.push(coding);
  }
  if (codings.length === 0 || codings[codings.length - 1] !== 'chunked') return 'BAD_TRANSFER_ENCODING';
  for (let k = 0; k < codings.length - 1; k++) {
    if (codings[k] === 'chunked') return 'BAD_TRANSFER_ENCODING'; // RFC 9112 §6.1: chunked MUST NOT be applied twice
  }
  return codings.length > 1 ? 'UNKNOWN_TRANSFER_CODING' : null;
}

/** RFC 9110 §10.1.1: the only expectation defined is 100-continue (case-insensitive); anything else earns a 417. */
function checkExpectation(value: string): 'none' | 'continue' | 'failed' {
  let result: 'none' | 'continue' = 'none';
  for (const element of value.split(',')) {
    const e = element.trim();
    if (e === '') continue;
    if (e.length !== 12 || e.toLowerCase() !== '100-continue') return 'failed';
    result = 'continue';
  }
  return result;
}
