// Raw DEFLATE streams (RFC 1951, no zlib/gzip wrapper) with a chosen window, driven synchronously through node's zlib
// handle: the technique of middleware/zlib-engine.ts, whose specs have no raw kind yet. Same write/availIn/availOut
// shape, so this file can be re-pointed at the shared zlib engine once that engine has raw specs with windowBits.
import * as zlib from 'node:zlib';
import { WebSocketError } from './close.js';

/** What a raw stream does. */
export type RawSpec =
  | { readonly kind: 'deflate'; readonly windowBits: number; readonly level: number; readonly memLevel: number }
  | { readonly kind: 'inflate'; readonly windowBits: number };

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

/** Z_SYNC_FLUSH: everything so far comes out, byte-aligned, ending in 00 00 ff ff (RFC 7692 §7.2.1). */
export const SYNC_FLUSH = zlib.constants.Z_SYNC_FLUSH;

/** One raw deflate or inflate stream; reusable after reset(). */
export class RawZlib {
  /** Output space left after the last write (0 = the output filled: call again). */
  availOut = 0;
  /** Input bytes left unconsumed after the last write. */
  availIn = 0;
  private readonly stream: ZlibInternals;
  private readonly handle: NativeZlibHandle;
  private failure: string | null = null;

  constructor(readonly spec: RawSpec) {
    const options = { windowBits: spec.windowBits, chunkSize: zlib.constants.Z_MIN_CHUNK };
    const stream = (spec.kind === 'deflate'
      ? zlib.createDeflateRaw({ ...options, level: spec.level, memLevel: spec.memLevel })
      : zlib.createInflateRaw(options)) as unknown as ZlibInternals;
    if (stream._handle === null || typeof stream._handle.writeSync !== 'function') {
      throw new Error('this Node.js has no zlib handle.writeSync (sync streaming zlib)');
    }
    this.stream = stream;
    this.handle = stream._handle;
    // The handle reports corrupt input through this callback during writeSync: record it, don't destroy.
    this.handle.onerror = (message) => {
      this.failure ??= message;
    };
  }

  /** Runs zlib once over input[inOff, inOff+inLen) into out[outOff, outOff+outLen); then read availIn/availOut. */
  write(input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void {
    if (this.failure === null) this.handle.writeSync(SYNC_FLUSH, input, inOff, inLen, out, outOff, outLen);
    // RFC 7692 §8.2.3.1 leaves corrupt data to the endpoint: fail the connection as invalid data (1007).
    if (this.failure !== null) throw new WebSocketError('BAD_COMPRESSED_DATA', `invalid compressed data: ${this.failure}`);
    const state = this.stream._writeState;
    this.availOut = state[0]!;
    this.availIn = state[1]!;
  }

  /** Whether a write failed (the stream is then unusable). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Back to a fresh stream with the same parameters (deflateReset/inflateReset: no reallocation). */
  reset(): void {
    this.handle.reset();
  }

  /** Frees the native state. */
  close(): void {
    this.stream.close();
  }
}
