// The containers around a raw deflate stream, parsed here instead of by zlib: the gzip member (RFC 1952 §2.3) and the
// zlib stream (RFC 1950 §2.2). Key decision: zlib would read past a gzip member's end (node treats the next bytes as
// another member), and its end is only visible once input is left over; parsing the header and trailer ourselves
// lets a decoder stop exactly after the trailer and give every later byte back.
import * as zlib from 'node:zlib';
import { ZlibError } from './engine.js';
import { joinBytes } from '../bytes.js';

/** A container's header and trailer, and the check value over the decoded bytes. */
export interface Framing {
  /** The header's length at the start of `bytes`, or -1 when more bytes are needed; throws ZlibError when bad. */
  parseHeader(bytes: Uint8Array): number;
  /** The trailer's length in bytes. */
  readonly trailerBytes: number;
  /** Folds decoded bytes into the check value. */
  update(decoded: Uint8Array): void;
  /** Checks the trailer (exactly trailerBytes long) against the decoded bytes; throws ZlibError on a mismatch. */
  checkTrailer(trailer: Uint8Array): void;
}

/**
 * Reads a container's header, then (once the body has ended) its trailer, from chunks that may split them anywhere;
 * the pieces are joined only while one is incomplete.
 */
export class ContainerReader {
  /** Where the reader is: before the body, in it, or after it. */
  phase: 'header' | 'body' | 'trailer' = 'header';
  private partial: Uint8Array | null = null;

  constructor(private readonly framing: Framing) {}

  /** Header bytes: null while more are needed, else the body bytes that came after the header (maybe none). */
  readHeader(x: Uint8Array): Uint8Array | null {
    const all = this.join(x);
    const n = this.framing.parseHeader(all);
    if (n < 0) {
      this.partial = all;
      return null;
    }
    this.partial = null;
    this.phase = 'body';
    return all.subarray(n);
  }

  /** Trailer bytes: null while more are needed, else (trailer checked) the bytes that came after it. */
  readTrailer(x: Uint8Array): Uint8Array | null {
    this.phase = 'trailer';
    const all = this.join(x);
    const size = this.framing.trailerBytes;
    if (all.byteLength < size) {
      this.partial = all;
      return null;
    }
    this.partial = null;
    this.framing.checkTrailer(all.subarray(0, size));
    return all.subarray(size);
  }

  /** Folds decoded bytes into the container's check value. */
  update(decoded: Uint8Array): void {
    this.framing.update(decoded);
  }

  private join(x: Uint8Array): Uint8Array {
    const p = this.partial;
    return p === null ? x : joinBytes([p, x], p.byteLength + x.byteLength);
  }
}

/** The longest gzip header accepted (FEXTRA is at most 64 KiB; a file name or comment longer than that is not plausible). */
export const MAX_GZIP_HEADER_BYTES = 256 * 1024;

const RESERVED_FLAGS = 0xe0; // FLG bits 5-7 must be zero (RFC 1952 §2.3.1)
const FHCRC = 0x02, FEXTRA = 0x04, FNAME = 0x08, FCOMMENT = 0x10;

function dataError(message: string): ZlibError {
  return new ZlibError(message, 'Z_DATA_ERROR', zlib.constants.Z_DATA_ERROR);
}

/** A gzip member: 10-byte header with optional extra field, name, comment and header CRC; CRC-32 and ISIZE trailer. */
export function gzipFraming(): Framing {
  let crc = 0;
  let size = 0;
  return {
    trailerBytes: 8,
    parseHeader(b) {
      if (b.length >= 1 && b[0] !== 0x1f) throw dataError('incorrect header check');
      if (b.length >= 2 && b[1] !== 0x8b) throw dataError('incorrect header check');
      if (b.length >= 3 && b[2] !== 8) throw dataError('unknown compression method');
      if (b.length >= 4 && (b[3]! & RESERVED_FLAGS) !== 0) throw dataError('unknown header flags set');
      const n = gzipHeaderLength(b);
      if (n < 0) {
        if (b.length > MAX_GZIP_HEADER_BYTES) throw dataError(`gzip header longer than ${MAX_GZIP_HEADER_BYTES} bytes`);
        return -1;
      }
      if ((b[3]! & FHCRC) !== 0 && (crc32(b.subarray(0, n - 2), 0) & 0xffff) !== (b[n - 2]! | (b[n - 1]! << 8))) {
        throw dataError('header crc mismatch');
      }
      return n;
    },
    update(decoded) {
      crc = crc32(decoded, crc);
      size = (size + decoded.length) >>> 0;
    },
    checkTrailer(t) {
      if (readUint32LE(t, 0) !== crc) throw dataError('incorrect data check');
      if (readUint32LE(t, 4) !== size) throw dataError('incorrect length check');
    },
  };
}

/** The whole header's length, or -1 when `b` does not hold all of it yet. */
function gzipHeaderLength(b: Uint8Array): number {
  if (b.length < 10) return -1;
  const flags = b[3]!;
  let i = 10;
  if ((flags & FEXTRA) !== 0) {
    if (b.length < i + 2) return -1;
    i += 2 + (b[i]! | (b[i + 1]! << 8));
  }
  for (const field of [FNAME, FCOMMENT]) {
    if ((flags & field) === 0) continue;
    const end = b.indexOf(0, i);
    if (end < 0) return -1;
    i = end + 1;
  }
  if ((flags & FHCRC) !== 0) i += 2;
  return b.length >= i ? i : -1;
}

/** A zlib stream: 2-byte header (no preset dictionary), Adler-32 trailer (big-endian). */
export function zlibFraming(windowBits: number): Framing {
  let adler = 1;
  return {
    trailerBytes: 4,
    parseHeader(b) {
      if (b.length >= 1 && (b[0]! & 0x0f) !== 8) throw dataError('unknown compression method');
      if (b.length >= 1 && (b[0]! >>> 4) + 8 > Math.max(9, windowBits)) throw dataError('invalid window size');
      if (b.length < 2) return -1;
      if (((b[0]! << 8) | b[1]!) % 31 !== 0) throw dataError('incorrect header check');
      if ((b[1]! & 0x20) !== 0) throw new ZlibError('Missing dictionary', 'Z_NEED_DICT', zlib.constants.Z_NEED_DICT);
      return 2;
    },
    update(decoded) {
      adler = adler32(decoded, adler);
    },
    checkTrailer(t) {
      if (((t[0]! << 24) | (t[1]! << 16) | (t[2]! << 8) | t[3]!) >>> 0 !== adler) throw dataError('incorrect data check');
    },
  };
}

function readUint32LE(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Adler-32 (RFC 1950 §8.2), folded in blocks of 5552 bytes (the most before the sums need a modulo in 32 bits). */
export function adler32(bytes: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = start >>> 16;
  for (let i = 0; i < bytes.length;) {
    const end = Math.min(i + 5552, bytes.length);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

let table: Uint32Array | null = null;

/** CRC-32 in JavaScript (RFC 1952 §8), for a Node.js without zlib.crc32 (before 20.15). */
export function crc32Portable(bytes: Uint8Array, start = 0): number {
  const t = (table ??= makeCrcTable());
  let c = ~start;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function makeCrcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

type Crc32 = (bytes: Uint8Array, start: number) => number;
const nativeCrc32 = (zlib as { crc32?: Crc32 }).crc32;

/** CRC-32 of `bytes` continuing from `start`: node's native zlib.crc32 when there is one. */
export const crc32: Crc32 = nativeCrc32 === undefined ? crc32Portable : nativeCrc32;
