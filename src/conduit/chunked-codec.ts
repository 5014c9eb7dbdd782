// Chunked transfer coding (RFC 9112 §7.1): a pure, incremental decoder state machine plus encoder helpers.
// Strict framing (CRLF only, hex sizes only, bounded extensions and trailers) and it never reads past the body.

/** What one decode call produced; `consumed` counts bytes from the call's `start`. */
export type ChunkStep =
  | { kind: 'data'; start: number; end: number; consumed: number }
  | { kind: 'need-more'; consumed: number }
  | { kind: 'done'; consumed: number; trailers: Array<[name: string, value: string]> }
  | { kind: 'error'; code: ChunkErrorCode; message: string };

/** Why a chunked body was refused (the engine maps these onto 400 / 431 responses). */
export type ChunkErrorCode = 'BAD_CHUNK' | 'CHUNK_TOO_LARGE' | 'TRAILER_TOO_LARGE';

/** Bounds for one chunked body. */
export interface ChunkedLimits {
  /** Hex digits in a chunk size, leading zeros included (default 16). */
  maxChunkSizeDigits?: number;
  /** Chunk-extension bytes summed over the whole body (default 16 KiB; Node's fix for CVE-2024-22019). */
  maxExtensionBytes?: number;
  /** Trailer section bytes, line ends included (default 8 KiB). */
  maxTrailerBytes?: number;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const SEMICOLON = 0x3b;

// Decoder states, in wire order.
const SIZE_START = 0; // expecting the first hex digit
const SIZE = 1; // inside hex digits
const SIZE_WS = 2; // BWS after the digits, before ';'
const EXTENSION = 3; // inside chunk-ext, skipped up to CR
const SIZE_LF = 4; // CR seen after the size line
const DATA = 5; // `remaining` data bytes to hand out
const DATA_CR = 6; // CRLF after data
const DATA_LF = 7;
const TRAILER_START = 8; // start of a trailer field line or of the final empty line
const TRAILER_LINE = 9; // inside a trailer field line
const TRAILER_LF = 10; // CR seen ending a trailer field line
const END_LF = 11; // CR seen on the final empty line
const DONE = 12;
const FAILED = 13;

/** Hex digit value per byte, -1 for non-hex. */
const HEX: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let d = 0; d < 10; d++) t[0x30 + d] = d;
  for (let d = 0; d < 6; d++) t[0x41 + d] = t[0x61 + d] = 10 + d;
  return t;
})();

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** Incremental decoder for one chunked body; feed it any splits, it gives the same data, trailers and end. */
export class ChunkedDecoder {
  private state = SIZE_START;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private extensionBytes = 0;
  private trailerBytes = 0;
  private line = '';
  private trailers: Array<[string, string]> = [];
  private failure: ChunkStep | null = null;
  private readonly maxDigits: number;
  private readonly maxExtensionBytes: number;
  private readonly maxTrailerBytes: number;

  constructor(limits: ChunkedLimits = {}) {
    this.maxDigits = limits.maxChunkSizeDigits ?? 16;
    this.maxExtensionBytes = limits.maxExtensionBytes ?? 16 * 1024;
    this.maxTrailerBytes = limits.maxTrailerBytes ?? 8 * 1024;
  }

  /** Makes the decoder ready for a new body (the engine reuses one per connection). */
  reset(): void {
    this.state = SIZE_START;
    this.size = this.digits = this.remaining = this.extensionBytes = this.trailerBytes = 0;
    this.line = '';
    this.trailers = [];
    this.failure = null;
  }

  /** Feeds buf[start,end); returns how far it consumed and where the data slice is; call repeatedly. */
  decode(buf: Uint8Array, start: number, end: number): ChunkStep {
    let i = start;
    while (i < end) {
      const c = buf[i]!;
      const inTrailer = this.state >= TRAILER_START;
      switch (this.state) {
        case DATA: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          if (this.remaining === 0) this.state = DATA_CR;
          return { kind: 'data', start: i, end: i + n, consumed: i + n - start };
        }
        case SIZE_START:
        case SIZE:
          if (HEX[c]! >= 0) {
            this.size = this.size * 16 + HEX[c]!;
            if (++this.digits > this.maxDigits || this.size > Number.MAX_SAFE_INTEGER) {
              return this.fail('CHUNK_TOO_LARGE', 'chunk size overflows');
            }
            this.state = SIZE;
          } else if (this.state === SIZE_START) {
            return this.fail('BAD_CHUNK', 'chunk size must start with a hex digit'); // no sign, no space, no empty size
          } else if (c === CR) this.state = SIZE_LF;
          else if (c === SEMICOLON) this.state = EXTENSION;
          else if (c === SP || c === HTAB) this.state = SIZE_WS;
          else return this.fail('BAD_CHUNK', 'bad byte in chunk size');
          break;
        case SIZE_WS: // RFC 9112 §7.1.1: BWS is only allowed before ';'
          if (c === SEMICOLON) this.state = EXTENSION;
          else if (c !== SP && c !== HTAB) return this.fail('BAD_CHUNK', 'whitespace after a chunk size');
          break;
        case EXTENSION:
          // Extensions are skipped, not interpreted (RFC 9112 §7.1.1), but bounded and free of CTLs.
          if (c === CR) this.state = SIZE_LF;
          else if ((c < SP && c !== HTAB) || c === 0x7f) return this.fail('BAD_CHUNK', 'control byte in chunk extension');
          else if (++this.extensionBytes > this.maxExtensionBytes) return this.fail('BAD_CHUNK', 'chunk extensions too long');
          break;
        case SIZE_LF:
          if (c !== LF) return this.fail('BAD_CHUNK', 'chunk size line must end in CRLF');
          this.remaining = this.size;
          this.size = this.digits = 0;
          this.state = this.remaining === 0 ? TRAILER_START : DATA;
          break;
        case DATA_CR: // RFC 9112 §7.1: CRLF after chunk data; a bare LF here is a framing error.
          if (c !== CR) return this.fail('BAD_CHUNK', 'chunk data must be followed by CRLF');
          this.state = DATA_LF;
          break;
        case DATA_LF:
          if (c !== LF) return this.fail('BAD_CHUNK', 'chunk data must be followed by CRLF');
          this.state = SIZE_START;
          break;
        case TRAILER_START:
          if (c === CR) {
            this.state = END_LF;
            break;
          }
          if (c === SP || c === HTAB) return this.fail('BAD_CHUNK', 'obs-fold in trailer section');
          this.state = TRAILER_LINE;
          continue; // re-read this byte as part of the line
        case TRAILER_LINE: {
          let j = i;
          while (j < end && buf[j] !== CR && buf[j] !== LF) j++;
          if (!this.countTrailer(j - i)) return this.fail('TRAILER_TOO_LARGE', 'trailer section too large');
          this.line += latin1Slice.call(buf, i, j);
          if (j === end) return { kind: 'need-more', consumed: end - start };
          if (buf[j] === LF) return this.fail('BAD_CHUNK', 'trailer line must end in CRLF');
          this.state = TRAILER_LF;
          i = j;
          break;
        }
        case TRAILER_LF: {
          if (c !== LF) return this.fail('BAD_CHUNK', 'trailer line must end in CRLF');
          const field = parseTrailerLine(this.line);
          if (field === null) return this.fail('BAD_CHUNK', 'malformed trailer field');
          this.trailers.push(field);
          this.line = '';
          this.state = TRAILER_START;
          break;
        }
        case END_LF:
          if (c !== LF) return this.fail('BAD_CHUNK', 'chunked body must end in CRLF');
          if (!this.countTrailer(1)) return this.fail('TRAILER_TOO_LARGE', 'trailer section too large');
          this.state = DONE;
          return { kind: 'done', consumed: i + 1 - start, trailers: this.trailers };
        case DONE:
          return { kind: 'done', consumed: 0, trailers: this.trailers };
        default:
          return this.failure!;
      }
      if (inTrailer && !this.countTrailer(1)) {
        return this.fail('TRAILER_TOO_LARGE', 'trailer section too large');
      }
      i++;
    }
    if (this.state === DONE) return { kind: 'done', consumed: 0, trailers: this.trailers };
    if (this.state === FAILED) return this.failure!;
    return { kind: 'need-more', consumed: end - start };
  }

  /** Counts framing bytes of the trailer section (CR/LF included, RFC 9112 §7.1.2 bounds it like a header section). */
  private countTrailer(n: number): boolean {
    this.trailerBytes += n;
    return this.trailerBytes <= this.maxTrailerBytes;
  }

  private fail(code: ChunkErrorCode, message: string): ChunkStep {
    this.state = FAILED;
    return (this.failure = { kind: 'error', code, message });
  }
}

/** `name: OWS value OWS` like a header field (RFC 9112 §5); name lower-cased; null when malformed. */
function parseTrailerLine(line: string): [string, string] | null {
  const colon = line.indexOf(':');
  if (colon <= 0) return null;
  for (let k = 0; k < colon; k++) if (!isTokenChar(line.charCodeAt(k))) return null;
  let from = colon + 1;
  let to = line.length;
  while (from < to && isOws(line.charCodeAt(from))) from++;
  while (to > from && isOws(line.charCodeAt(to - 1))) to--;
  for (let k = from; k < to; k++) {
    const c = line.charCodeAt(k);
    if ((c < SP && c !== HTAB) || c === 0x7f) return null; // RFC 9110 §5.5: no CTLs (NUL, lone CR) in a value
  }
  return [line.slice(0, colon).toLowerCase(), line.slice(from, to)];
}

function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}

/** RFC 9110 §5.6.2 tchar. */
function isTokenChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0
  );
}

/** CRLF that follows every chunk's data. */
export const CHUNK_TRAILER_CRLF: Uint8Array = Uint8Array.of(CR, LF);

/** The last chunk with an empty trailer section: `0\r\n\r\n`. */
export const LAST_CHUNK: Uint8Array = Uint8Array.of(0x30, CR, LF, CR, LF);

/** Thrown when asked to frame a size that is not a positive safe integer (0 would end the body early). */
export class ChunkSizeError extends RangeError {
  /** Machine-readable reason. */
  readonly code = 'BAD_CHUNK_SIZE';
}

/** Writes `<hex size>\r\n` at out[offset]; returns the bytes written, or -needed when it does not fit. */
export function writeChunkHeader(out: Uint8Array, offset: number, size: number): number {
  if (!Number.isSafeInteger(size) || size <= 0) throw new ChunkSizeError(`chunk size must be a positive integer, got ${size}`);
  let digits = 1;
  for (let n = size; n >= 16; n = Math.floor(n / 16)) digits++;
  if (offset + digits + 2 > out.length) return -(digits + 2);
  let n = size;
  for (let p = offset + digits - 1; p >= offset; p--) {
    const d = n % 16;
    out[p] = d < 10 ? 0x30 + d : 0x57 + d; // lower-case hex
    n = Math.floor(n / 16);
  }
  out[offset + digits] = CR;
  out[offset + digits + 1] = LF;
  return digits + 2;
}

/** `<hex size>\r\n` as a fresh buffer. */
export function encodeChunkHeader(size: number): Uint8Array {
  const out = new Uint8Array(16);
  return out.subarray(0, writeChunkHeader(out, 0, size));
}
