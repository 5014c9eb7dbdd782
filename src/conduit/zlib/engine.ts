// One zlib/brotli stream driven synchronously, chunk by chunk. Key decision: node:zlib's public sync API (gzipSync)
// is one-shot, so we call the stream's native handle.writeSync directly (what gzipSync itself uses): no threadpool
// hop per chunk, a Z_SYNC_FLUSH costs ~6 µs, and reset() lets one deflate state serve many bodies or messages.
import * as zlib from 'node:zlib';

/**
 * What an engine does: compress to gzip, deflate (raw or zlib-wrapped) or br; decode gzip/zlib (auto-detected, as
 * HTTP's gzip/deflate codings need), raw deflate, or br.
 */
export type EngineSpec =
  | { readonly kind: 'gzip'; readonly level: number }
  | DeflateSpec
  | { readonly kind: 'br'; readonly quality: number; readonly sizeHint?: number }
  | { readonly kind: 'gunzip' }
  | { readonly kind: 'inflate' }
  | { readonly kind: 'inflate-raw'; readonly windowBits: number }
  | { readonly kind: 'unbrotli' };

/** A deflate compressor: raw (RFC 1951, as permessage-deflate needs) or zlib-wrapped (RFC 1950). */
export interface DeflateSpec {
  readonly kind: 'deflate';
  readonly raw: boolean;
  /** 0-9. */
  readonly level: number;
  /** 8-15: the window is 2^windowBits bytes (zlib uses 9 for 8). */
  readonly windowBits: number;
  /** 1-9: memory for the compression state (zlib's default 8). */
  readonly memLevel: number;
  /** zlib's Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE or Z_FIXED. */
  readonly strategy: number;
}

/** The flush modes of one engine, in its own library's numbering (zlib's Z_* or brotli's BROTLI_OPERATION_*). */
export interface FlushFlags {
  /** Consume input, emit output only when zlib's buffers fill (Z_NO_FLUSH). */
  readonly process: number;
  /** Emit everything so far, byte-aligned, and keep the stream open (Z_SYNC_FLUSH). */
  readonly flush: number;
  /** End the stream: emit everything plus the trailer (Z_FINISH). */
  readonly finish: number;
}

const ZLIB_FLAGS: FlushFlags = Object.freeze({
  process: zlib.constants.Z_NO_FLUSH,
  flush: zlib.constants.Z_SYNC_FLUSH,
  finish: zlib.constants.Z_FINISH,
});
const BROTLI_FLAGS: FlushFlags = Object.freeze({
  process: zlib.constants.BROTLI_OPERATION_PROCESS,
  flush: zlib.constants.BROTLI_OPERATION_FLUSH,
  finish: zlib.constants.BROTLI_OPERATION_FINISH,
});

// The native handle's shape (node's lib/zlib.js: processChunkSync). Internal to Node, stable since Node 10.
interface NativeZlibHandle {
  writeSync(flag: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number, code: string) => void;
}
interface ZlibInternals {
  _handle: NativeZlibHandle | null;
  /** [availOutAfter, availInAfter] after each write. */
  _writeState: Uint32Array;
  close(): void;
}

/** A zlib failure (corrupt input, out of memory), shaped like node's: `code` is zlib's ('Z_DATA_ERROR', ...). */
export class ZlibError extends Error {
  readonly code: string;
  readonly errno: number;
  constructor(message: string, code: string, errno: number) {
    super(message);
    this.name = 'ZlibError';
    this.code = code;
    this.errno = errno;
  }
}

/** The smallest chunkSize node accepts: the stream's own output buffer goes unused, so keep it tiny. */
const UNUSED_OUT_BUFFER = zlib.constants.Z_MIN_CHUNK;

/** One compression or decompression stream, driven with write(); reusable after reset(). */
export class ZlibEngine {
  /** The flush modes to pass to write(). */
  readonly flags: FlushFlags;
  /** Output space left after the last write (0 = the output buffer filled: call again with the same flag). */
  availOut = 0;
  /** Input bytes left unconsumed after the last write. */
  availIn = 0;
  private readonly stream: ZlibInternals;
  private readonly handle: NativeZlibHandle;
  private failure: ZlibError | null = null;

  constructor(readonly spec: EngineSpec) {
    const stream = createStream(spec) as unknown as ZlibInternals;
    const handle = stream._handle;
    if (handle === null || typeof handle.writeSync !== 'function') {
      throw new ZlibError('this Node.js has no zlib handle.writeSync (sync streaming zlib)', 'ZLIB_UNSUPPORTED', 0);
    }
    this.stream = stream;
    this.handle = handle;
    this.flags = spec.kind === 'br' || spec.kind === 'unbrotli' ? BROTLI_FLAGS : ZLIB_FLAGS;
    // The handle reports errors through this callback during writeSync; record them instead of destroying the stream.
    handle.onerror = (message, errno, code) => {
      this.failure ??= new ZlibError(message, code, errno);
    };
  }

  /** Runs zlib once over input[inOff, inOff+inLen) into out[outOff, outOff+outLen); then read availIn/availOut. */
  write(flag: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void {
    if (this.failure !== null) throw this.failure;
    this.handle.writeSync(flag, input, inOff, inLen, out, outOff, outLen);
    if (this.failure !== null) throw this.failure;
    const state = this.stream._writeState;
    this.availOut = state[0]!;
    this.availIn = state[1]!;
  }

  /**
   * Runs zlib over all of `input` with `flag` until it stops filling output, in pieces of `pieceBytes`, and returns
   * the output joined. Throws `tooLarge(maxBytes)` as soon as more than maxBytes came out. Afterwards availIn says
   * how much input was left unread (a decoder that reached the end of its stream).
   */
  writeAll(flag: number, input: Uint8Array, pieceBytes: number, maxBytes = Infinity, tooLarge?: (maxBytes: number) => Error): Buffer {
    const pieces: Buffer[] = [];
    let total = 0;
    let inOff = 0;
    let inLen = input.byteLength;
    for (;;) {
      const out = Buffer.allocUnsafe(pieceBytes);
      this.write(flag, input, inOff, inLen, out, 0, pieceBytes);
      inOff += inLen - this.availIn;
      inLen = this.availIn;
      const made = pieceBytes - this.availOut;
      total += made;
      if (total > maxBytes) throw tooLarge === undefined ? new RangeError(`zlib output exceeds ${maxBytes} bytes`) : tooLarge(maxBytes);
      pieces.push(made === pieceBytes ? out : out.subarray(0, made));
      if (this.availOut !== 0) break;
    }
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, total);
  }

  /** Whether a write failed (the engine is then unusable). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Back to a fresh stream with the same parameters (deflateReset: no reallocation). */
  reset(): void {
    this.handle.reset();
  }

  /** Frees the native state; the engine is unusable afterwards. */
  close(): void {
    this.stream.close();
  }
}

/** Whether an engine of this spec decodes (its output is the plain bytes). */
export function isDecoder(spec: EngineSpec): boolean {
  return spec.kind === 'gunzip' || spec.kind === 'inflate' || spec.kind === 'inflate-raw' || spec.kind === 'unbrotli';
}

function createStream(spec: EngineSpec): zlib.Gzip | zlib.Deflate | zlib.Unzip | zlib.InflateRaw | zlib.BrotliCompress | zlib.BrotliDecompress {
  switch (spec.kind) {
    case 'gzip': return zlib.createGzip({ level: spec.level, chunkSize: UNUSED_OUT_BUFFER });
    case 'deflate': {
      const { level, windowBits, memLevel, strategy } = spec;
      const options = { level, windowBits, memLevel, strategy, chunkSize: UNUSED_OUT_BUFFER };
      return spec.raw ? zlib.createDeflateRaw(options) : zlib.createDeflate(options);
    }
    // zlib's deflate never uses a 2^8 window (it raises 8 to 9), so a peer's "8" stream may reach back 512 bytes.
    case 'inflate-raw': return zlib.createInflateRaw({ windowBits: Math.max(9, spec.windowBits), chunkSize: UNUSED_OUT_BUFFER });
    case 'br': {
      // A size hint lets brotli pick a smaller window for a body of known size (half the CPU for 100 KiB).
      const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: spec.quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: spec.sizeHint ?? 0 };
      return zlib.createBrotliCompress({ chunkSize: UNUSED_OUT_BUFFER, params });
    }
    // Unzip auto-detects the gzip and zlib headers (RFC 9110 §8.4.1: "deflate" is the zlib format).
    case 'gunzip':
    case 'inflate': return zlib.createUnzip({ chunkSize: UNUSED_OUT_BUFFER });
    default: return zlib.createBrotliDecompress({ chunkSize: UNUSED_OUT_BUFFER });
  }
}
