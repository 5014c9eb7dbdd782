// Compression conduits for sluice/conduit: gzip, deflate (raw or zlib), brotli and their decoders, all synchronous
// on pooled engines and Flush-aware. Key decision: a decoder decodes ONE stream and stops at its end, leaving the
// bytes after it upstream (conduit-extra's decompress), so compressed-then-plain input can be split; the gzip and
// zlib containers are parsed here (framing.ts) so that end is found exactly, without reading ahead.
import * as zlib from 'node:zlib';
import type { Conduit } from '../pipeline.js';
import type { Flushable } from '../flush.js';
import { ConduitError } from '../errors.js';
import type { EngineSpec } from './engine.js';
import { sharedEnginePool, type EnginePool } from './pool.js';
import { DEFAULT_OUTPUT_CHUNK_BYTES, zlibConduit } from './stage.js';
import { gzipFraming, zlibFraming, type Framing } from './framing.js';

/** Options of every compression and decompression conduit. */
export interface ZlibConduitOptions {
  /** The largest piece emitted, in bytes. Default 16 KiB. */
  readonly chunkBytes?: number;
  /** Where engines come from (and go back to). Default: the process-wide pool. */
  readonly pool?: EnginePool;
}

/** gzip() options. */
export interface GzipOptions extends ZlibConduitOptions {
  /** 0 (store) to 9 (smallest). Default 6, zlib's default. */
  readonly level?: number;
}

/** deflate() options. */
export interface DeflateOptions extends GzipOptions {
  /** Raw deflate (RFC 1951: no header or checksum, as permessage-deflate uses) instead of the zlib format (RFC 1950). */
  readonly raw?: boolean;
  /** 8-15: a 2^windowBits-byte history window. Default 15. zlib uses 9 when asked for 8. */
  readonly windowBits?: number;
  /** 1-9: memory for the compressor's state. Default 8. */
  readonly memLevel?: number;
  /** zlib.constants.Z_DEFAULT_STRATEGY (default), Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE or Z_FIXED. */
  readonly strategy?: number;
}

/** brotliCompress() options. */
export interface BrotliCompressOptions extends ZlibConduitOptions {
  /** 0-11. Default 4: about gzip -6's CPU cost, and ~30% smaller on text. */
  readonly quality?: number;
  /** The input's size when known: brotli picks a smaller window for small inputs. */
  readonly sizeHint?: number;
}

/** Options of every decoder. */
export interface DecompressOptions extends ZlibConduitOptions {
  /** Fail with ConduitError 'TOO_LARGE' as soon as more than this many bytes come out (zip bombs). Default: none. */
  readonly maxBytes?: number;
}

/** inflate() options. */
export interface InflateOptions extends DecompressOptions {
  /** Raw deflate (RFC 1951) instead of the zlib format (RFC 1950). */
  readonly raw?: boolean;
  /** 8-15: the largest window the stream may use. Default 15. */
  readonly windowBits?: number;
}

/**
 * What a compression or decompression conduit is: bytes (and Flush markers) in and out. B is inferred from the
 * pipeline, else plain bytes: `gzip<Flushable<Uint8Array>>()` for a standalone codec fed Flush markers. The bytes
 * emitted are Buffers; Flush markers come out only when some went in.
 */
export type ByteCodec<B extends Flushable<Uint8Array>> = Conduit<B, B>;

/**
 * Compresses to one gzip member (RFC 1952). A Flush sync-flushes: everything before it is decodable before the Flush
 * is passed on, and before more input is read. An empty input gives a valid, empty member.
 */
export function gzip<B extends Flushable<Uint8Array> = Uint8Array>(options: GzipOptions = {}): ByteCodec<B> {
  return encoder({ kind: 'gzip', level: checkRange('level', options.level ?? 6, 0, 9) }, options);
}

/** Compresses to deflate: the zlib format (RFC 1950) by default, raw (RFC 1951) with `raw: true`. Flush as gzip(). */
export function deflate<B extends Flushable<Uint8Array> = Uint8Array>(options: DeflateOptions = {}): ByteCodec<B> {
  return encoder(deflateSpec(options), options);
}

/** Compresses to brotli (RFC 7932). Flush as gzip(). */
export function brotliCompress<B extends Flushable<Uint8Array> = Uint8Array>(
  options: BrotliCompressOptions = {},
): ByteCodec<B> {
  const quality = checkRange('quality', options.quality ?? 4, 0, 11);
  const spec: EngineSpec = options.sizeHint === undefined ? { kind: 'br', quality } : { kind: 'br', quality, sizeHint: options.sizeHint };
  return encoder(spec, options);
}

/**
 * Decodes one gzip member and stops after its trailer: the bytes after it stay upstream, for the next consumer
 * (another gunzip() for a multi-member file). Header, CRC-32 and length are checked (ZlibError 'Z_DATA_ERROR').
 * A Flush passes on after everything decodable so far. An empty input decodes to nothing; input cut short fails
 * with ConduitError 'PREMATURE_END'; `maxBytes` caps the output ('TOO_LARGE').
 */
export function gunzip<B extends Flushable<Uint8Array> = Uint8Array>(options: DecompressOptions = {}): ByteCodec<B> {
  return decoder({ kind: 'inflate-raw', windowBits: 15 }, gzipFraming, options);
}

/**
 * Decodes one deflate stream, zlib format by default (header and Adler-32 checked), raw with `raw: true`, and stops
 * at its end like gunzip(). A raw stream has no trailer: when it ends exactly where a chunk does, its end is seen
 * only when the next chunk (given back untouched) or the end of input arrives.
 */
export function inflate<B extends Flushable<Uint8Array> = Uint8Array>(options: InflateOptions = {}): ByteCodec<B> {
  const windowBits = checkRange('windowBits', options.windowBits ?? 15, 8, 15);
  return decoder({ kind: 'inflate-raw', windowBits }, options.raw === true ? null : () => zlibFraming(windowBits), options);
}

/** Decodes one brotli stream and stops at its end, like inflate({ raw: true }). */
export function brotliDecompress<B extends Flushable<Uint8Array> = Uint8Array>(
  options: DecompressOptions = {},
): ByteCodec<B> {
  return decoder({ kind: 'unbrotli' }, null, options);
}

/** The engine spec deflate() runs (also what Deflater uses). */
export function deflateSpec(options: Omit<DeflateOptions, 'chunkBytes' | 'pool'>): Extract<EngineSpec, { kind: 'deflate' }> {
  return {
    kind: 'deflate',
    raw: options.raw === true,
    level: checkRange('level', options.level ?? 6, 0, 9),
    windowBits: checkRange('windowBits', options.windowBits ?? 15, 8, 15),
    memLevel: checkRange('memLevel', options.memLevel ?? 8, 1, 9),
    strategy: checkRange('strategy', options.strategy ?? zlib.constants.Z_DEFAULT_STRATEGY, 0, 4),
  };
}

/** `value`, checked to be an integer in [min, max] (RangeError naming the option otherwise). */
export function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer ${min}-${max}, got ${value}`);
  return value;
}

function encoder<B extends Flushable<Uint8Array>>(spec: EngineSpec, options: ZlibConduitOptions): ByteCodec<B> {
  return zlibConduit({
    spec,
    pool: options.pool ?? sharedEnginePool,
    chunkBytes: checkChunk(options.chunkBytes),
    limit: null,
  }) as unknown as ByteCodec<B>;
}

function decoder<B extends Flushable<Uint8Array>>(
  spec: EngineSpec, framing: (() => Framing) | null, options: DecompressOptions,
): ByteCodec<B> {
  const maxBytes = options.maxBytes;
  if (maxBytes !== undefined && !(maxBytes >= 0)) throw new RangeError(`maxBytes must be >= 0, got ${maxBytes}`);
  return zlibConduit({
    spec,
    pool: options.pool ?? sharedEnginePool,
    chunkBytes: checkChunk(options.chunkBytes),
    limit: maxBytes === undefined ? null : { maxBytes, error: tooLarge },
    stopAtEnd: true,
    ...(framing === null ? {} : { framing }),
  }) as unknown as ByteCodec<B>;
}

/** The error a decoder's output limit raises. */
export function tooLarge(maxBytes: number): ConduitError {
  return new ConduitError('TOO_LARGE', `decompressed output exceeds ${maxBytes} bytes`);
}

function checkChunk(chunkBytes: number | undefined): number {
  return chunkBytes === undefined ? DEFAULT_OUTPUT_CHUNK_BYTES : checkRange('chunkBytes', chunkBytes, 64, 1 << 30);
}
