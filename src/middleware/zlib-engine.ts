// One zlib/brotli stream driven synchronously, chunk by chunk, and a pool of them. Key decision: node:zlib's public
// sync API (gzipSync) is one-shot, so we call the stream's native handle.writeSync directly (what gzipSync itself
// uses): no threadpool hop per chunk, a Z_SYNC_FLUSH costs ~6 µs, and reset() lets one deflate state serve many bodies.
import * as zlib from 'node:zlib';

/** What an engine does: compress to gzip or br, or decode gzip/deflate (auto-detected) or br. */
export type EngineSpec =
  | { readonly kind: 'gzip'; readonly level: number }
  | { readonly kind: 'br'; readonly quality: number; readonly sizeHint?: number }
  | { readonly kind: 'gunzip' }
  | { readonly kind: 'inflate' }
  | { readonly kind: 'unbrotli' };

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

function createStream(spec: EngineSpec): zlib.Gzip | zlib.Unzip | zlib.BrotliCompress | zlib.BrotliDecompress {
  switch (spec.kind) {
    case 'gzip': return zlib.createGzip({ level: spec.level, chunkSize: UNUSED_OUT_BUFFER });
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

/** Where stages get engines from and give them back (a seam: tests wrap it to log acquisitions and releases). */
export interface EnginePool {
  /** An engine in its initial state. */
  acquire(spec: EngineSpec): ZlibEngine;
  /** Gives an engine back; `reusable` is false after a failure (the pool then closes it). */
  release(engine: ZlibEngine, reusable: boolean): void;
}

/** Engines kept per spec by default: a freed deflate state is ~270 KiB, so a handful covers a busy process. */
export const DEFAULT_POOLED_PER_SPEC = 8;

/**
 * A pool that keeps up to `maxPerSpec` reset gzip engines per level; the rest are closed. Only gzip engines are
 * reused: node's brotli reset() forgets the quality (it comes back at 11, ~100x slower), and a reset Unzip keeps
 * the format it auto-detected last time.
 */
export function createEnginePool(maxPerSpec = DEFAULT_POOLED_PER_SPEC): EnginePool & { readonly idle: number } {
  const idle = new Map<string, ZlibEngine[]>();
  let idleCount = 0;
  return {
    acquire(spec) {
      const list = idle.get(keyOf(spec));
      const engine = list?.pop();
      if (engine === undefined) return new ZlibEngine(spec);
      idleCount--;
      return engine;
    },
    release(engine, reusable) {
      const key = keyOf(engine.spec);
      let list = idle.get(key);
      if (!reusable || engine.failed || engine.spec.kind !== 'gzip' || (list !== undefined && list.length >= maxPerSpec)) {
        engine.close();
        return;
      }
      engine.reset();
      if (list === undefined) idle.set(key, (list = []));
      list.push(engine);
      idleCount++;
    },
    get idle() {
      return idleCount;
    },
  };
}

function keyOf(spec: EngineSpec): string {
  return spec.kind === 'gzip' ? `gzip:${spec.level}` : spec.kind;
}

/** The process-wide pool the middleware uses unless told otherwise. */
export const sharedEnginePool: EnginePool = createEnginePool();
