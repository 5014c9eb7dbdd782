// The conduit stage that pushes bytes through a ZlibEngine. Key decisions: each output buffer goes downstream the
// moment it is full (one input chunk can yield many; zlib keeps its place between pulls), so memory stays at one
// output buffer however large a chunk or a zip bomb is; a Flush sync-flushes and emits everything before more input
// is read; the engine is taken at the first pull and given back exactly once (end, close, or error).
import { Conduit, FLUSH, type Flushable } from '../conduit/index.js';
import { acquire, closeStage, Stage } from '../conduit/stage.js';
import { DONE, SUSPEND, type Done, type Suspend } from '../conduit/signal.js';
import { ZlibError, type EnginePool, type EngineSpec, type ZlibEngine } from './zlib-engine.js';

/** Output buffer size: node's default zlib chunk (16 KiB), so each emitted piece is at most this big. */
export const DEFAULT_OUTPUT_CHUNK_BYTES = 16 * 1024;

/** How a zlib stage behaves. */
export interface ZlibStageOptions {
  readonly spec: EngineSpec;
  readonly pool: EnginePool;
  /** Output buffer size in bytes (each emitted chunk is at most this). */
  readonly chunkBytes: number;
  /** A cap on the total output (decompression against zip bombs), or null for none. */
  readonly limit: OutputLimit | null;
  /** Turns a zlib failure (corrupt input) into the error thrown; default: thrown as it is. */
  readonly mapError?: (error: ZlibError) => Error;
}

/** Throw `error(maxBytes)` as soon as more than maxBytes have come out. */
export interface OutputLimit {
  readonly maxBytes: number;
  readonly error: (maxBytes: number) => Error;
}

const READ = 0;
const WORK = 1;
const SEND_FLUSH = 2;
const ENDED = 3;

const EMPTY = new Uint8Array(0);

class ZlibStage extends Stage<Flushable<Uint8Array>> {
  private engine: ZlibEngine | null = null;
  private state = READ;
  /** The zlib flush mode of the current WORK step. */
  private flag = 0;
  private input: Uint8Array = EMPTY;
  private inOff = 0;
  private inLen = 0;
  private out: Uint8Array;
  /** out[sent, written) holds output not yet emitted. */
  private sent = 0;
  private written = 0;
  /** Input went in since the last sync flush (a flush with nothing new emits nothing and costs no zlib call). */
  private dirty = false;
  private total = 0;

  constructor(up: Stage<Flushable<Uint8Array>, unknown>, private readonly options: ZlibStageOptions) {
    super(up);
    this.out = EMPTY;
  }

  pull(): Flushable<Uint8Array> | Done | Suspend {
    for (;;) {
      switch (this.state) {
        case READ: {
          const x = (this.up as Stage<Flushable<Uint8Array>, unknown>).pull();
          if (x === SUSPEND) return SUSPEND;
          if (this.engine === null) this.start();
          const flags = this.engine!.flags;
          if (x === DONE) this.begin(flags.finish, EMPTY);
          else if (x === FLUSH) {
            if (this.dirty) this.begin(flags.flush, EMPTY);
            else this.state = SEND_FLUSH;
          } else if ((x as Uint8Array).byteLength !== 0) {
            this.dirty = true;
            this.begin(flags.process, x as Uint8Array);
          }
          continue;
        }
        case WORK: {
          const chunk = this.step();
          if (chunk !== null) return chunk;
          continue;
        }
        case SEND_FLUSH:
          this.state = READ;
          return FLUSH;
        default:
          return DONE;
      }
    }
  }

  private start(): void {
    const { pool, spec, chunkBytes } = this.options;
    const engine = pool.acquire(spec);
    this.engine = engine;
    this.out = Buffer.allocUnsafe(chunkBytes);
    acquire(this, () => {
      this.engine = null;
      pool.release(engine, !engine.failed);
    });
  }

  private begin(flag: number, input: Uint8Array): void {
    this.flag = flag;
    this.input = input;
    this.inOff = 0;
    this.inLen = input.byteLength;
    this.state = WORK;
  }

  /** One zlib call; returns a chunk to emit, or null to go on (the state says what next). */
  private step(): Uint8Array | null {
    const engine = this.engine!;
    const out = this.out;
    const room = out.byteLength - this.written;
    try {
      engine.write(this.flag, this.input, this.inOff, this.inLen, out, this.written, room);
    } catch (e) {
      const map = this.options.mapError;
      throw map !== undefined && e instanceof ZlibError ? map(e) : e;
    }
    const made = room - engine.availOut;
    this.inOff += this.inLen - engine.availIn;
    this.inLen = engine.availIn;
    this.written += made;
    if (made !== 0 && this.options.limit !== null) this.count(made, this.options.limit);
    if (engine.availOut === 0) {
      // The buffer is full: it goes out now, and zlib is called again with the same flag on the next pull.
      const full = out.subarray(this.sent, this.written);
      this.out = Buffer.allocUnsafe(this.options.chunkBytes);
      this.sent = this.written = 0;
      return full;
    }
    // zlib is done with this call: input consumed (or, decoding, trailing bytes after the stream end ignored).
    this.input = EMPTY;
    const flags = engine.flags;
    if (this.flag === flags.process) {
      this.state = READ;
      return null;
    }
    if (this.flag === flags.flush) {
      this.dirty = false;
      this.state = SEND_FLUSH;
    } else this.finish();
    return this.takePending();
  }

  /** What is buffered but not emitted (kept in place: the rest of the buffer is filled later), or null. */
  private takePending(): Uint8Array | null {
    if (this.written === this.sent) return null;
    const pending = this.out.subarray(this.sent, this.written);
    this.sent = this.written;
    return pending;
  }

  private count(made: number, limit: OutputLimit): void {
    this.total += made;
    if (this.total > limit.maxBytes) throw limit.error(limit.maxBytes);
  }

  private finish(): void {
    this.state = ENDED;
    // Natural end: give the engine back now, before the last bytes are even written (a sync release).
    void closeStage(this);
  }
}

/** A conduit running bytes (and Flush markers) through a zlib engine; see ZlibStageOptions. */
export function zlibConduit(options: ZlibStageOptions): Conduit<Flushable<Uint8Array>, Flushable<Uint8Array>> {
  return new Conduit((up) => new ZlibStage(up, options));
}
