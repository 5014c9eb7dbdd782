// sluice/conduit: typed pull streams with prompt, deterministic finalization and a sync fast path.

// ** Descriptions and running
export { Source, Conduit, Sink, Pipeline, run } from './pipeline.js';
export type { RunOptions } from './run.js';
export { connect, ResumableSource } from './resumable.js';

// ** Primitives for custom stages (generators)
export { source, conduit, sink, Io } from './generator.js';
export type { Op, Instruction, StageBody, Cleanup } from './generator.js';
export { END } from './signal.js';
export type { End } from './signal.js';

// ** Finalization
export { bracketSource, withCleanup } from './sources.js';
export { suppressedOf } from './finalize.js';

// ** Sources
export { fromArray, of, empty, fromIterable, fromAsyncIterable, unfold, range } from './sources.js';

// ** Element-wise conduits
export { map, mapAsync, filter, concatMap, take, takeWhile, drop, dropWhile, scan, tap } from './list.js';

// ** Sinks
export { fold, sinkList, sinkNull, forEach, forEachAsync, head, last, length } from './sinks.js';

// ** Byte streams and Flush
export { FLUSH, isFlush } from './flush.js';
export type { Flush, Flushable } from './flush.js';

// ** Building new stages (library authors)
export { Stage, Input, Borrowed, inputOf, acquire, releaseResource, closeStage } from './stage.js';
export { DONE, SUSPEND, suspend, park, settled, UNSETTLED } from './signal.js';
export type { Done, Suspend, Step } from './signal.js';
