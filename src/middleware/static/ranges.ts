// Byte ranges (RFC 9110 §14): parse a Range header against a file size, format Content-Range, and lay out a
// multipart/byteranges body. Key decision: overlapping or near ranges are coalesced and more than MAX_RANGES specs get a
// plain 200 (§14.3 lets a server ignore abusive Range sets), so a 206 is always exactly the bytes asked for.

import { randomBytes } from 'node:crypto';

/** One satisfiable byte range, both ends inclusive (as in Content-Range). */
export interface ByteRange {
  start: number;
  end: number;
}

/** How to answer a Range: ignore it (200), send these ranges (206), or 416. */
export type RangeOutcome =
  | { kind: 'none' }
  | { kind: 'ranges'; ranges: ByteRange[] }
  | { kind: 'unsatisfiable' };

/** Options for parseRange: the cap on range specs before the header is ignored, and the coalescing gap. */
export interface RangeOptions {
  maxRanges?: number;
  coalesceGap?: number;
}

/** A piece of a response body: literal bytes, or an inclusive span of the file (to be sent with sendfile). */
export type BodyPart = { kind: 'bytes'; bytes: Buffer } | { kind: 'file'; start: number; end: number };

/** A laid-out multipart/byteranges body: its Content-Type, its parts in order, and its total Content-Length. */
export interface MultipartBody {
  contentType: string;
  parts: BodyPart[];
  length: number;
}

/** More range specs than this and the Range header is ignored (RFC 9110 §14.3, cf. CVE-2011-3192). */
export const MAX_RANGES = 16;
/** Ranges closer than this are merged: a part header costs about this many bytes (RFC 9110 §14.6 permits merging). */
export const COALESCE_GAP = 80;

const NONE: RangeOutcome = { kind: 'none' };
const UNSATISFIABLE: RangeOutcome = { kind: 'unsatisfiable' };
const INT_RANGE = /^(\d+)-(\d*)$/;
const SUFFIX_RANGE = /^-(\d+)$/;
const CRLF = '\r\n';

/** Resolve a Range header against a representation of `size` bytes (RFC 9110 §14.1.1, §14.2). */
export function parseRange(header: string | undefined, size: number, options: RangeOptions = {}): RangeOutcome {
  if (header === undefined) return NONE;
  const eq = header.indexOf('=');
  // §14.1: range units are case-insensitive; an unknown unit means the Range is ignored (§14.2).
  if (eq === -1 || header.slice(0, eq).toLowerCase() !== 'bytes') return NONE;
  const specs = header.slice(eq + 1).split(',');
  const ranges: ByteRange[] = [];
  let specCount = 0;
  let satisfiable = false;
  for (const raw of specs) {
    // §5.6.1: list members are separated by OWS "," OWS and empty members are skipped.
    const spec = raw.trim();
    if (spec === '') continue;
    if (++specCount > (options.maxRanges ?? MAX_RANGES)) return NONE;
    const int = INT_RANGE.exec(spec);
    if (int !== null) {
      const first = Number(int[1]);
      const last = int[2] === '' ? Infinity : Number(int[2]);
      // §14.1.1: an int-range whose last-pos is less than its first-pos makes the whole range-set invalid.
      if (last < first) return NONE;
      // §14.1.1: satisfiable when first-pos is below the current length; last-pos is clipped to it.
      if (first < size) {
        satisfiable = true;
        ranges.push({ start: first, end: Math.min(last, size - 1) });
      }
      continue;
    }
    const suffix = SUFFIX_RANGE.exec(spec);
    if (suffix === null) return NONE;
    const length = Number(suffix[1]);
    // §14.1.1: a suffix-range is satisfiable when its length is non-zero; a longer suffix selects the whole file.
    if (length > 0) {
      satisfiable = true;
      if (size > 0) ranges.push({ start: Math.max(0, size - length), end: size - 1 });
    }
  }
  if (specCount === 0) return NONE;
  if (!satisfiable) return UNSATISFIABLE;
  // A satisfiable suffix of an empty file selects no bytes, which Content-Range cannot express: send the (empty) 200.
  if (ranges.length === 0) return NONE;
  return { kind: 'ranges', ranges: coalesceRanges(ranges, options.coalesceGap ?? COALESCE_GAP) };
}

/** Sort ranges and merge those that overlap or sit closer than `gap` bytes (RFC 9110 §14.6). */
export function coalesceRanges(ranges: ByteRange[], gap: number): ByteRange[] {
  if (ranges.length === 1) return ranges;
  const sorted = ranges.slice().sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [{ ...sorted[0]! }];
  for (let i = 1; i < sorted.length; i++) {
    const prev = merged[merged.length - 1]!;
    const next = sorted[i]!;
    if (next.start <= prev.end + 1 + gap) prev.end = Math.max(prev.end, next.end);
    else merged.push({ ...next });
  }
  return merged;
}

/** Content-Range for a 206 part: `bytes first-last/complete-length` (RFC 9110 §14.4). */
export function formatContentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** Content-Range for a 416: "bytes" SP "*" "/" complete-length (RFC 9110 §14.4, §15.5.17). */
export function formatUnsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/** A fresh multipart boundary: 24 random hex digits, vanishingly unlikely to occur in the file (RFC 2046 §5.1.1). */
export function makeBoundary(): string {
  return randomBytes(12).toString('hex');
}

/** Lay out a multipart/byteranges body (RFC 9110 §14.6): part headers as bytes, file spans as ranges. */
export function composeByteranges(ranges: ByteRange[], size: number, contentType: string, boundary: string = makeBoundary()): MultipartBody {
  const parts: BodyPart[] = [];
  let length = 0;
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    // The CRLF before each delimiter belongs to the delimiter (RFC 2046 §5.1.1), so the first part has none.
    const head = `${i === 0 ? '' : CRLF}--${boundary}${CRLF}Content-Type: ${contentType}${CRLF}` +
      `Content-Range: ${formatContentRange(range, size)}${CRLF}${CRLF}`;
    const bytes = Buffer.from(head, 'latin1');
    parts.push({ kind: 'bytes', bytes }, { kind: 'file', start: range.start, end: range.end });
    length += bytes.length + range.end - range.start + 1;
  }
  const tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1');
  parts.push({ kind: 'bytes', bytes: tail });
  length += tail.length;
  return { contentType: `multipart/byteranges; boundary=${boundary}`, parts, length };
}
