// Request-line parser (RFC 9112 §3): `method SP request-target SP HTTP-version`, strictly one SP each.
// Works on bytes so no string is built for a line that is going to be refused.

import type { RequestErrorCode } from './errors.js';
import { TOKEN } from './header-index.js';

/** A parsed request line; the target is raw (see target.ts for its forms). */
export type RequestLineResult =
  | { kind: 'line'; method: string; target: string; versionMinor: 0 | 1 }
  | { kind: 'error'; code: RequestErrorCode };

const SP = 0x20;

/** Bytes of `HTTP/x.y`. */
export const HTTP_VERSION_LENGTH = 8;

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** Decodes buf[start,end) as latin1 (one byte per char, RFC 9110 §5.5 obs-text kept as is). */
export function decodeLatin1(buf: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(buf, start, end);
}

/**
 * Parses buf[start,end): one request line without its line ending. `text`, when given, is the latin1 decoding of
 * buf starting at `start` (the head parser decodes the whole head once and slices it: one native call per request).
 */
export function parseRequestLine(
  buf: Uint8Array, start: number, end: number, maxTargetBytes: number, text?: string,
): RequestLineResult {
  const code = checkRequestLine(buf, start, end, maxTargetBytes);
  return code === null ? readRequestLine(buf, start, end, text) : { kind: 'error', code };
}

/** Validates a complete request line (line end excluded) without building any string; null when well-formed. */
export function checkRequestLine(buf: Uint8Array, start: number, end: number, maxTargetBytes: number): RequestErrorCode | null {
  return scanRequestLine(buf, start, end, maxTargetBytes, true);
}

/**
 * Validates the start of a request line whose line end has not arrived (buf[start,end) holds no LF): an error
 * here is final, because checkRequestLine gives the same one for every completion. Null means "may still be fine".
 */
export function checkPartialRequestLine(buf: Uint8Array, start: number, end: number, maxTargetBytes: number): RequestErrorCode | null {
  return scanRequestLine(buf, start, end, maxTargetBytes, false);
}

/** One scanner for both, so a line refused while arriving is refused identically once complete (split-invariance). */
function scanRequestLine(buf: Uint8Array, start: number, end: number, maxTargetBytes: number, complete: boolean): RequestErrorCode | null {
  // RFC 9110 §9.1: method = token, case-sensitive; one longer than the target limit is not a method.
  let i = start;
  while (i < end && TOKEN[buf[i]!] === 1) i++;
  if (i - start > maxTargetBytes) return 'BAD_REQUEST_LINE';
  if (i === end) return complete ? 'BAD_REQUEST_LINE' : null;
  if (i === start || buf[i] !== SP) return 'BAD_REQUEST_LINE';
  const targetStart = ++i;
  // RFC 9112 §3.2: the target is visible ASCII; no fragment (RFC 9110 §4.1 '#' is not part of a request-target).
  while (i < end) {
    const c = buf[i]!;
    if (c === SP) break;
    if (c < 0x21 || c > 0x7e || c === 0x23) return 'BAD_REQUEST_LINE';
    if (++i - targetStart > maxTargetBytes) return 'URI_TOO_LONG';
  }
  if (i === end) return complete ? 'BAD_REQUEST_LINE' : null;
  if (i === targetStart) return 'BAD_REQUEST_LINE';
  const version = end - (i + 1);
  // An unfinished line may still hold `HTTP/x.y` plus the CR of its CRLF; anything longer is never a version.
  if (!complete) return version > HTTP_VERSION_LENGTH + 1 ? 'BAD_REQUEST_LINE' : null;
  if (version !== HTTP_VERSION_LENGTH) return 'BAD_REQUEST_LINE';
  return checkVersion(buf, i + 1);
}

/** Extracts the parts of a line checkRequestLine accepted: the version is its last 8 bytes, after one SP. */
export function readRequestLine(buf: Uint8Array, start: number, end: number, text?: string): RequestLineResult & { kind: 'line' } {
  let methodEnd = start;
  while (buf[methodEnd] !== SP) methodEnd++;
  const targetEnd = end - HTTP_VERSION_LENGTH - 1;
  const method = internMethod(buf, start, methodEnd) ?? slice(buf, start, methodEnd, start, text);
  const versionMinor = buf[end - 1] === 0x30 ? 0 : 1;
  return { kind: 'line', method, target: slice(buf, methodEnd + 1, targetEnd, start, text), versionMinor };
}

/** Slices from the pre-decoded text when there is one (cheap sliced string), else decodes. */
function slice(buf: Uint8Array, from: number, to: number, base: number, text: string | undefined): string {
  return text === undefined ? latin1Slice.call(buf, from, to) : text.slice(from - base, to - base);
}

/** RFC 9112 §2.3 `HTTP/DIGIT.DIGIT`; RFC 9110 §2.5: a higher 1.x minor is handled as 1.1, another major is 505. */
function checkVersion(buf: Uint8Array, at: number): RequestErrorCode | null {
  if (buf[at] !== 0x48 || buf[at + 1] !== 0x54 || buf[at + 2] !== 0x54 || buf[at + 3] !== 0x50 || buf[at + 4] !== 0x2f) {
    return 'BAD_REQUEST_LINE';
  }
  const major = buf[at + 5]! - 0x30;
  const minor = buf[at + 7]! - 0x30;
  if (major < 0 || major > 9 || buf[at + 6] !== 0x2e || minor < 0 || minor > 9) return 'BAD_REQUEST_LINE';
  return major === 1 ? null : 'BAD_VERSION';
}

/** Returns a shared string for the registered methods (RFC 9110 §9) so the hot path builds no string. */
export function internMethod(buf: Uint8Array, start: number, end: number): string | undefined {
  switch (end - start) {
    case 3:
      if (buf[start] === 0x47 && buf[start + 1] === 0x45 && buf[start + 2] === 0x54) return 'GET';
      if (buf[start] === 0x50 && buf[start + 1] === 0x55 && buf[start + 2] === 0x54) return 'PUT';
      return undefined;
    case 4:
      if (matches(buf, start, 'POST')) return 'POST';
      if (matches(buf, start, 'HEAD')) return 'HEAD';
      return undefined;
    case 5:
      if (matches(buf, start, 'PATCH')) return 'PATCH';
      if (matches(buf, start, 'TRACE')) return 'TRACE';
      return undefined;
    case 6:
      return matches(buf, start, 'DELETE') ? 'DELETE' : undefined;
    case 7:
      if (matches(buf, start, 'OPTIONS')) return 'OPTIONS';
      if (matches(buf, start, 'CONNECT')) return 'CONNECT';
      return undefined;
    default:
      return undefined;
  }
}

/** Exact (case-sensitive) comparison of buf at `at` with an ASCII literal. */
function matches(buf: Uint8Array, at: number, literal: string): boolean {
  for (let k = 0; k < literal.length; k++) if (buf[at + k] !== literal.charCodeAt(k)) return false;
  return true;
}
