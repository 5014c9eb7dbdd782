// Request head parser (RFC 9112 §2-§5): finds the end of the head incrementally, then parses it in one pass
// over bytes, decoding the whole head to one latin1 string once and slicing names/values out of it.

import { RequestError, type RequestErrorCode } from './errors.js';
import { HeaderIndex, HEADER_NAMES, TOKEN, checkHeaderIndex, lookupHeaderName, recordHeader } from './header-index.js';
import { checkPartialRequestLine, decodeLatin1, parseRequestLine } from './request-line.js';
import { parseTarget, type TargetForm } from './target.js';

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
  method = '';
  /** Raw request-target, exactly as received. */
  target = '';
  /** Which RFC 9112 §3.2 form the target used. */
  targetForm: TargetForm = 'origin';
  /** Raw path without the query ('*' for asterisk-form, '' for authority-form). */
  path = '';
  /** Raw query after '?', '' when absent. */
  query = '';
  readonly versionMajor = 1 as const;
  versionMinor: 0 | 1 = 1;
  /** Every field line in order as [lower-case name, value with OWS trimmed]; repeated names stay separate. */
  headers: Array<[name: string, value: string]> = [];
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

/**
 * Parses one request head starting at buf[start]; bytes past the head are left alone. `scanFrom` is the
 * previous 'need-more' answer's `resumeAt` (same `start`), so a head arriving byte by byte is scanned once.
 */
export function parseRequestHead(
  buf: Uint8Array, start: number, end: number,
  limits: HeadLimits = DEFAULT_HEAD_LIMITS, scanFrom: number = start,
): HeadResult {
  // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
  let s = start;
  while (s < end) {
    if (buf[s] === LF) s++;
    else if (buf[s] === CR && s + 1 < end && buf[s + 1] === LF) s += 2;
    else break;
  }
  const headEnd = findHeadEnd(buf, scanFrom > s ? scanFrom : s, end);
  if (headEnd < 0) {
    if (end - start > limits.maxHeaderBytes) return fail(diagnoseOversize(buf, s, end, limits));
    if (end - s > limits.maxTargetBytes) {
      const early = checkPartialRequestLine(buf, s, end, limits.maxTargetBytes);
      if (early !== null) return fail(early);
    }
    return { kind: 'need-more', resumeAt: end - 3 > s ? end - 3 : s };
  }
  if (headEnd - start > limits.maxHeaderBytes) return fail(diagnoseOversize(buf, s, headEnd, limits));
  return parseCompleteHead(buf, start, s, headEnd, limits);
}

function fail(code: RequestErrorCode): HeadResult {
  return { kind: 'error', error: new RequestError(code) };
}

/** An oversized head is a 414 when its target is the culprit, a 400 when its first line is garbage, else a 431. */
function diagnoseOversize(buf: Uint8Array, s: number, end: number, limits: HeadLimits): RequestErrorCode {
  let lf = s;
  while (lf < end && buf[lf] !== LF) lf++;
  if (lf === end) return checkPartialRequestLine(buf, s, end, limits.maxTargetBytes) ?? 'HEADER_TOO_LARGE';
  const line = parseRequestLine(buf, s, lf > s && buf[lf - 1] === CR ? lf - 1 : lf, limits.maxTargetBytes);
  return line.kind === 'error' ? line.code : 'HEADER_TOO_LARGE';
}

/** Parses a head known to end at headEnd (just past its empty line); `s` is where the request line starts. */
function parseCompleteHead(buf: Uint8Array, start: number, s: number, headEnd: number, limits: HeadLimits): HeadResult {
  // Hot-path trick: one native latin1 decode per head; every string below is a slice of it.
  const text = decodeLatin1(buf, s, headEnd);
  let lf = s;
  while (buf[lf] !== LF) lf++;
  const line = parseRequestLine(buf, s, lf > s && buf[lf - 1] === CR ? lf - 1 : lf, limits.maxTargetBytes, text);
  if (line.kind === 'error') return fail(line.code);
  const target = parseTarget(line.method, line.target);
  if (target === null) return fail('BAD_REQUEST_LINE');

  const head = new RequestHead();
  head.method = line.method;
  head.target = line.target;
  head.targetForm = target.kind;
  head.path = target.path;
  head.query = target.query;
  head.versionMinor = line.versionMinor;
  const headers = head.headers;
  let i = lf + 1;
  for (;;) {
    const first = buf[i];
    if (first === LF || first === CR) break; // the empty line (findHeadEnd guarantees CR is followed by LF)
    // RFC 9112 §5.2 obs-fold, and §2.2 whitespace before the first field: refused, never joined.
    if (first === SP || first === HTAB) return fail('BAD_HEADER');
    const nameStart = i;
    while (TOKEN[buf[i]!] === 1) i++;
    // RFC 9112 §5.1: no whitespace between name and colon; a line without a colon is not a field.
    if (i === nameStart || buf[i] !== COLON) return fail('BAD_HEADER');
    const nameEnd = i++;
    while (FIELD_BYTE[buf[i]!] === 2) i++; // leading OWS
    const valueStart = i;
    let valueEnd = i;
    for (;;) {
      const kind = FIELD_BYTE[buf[i]!];
      if (kind === 1) valueEnd = ++i;
      else if (kind === 2) i++;
      else break;
    }
    // Only CRLF or LF may end the value: a lone CR, NUL or other CTL inside it is a 400 (RFC 9110 §5.5).
    if (buf[i] === CR) i++;
    if (buf[i] !== LF) return fail('BAD_HEADER');
    i++;
    if (headers.length === limits.maxHeaders) return fail('TOO_MANY_HEADERS');
    const id = lookupHeaderName(buf, nameStart, nameEnd);
    const name = id !== 0 ? HEADER_NAMES[id]! : text.slice(nameStart - s, nameEnd - s).toLowerCase();
    const value = text.slice(valueStart - s, valueEnd - s);
    headers.push([name, value]);
    const bad = recordHeader(head, id, value);
    if (bad !== null) return fail(bad);
  }
  const bad = checkHeaderIndex(head, head.versionMinor);
  if (bad !== null) return fail(bad);
  // RFC 9112 §3.2.2: with absolute-form the target's authority replaces Host.
  if (target.kind === 'absolute') head.host = target.authority;
  return { kind: 'head', head, consumed: headEnd - start };
}
