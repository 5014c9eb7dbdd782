// UTF-8 checks for text messages (RFC 6455 §8.1): an incremental validator that fails at the first chunk that cannot
// be UTF-8 (also across fragments), and a one-shot decoder. The bulk work is native (simdutf) in both.
import { isUtf8 } from 'node:buffer';

// TextDecoder with fatal: validates (simdutf) and decodes in one pass; measured faster than isUtf8 plus Buffer's
// decoder, and than a JS ASCII scan, at every size (bench/ws-hot-loops.ts).
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** buf[start, end) as a string, or null when it is not valid UTF-8. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string | null {
  try {
    return fatal.decode(buf.subarray(start, end));
  } catch {
    return null;
  }
}

/** The length of the sequence a lead byte starts (RFC 3629 §4), or 0 when it cannot start one (ASCII included). */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Whether seq[0, n) can begin a valid sequence (RFC 3629 §4: no overlong forms, no surrogates, nothing past
 * U+10FFFF), so that a sequence split between chunks fails as soon as its first wrong byte arrives.
 */
function isValidPrefix(seq: Uint8Array, n: number): boolean {
  const lead = seq[0]!;
  if (n >= 2) {
    const b = seq[1]!;
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (b < low || b > high) return false;
  }
  for (let k = 2; k < n; k++) if ((seq[k]! & 0xc0) !== 0x80) return false;
  return true;
}

/** Validates a text that arrives in pieces: each push answers as soon as the bytes so far cannot be UTF-8. */
export class Utf8Validator {
  /** The start of a sequence the last piece cut off (at most 3 bytes). */
  private readonly carry = new Uint8Array(4);
  private carried = 0;
  private needed = 0;

  /** Checks buf[start, end) as the next bytes of the text; false once the text can no longer be valid. */
  push(buf: Uint8Array, start: number, end: number): boolean {
    let i = start;
    if (this.carried > 0) {
      while (this.carried < this.needed && i < end) {
        this.carry[this.carried++] = buf[i++]!;
        if (!isValidPrefix(this.carry, this.carried)) return false;
      }
      if (this.carried < this.needed) return true;
      this.carried = 0;
    }
    if (i === end) return true;
    // A cut-off sequence starts at the last lead byte among the final three, if it needs more bytes than are here.
    let tail = end;
    let p = end - 1;
    const stop = Math.max(i, end - 3);
    while (p > stop && (buf[p]! & 0xc0) === 0x80) p--;
    const need = sequenceLength(buf[p]!);
    if (need > end - p) tail = p;
    if (tail > i && !isUtf8(buf.subarray(i, tail))) return false;
    if (tail === end) return true;
    this.needed = need;
    while (tail < end) this.carry[this.carried++] = buf[tail++]!;
    return isValidPrefix(this.carry, this.carried);
  }

  /** Whether the text ended on a character boundary; the validator is then ready for the next text. */
  finish(): boolean {
    const complete = this.carried === 0;
    this.carried = 0;
    return complete;
  }
}
