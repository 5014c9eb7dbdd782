// Request head parser (RFC 9112 §2-§5). Pass 1 validates bytes and records offsets; pass 2, once the empty line is
// in, decodes the head to one latin1 string and slices every name and value from it. Resumed calls only look for the end.

import { RequestError, type RequestErrorCode } from './errors.js';
import { HeaderIndex, HEADER_NAMES, HOST_ID, TOKEN, checkHeaderIndex, lookupHeaderName, recordHeader } from './header-index.js';
import { checkPartialRequestLine, checkRequestLine, decodeLatin1, HTTP_VERSION_LENGTH, internMethod } from './request-line.js';
import { isValidHostBytes, parseTarget, type TargetForm } from './target.js';

/** Bounds on one request head. */
export interface HeadLimits {
  /** Whole head, request line and final empty line included (431 above it). */
  maxHeaderBytes: number;
  /** Request-target length (414 above it). */
  maxTargetBytes: number;
  /** Number of header field lines (431 above it). */
  maxHeaders: number;
}

/** 64 KiB head, 8 KiB target, 100 fields. */
export const DEFAULT_HEAD_LIMITS: Readonly<HeadLimits> = Object.freeze({
  maxHeaderBytes: 64 * 1024,
  maxTargetBytes: 8 * 1024,
  maxHeaders: 100,
});

/** A parsed request head: the request line, every field in order, and the indexed common fields it inherits. */
export class RequestHead extends HeaderIndex {
  /** Method token, case preserved (RFC 9110 §9.1). */
  declare method: string;
  /** Raw request-target, exactly as received. */
  declare target: string;
  /** Which RFC 9112 §3.2 form the target used. */
  declare targetForm: TargetForm;
  /** Raw path without the query ('*' for asterisk-form, '' for authority-form). */
  declare path: string;
  /** Raw query after '?', '' when absent. */
  declare query: string;
  /** Always 1: other majors are refused with 505. */
  declare readonly versionMajor: 1;
  declare versionMinor: 0 | 1;
  /** Every field line in order as [lower-case name, value with OWS trimmed]; repeated names stay separate. */
  declare headers: Array<[name: string, value: string]>;

  // Set in the constructor: see HeaderIndex (field initializers in a derived class are slow to construct).
  constructor(headers: Array<[name: string, value: string]> = []) {
    super();
    this.method = '';
    this.target = '';
    this.targetForm = 'origin';
    this.path = '';
    this.query = '';
    this.versionMajor = 1 as const;
    this.versionMinor = 1;
    this.headers = headers;
  }
}

/** Outcome of one parse attempt; on 'need-more', pass `resumeAt` back as `scanFrom` so re-parsing stays linear. */
export type HeadResult =
  | { kind: 'need-more'; resumeAt: number }
  | { kind: 'head'; head: RequestHead; consumed: number }
  | { kind: 'error'; error: RequestError };

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const SLASH = 0x2f;

/** 1 = field-vchar (VCHAR or obs-text, RFC 9110 §5.5), 2 = SP/HTAB, 0 = forbidden (CTLs incl. CR, LF, NUL, and DEL). */
const FIELD_BYTE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x21; c <= 0xff; c++) t[c] = 1;
  t[0x7f] = 0;
  t[SP] = 2;
  t[HTAB] = 2;
  return t;
})();

/**
 * Finds the end of a head in buf[from,end): the index just past the empty line that ends it, or -1.
 * An empty line is LF followed by LF or CRLF (RFC 9112 §2.2 tolerates bare LF in the head).
 */
export function findHeadEnd(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end - 1; i++) {
    if (buf[i] !== LF) continue;
    const next = buf[i + 1];
    if (next === LF) return i + 2;
    if (next === CR && i + 2 < end && buf[i + 2] === LF) return i + 3;
  }
  return -1;
}

/** RFC 9112 §2.2 asks to ignore at least one empty line before a request; a few more are tolerated, not a flood. */
const MAX_LEADING_EMPTY_LINES = 4;

/** Reused field offsets (nameStart, nameEnd, valueStart, valueEnd per field): parsing is synchronous, so one suffices. */
let offsets = new Int32Array(4 * (DEFAULT_HEAD_LIMITS.maxHeaders + 1));

/**
 * Parses one request head starting at buf[start]; bytes past the head are left alone. `scanFrom` is the
 * previous 'need-more' answer's `resumeAt` (same `start`), so a head arriving byte by byte is scanned once.
 * Errors come in this order: request-line syntax, field syntax, then target form and field semantics (Host, framing, Expect).
 */
export function parseRequestHead(
  buf: Uint8Array, start: number, end: number,
  limits: HeadLimits = DEFAULT_HEAD_LIMITS, scanFrom: number = start,
): HeadResult {
  let s = start;
  let skipped = 0;
  for (; skipped < MAX_LEADING_EMPTY_LINES && s < end; skipped++) {
    if (buf[s] === LF) s++;
    else if (buf[s] === CR && s + 1 < end && buf[s + 1] === LF) s += 2;
    else break;
  }
  // A CR alone at the end may be the start of one more empty line to skip.
  if (s + 1 === end && buf[s] === CR && skipped < MAX_LEADING_EMPTY_LINES) return { kind: 'need-more', resumeAt: s };
  const overLimit = end - start > limits.maxHeaderBytes;
  // Resumed after 'need-more': a cheap scan for the empty line first, so the full parse runs once per head.
  if (scanFrom > s && !overLimit && findHeadEnd(buf, scanFrom, end) < 0) return needMore(buf, s, end, limits);
  return scanHead(buf, start, s, overLimit ? start + limits.maxHeaderBytes : end, end, limits);
}

/**
 * The head is incomplete. Request-line errors are final as soon as they show (checkPartialRequestLine), so they are
 * reported now; field errors wait for the empty line (fieldError), so every split of the input gives one answer.
 */
function needMore(buf: Uint8Array, s: number, end: number, limits: HeadLimits): HeadResult {
  let lf = s;
  while (lf < end && buf[lf] !== LF) lf++;
  const early = lf === end
    ? checkPartialRequestLine(buf, s, end, limits.maxTargetBytes)
    : checkRequestLine(buf, s, lf > s && buf[lf - 1] === CR ? lf - 1 : lf, limits.maxTargetBytes);
  if (early !== null) return fail(early);
  return { kind: 'need-more', resumeAt: end - 3 > s ? end - 3 : s };
}

function fail(code: RequestErrorCode): HeadResult {
  return { kind: 'error', error: new RequestError(code) };
}

/**
 * Pass 1 over bytes, never past `limitEnd` (the size limit or the input end): validates the request line and every
 * field line, recording offsets only. Pass 2 (buildHead) runs once the empty line is found.
 */
function scanHead(buf: Uint8Array, start: number, s: number, limitEnd: number, end: number, limits: HeadLimits): HeadResult {
  let lf = s;
  while (lf < limitEnd && buf[lf] !== LF) lf++;
  if (lf === limitEnd) {
    if (limitEnd === end) return needMore(buf, s, end, limits);
    return fail(checkPartialRequestLine(buf, s, limitEnd, limits.maxTargetBytes) ?? 'HEADER_TOO_LARGE');
  }
  const lineEnd = lf > s && buf[lf - 1] === CR ? lf - 1 : lf;
  const badLine = checkRequestLine(buf, s, lineEnd, limits.maxTargetBytes);
  if (badLine !== null) return fail(badLine);

  if (offsets.length < 4 * (limits.maxHeaders + 1)) offsets = new Int32Array(4 * (limits.maxHeaders + 1));
  const offs = offsets;
  let n = 0;
  let i = lf + 1;
  for (;;) {
    if (i >= limitEnd) return ranOut(buf, s, limitEnd, end, limits);
    const lineStart = i;
    const first = buf[i];
    if (first === LF) {
      i++;
      break;
    }
    if (first === CR) {
      if (i + 1 === limitEnd) return ranOut(buf, s, limitEnd, end, limits);
      // RFC 9112 §2.2: a bare CR is not a line end.
      if (buf[i + 1] !== LF) return fieldError('BAD_HEADER', buf, lineStart, s, limitEnd, end, limits);
      i += 2;
      break;
    }
    // RFC 9112 §5.2 obs-fold, and §2.2 whitespace before the first field: refused, never joined.
    if (first === SP || first === HTAB) return fieldError('BAD_HEADER', buf, lineStart, s, limitEnd, end, limits);
    const nameStart = i;
    while (i < limitEnd && TOKEN[buf[i]!] === 1) i++;
    if (i === limitEnd) return ranOut(buf, s, limitEnd, end, limits);
    // RFC 9112 §5.1: no whitespace between name and colon; a line without a colon is not a field.
    if (i === nameStart || buf[i] !== COLON) return fieldError('BAD_HEADER', buf, lineStart, s, limitEnd, end, limits);
    const nameEnd = i++;
    while (i < limitEnd && FIELD_BYTE[buf[i]!] === 2) i++; // leading OWS
    const valueStart = i;
    while (i < limitEnd && FIELD_BYTE[buf[i]!] !== 0) i++;
    // Trailing OWS is trimmed afterwards: cheaper than tracking the last visible byte on every byte.
    let valueEnd = i;
    while (valueEnd > valueStart && FIELD_BYTE[buf[valueEnd - 1]!] === 2) valueEnd--;
    if (i === limitEnd || (buf[i] === CR && ++i === limitEnd)) return ranOut(buf, s, limitEnd, end, limits);
    // Only CRLF or LF may end the value: a lone CR, NUL or other CTL inside it is a 400 (RFC 9110 §5.5).
    if (buf[i] !== LF) return fieldError('BAD_HEADER', buf, lineStart, s, limitEnd, end, limits);
    i++;
    if (n === limits.maxHeaders) return fieldError('TOO_MANY_HEADERS', buf, lineStart, s, limitEnd, end, limits);
    const o = 4 * n++;
    offs[o] = nameStart;
    offs[o + 1] = nameEnd;
    offs[o + 2] = valueStart;
    offs[o + 3] = valueEnd;
  }
  return buildHead(buf, start, s, lineEnd, i, n, offs);
}

/** Pass 1 hit limitEnd: at the input end that means "need more", at the size limit a 431. */
function ranOut(buf: Uint8Array, s: number, limitEnd: number, end: number, limits: HeadLimits): HeadResult {
  return limitEnd === end ? needMore(buf, s, end, limits) : fail('HEADER_TOO_LARGE');
}

/** A field line is bad: final once the head is complete or over the size limit, else wait (see needMore). */
function fieldError(
  code: RequestErrorCode, buf: Uint8Array, lineStart: number, s: number, limitEnd: number, end: number, limits: HeadLimits,
): HeadResult {
  if (limitEnd < end || findHeadEnd(buf, lineStart - 1, limitEnd) >= 0) return fail(code);
  return needMore(buf, s, end, limits);
}

/** Pass 2: strings and semantics for a head validated by scanHead; headEnd is just past its empty line. */
function buildHead(
  buf: Uint8Array, start: number, s: number, lineEnd: number, headEnd: number, n: number, offs: Int32Array,
): HeadResult {
  // Hot-path trick: one native latin1 decode per head; every string below is a slice of it. The request line's parts
  // go straight into the head (checkRequestLine accepted it: one SP after the method, `HTTP/x.y` last), and an
  // origin-form target is split here: no intermediate line or target object per request.
  const text = decodeLatin1(buf, s, headEnd);
  let methodEnd = s;
  while (buf[methodEnd] !== SP) methodEnd++;
  // Sized once: pushing onto an empty list grew its backing store (a builtin call and ~150 bytes) per request.
  const headers = new Array<[name: string, value: string]>(n);
  const head = new RequestHead(headers);
  const method = internMethod(buf, s, methodEnd) ?? text.slice(0, methodEnd - s);
  const raw = text.slice(methodEnd + 1 - s, lineEnd - HTTP_VERSION_LENGTH - 1 - s);
  head.method = method;
  head.target = raw;
  head.versionMinor = buf[lineEnd - 1] === 0x30 ? 0 : 1;
  let authority = '';
  if (raw.charCodeAt(0) === SLASH && method !== 'CONNECT') {
    // RFC 9112 §3.2.1 origin-form, as parseTarget splits it.
    const q = raw.indexOf('?');
    head.path = q < 0 ? raw : raw.slice(0, q);
    head.query = q < 0 ? '' : raw.slice(q + 1);
  } else {
    const target = parseTarget(method, raw);
    if (target === null) return fail('BAD_REQUEST_LINE');
    head.targetForm = target.kind;
    head.path = target.path;
    head.query = target.query;
    authority = target.authority;
  }
  for (let k = 0; k < 4 * n; k += 4) {
    const id = lookupHeaderName(buf, offs[k]!, offs[k + 1]!);
    const name = id !== 0 ? HEADER_NAMES[id]! : text.slice(offs[k]! - s, offs[k + 1]! - s).toLowerCase();
    const value = text.slice(offs[k + 2]! - s, offs[k + 3]! - s);
    headers[k >> 2] = [name, value];
    if (id === HOST_ID && !isValidHostBytes(buf, offs[k + 2]!, offs[k + 3]!, value)) return fail('BAD_HOST');
    const bad = recordHeader(head, id, value, true);
    if (bad !== null) return fail(bad);
  }
  const bad = checkHeaderIndex(head, head.versionMinor);
  if (bad !== null) return fail(bad);
  // RFC 9112 §3.2 and RFC 9110 §4.2.1: the target URI of an origin-form (or asterisk-form) request is an http(s) URI
  // built from Host, and an http URI's host is never empty. (Absolute-form carries its own authority.)
  if (head.host === '' && (head.targetForm === 'origin' || head.targetForm === 'asterisk')) return fail('BAD_HOST');
  // RFC 9112 §3.2.2: with absolute-form the target's authority replaces Host.
  if (head.targetForm === 'absolute') head.host = authority;
  return { kind: 'head', head, consumed: headEnd - start };
}
