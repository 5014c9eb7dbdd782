// sluice/conduit: typed pull streams with prompt, deterministic finalization and a sync fast path.

// ** Descriptions and running
export { Source, Conduit, Sink, Pipeline, run } from './pipeline.js';
export type { RunOptions } from './run.js';
export { connect, ResumableSource } from './resumable.js';
export { fuseBoth, fuseBothMaybe, fuseUpstream, fuseReturnLeftovers } from './fuse.js';

// ** Primitives for custom stages (generators)
export { source, conduit, sink, Io } from './generator.js';
export type { Op, Instruction, StageBody, Cleanup } from './generator.js';
export { END } from './signal.js';
export type { End } from './signal.js';

// ** Finalization and errors
export { bracketSource, withCleanup } from './sources.js';
export { suppressedOf } from './finalize.js';
export { catchError } from './catch.js';
export { ConduitError, isConduitError } from './errors.js';
export type { ConduitErrorCode } from './errors.js';

// ** Sources
export { fromArray, of, empty, fromIterable, fromAsyncIterable, unfold, range } from './sources.js';
export { concat } from './concat.js';
export { zipSources, sequenceSources } from './zip.js';

// ** Interop: Node Readable, web ReadableStream, AsyncIterable
export { fromReadable, toReadable } from './node-readable.js';
export type { ToReadableOptions } from './node-readable.js';
export { fromReadableStream, toReadableStream } from './web-stream.js';
export { toAsyncIterable } from './async-iterable.js';
export { Puller } from './puller.js';

// ** Element-wise conduits
export { map, mapAsync, filter, concatMap, take, takeWhile, drop, dropWhile, scan, tap } from './list.js';
export { takeExactly } from './take-exactly.js';
export { awaitForever } from './await-forever.js';
export { zipConduits } from './zip.js';
export type { Emit, ElementHandler } from './await-forever.js';

// ** Sinks
export { fold, sinkList, sinkNull, forEach, forEachAsync, head, peek, last, length, skip, skipWhile } from './sinks.js';
export { zipSinks } from './zip.js';

// ** Byte streams and Flush
export { takeBytes, isolate, dropBytes, takeWhileBytes, dropWhileBytes, concatBytes, joinBytes } from './bytes.js';
export type { ConcatBytesOptions } from './bytes.js';
export { lines, boundedLines } from './lines.js';
export { bufferBytes } from './buffer-bytes.js';
export { FLUSH, isFlush } from './flush.js';
export type { Flush, Flushable } from './flush.js';

// ** Compression: gzip, deflate (zlib or raw), brotli and their decoders, sync and Flush-aware
export { gzip, gunzip, deflate, inflate, brotliCompress, brotliDecompress } from './zlib/codecs.js';
export type {
  ByteCodec, ZlibConduitOptions, GzipOptions, DeflateOptions, BrotliCompressOptions, DecompressOptions, InflateOptions,
} from './zlib/codecs.js';
export { ZlibEngine, ZlibError } from './zlib/engine.js';
export type { EngineSpec, DeflateSpec, FlushFlags } from './zlib/engine.js';
export { createEnginePool } from './zlib/pool.js';
export type { EnginePool } from './zlib/pool.js';

// ** Raw deflate a message at a time, outside pipelines (WebSocket permessage-deflate, RFC 7692)
export { Deflater, Inflater, SYNC_FLUSH_TAIL } from './zlib/message.js';
// The engine behind them, for layers that encode whole bodies or pick a coding per request (gzip middleware).
export { compressBytes, compressConduit, gzipConduit, specOf } from './zlib/compress.js';
export type { Coding, CompressOptions, CompressSpec } from './zlib/compress.js';
export { sharedEnginePool } from './zlib/pool.js';
export { zlibConduit, DEFAULT_OUTPUT_CHUNK_BYTES } from './zlib/stage.js';
export type { ZlibStageOptions } from './zlib/stage.js';
export type { DeflaterOptions, InflaterOptions } from './zlib/message.js';

// ** Chunked transfer coding (RFC 9112 §7.1)
export { dechunk, chunk } from './chunked.js';
export type { DechunkOptions, Trailers } from './chunked.js';

// ** Building new stages (library authors)
export { Stage, Input, Borrowed, inputOf, acquire, releaseResource, closeStage } from './stage.js';
export { StoppingStage } from './stopping.js';
export { DONE, SUSPEND, suspend, park, settled, UNSETTLED } from './signal.js';
export type { Done, Suspend, Step } from './signal.js';
