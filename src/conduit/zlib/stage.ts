// The conduit stage that pushes bytes through a ZlibEngine. Key decisions: each output buffer goes downstream the
// moment it is full (one input chunk can yield many; zlib keeps its place between pulls), so memory stays at one
// output buffer however large a chunk or a zip bomb is; a Flush sync-flushes and emits everything before more input
// is read; the engine is taken at the first pull and given back exactly once (end, close, or error). A decoder can
// stop at the end of its stream: zlib stops consuming there, and every byte after it goes back upstream.
import { Conduit } from '../pipeline.js';
import { FLUSH, type Flushable } from '../flush.js';
import { acquire, inputOf, releaseResource, type Input, type Stage } from '../stage.js';
import { StoppingStage } from '../stopping.js';
import { ConduitError } from '../errors.js';
import type { Resource } from '../finalize.js';
import type * as S from '../signal.js';
import { isDecoder, ZlibError, type EngineSpec, type ZlibEngine } from './engine.js';
import type { EnginePool } from './pool.js';
import { ContainerReader, type Framing } from './framing.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

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
  /**
   * Decoders: decode one stream and stop at its end, pushing every later byte back upstream; an input that ends
   * before its first byte decodes to nothing, one cut short fails with ConduitError 'PREMATURE_END'. Otherwise
   * bytes after the end are read and ignored, and zlib's own errors stand.
   */
  readonly stopAtEnd?: boolean;
  /** Decoders: the container (gzip, zlib) around a raw deflate stream, parsed here; a fresh one per run. */
  readonly framing?: () => Framing;
}

/** Throw `error(maxBytes)` as soon as more than maxBytes have come out. */
export interface OutputLimit {
  readonly maxBytes: number;
  readonly error: (maxBytes: number) => Error;
}

const READ = 0, WORK = 1, SEND_FLUSH = 2;

const EMPTY = new Uint8Array(0);

type Bytes = Flushable<Uint8Array>;
type Step = Bytes | S.Done | S.Suspend;

class ZlibStage extends StoppingStage<Bytes> {
  private engine: ZlibEngine | null = null;
  private engineHeld: Resource | null = null;
  private state = READ;
  /** The zlib flush mode of the current WORK step. */
  private flag = 0;
  private input: Uint8Array = EMPTY;
  private inOff = 0;
  private inLen = 0;
  private out: Uint8Array = EMPTY;
  /** out[sent, written) holds output not yet emitted. */
  private sent = 0;
  private written = 0;
  /** Input went in since the last sync flush (a flush with nothing new emits nothing and costs no zlib call). */
  private dirty = false;
  private total = 0;
  private received = false;
  /** The gzip or zlib container around the stream, when this stage parses one. */
  private readonly container: ContainerReader | null;

  constructor(private readonly src: Input<Bytes>, private readonly options: ZlibStageOptions) {
    super(src);
    this.container = options.framing === undefined ? null : new ContainerReader(options.framing());
  }

  pull(): Step {
    const h = this.takeHeld();
    if (h !== null) return h;
    if (this.stopped) return DONE;
    try {
      return this.advance();
    } catch (e) {
      const map = this.options.mapError;
      throw map !== undefined && e instanceof ZlibError ? map(e) : e;
    }
  }

  private advance(): Step {
    for (;;) {
      if (this.state === WORK) {
        const x = this.step();
        if (x !== null) return x;
      } else if (this.state === SEND_FLUSH) {
        this.state = READ;
        return FLUSH;
      } else {
        const x = this.src.pull();
        if (x === SUSPEND) return SUSPEND;
        if (this.engine === null) this.start();
        const r = x === DONE ? this.upstreamEnded() : x === FLUSH ? this.flushMarker() : this.feed(x as Uint8Array);
        if (r !== null) return r;
      }
    }
  }

  private start(): void {
    const { pool, spec, chunkBytes } = this.options;
    const engine = pool.acquire(spec);
    this.engine = engine;
    this.out = Buffer.allocUnsafe(chunkBytes);
    this.engineHeld = acquire(this, () => {
      this.engine = null;
      pool.release(engine, !engine.failed);
    });
  }

  private upstreamEnded(): Step | null {
    if (this.options.stopAtEnd === true) {
      if (!this.received) return this.end(null);
      if (this.container !== null) throw new ConduitError('PREMATURE_END', 'the compressed stream ended before its trailer');
    }
    this.begin(this.engine!.flags.finish, EMPTY);
    return null;
  }

  private flushMarker(): Step | null {
    if (this.dirty) {
      this.begin(this.engine!.flags.flush, EMPTY);
      return null;
    }
    // Nothing new went in; a decoder waiting for its trailer may still hold output, which goes before the marker.
    this.state = SEND_FLUSH;
    return this.takePending();
  }

  private feed(x: Uint8Array): Step | null {
    if (x.byteLength === 0) return null;
    this.received = true;
    const container = this.container;
    if (container !== null && container.phase !== 'body') {
      if (container.phase === 'trailer') return this.afterTrailer(container.readTrailer(x));
      const body = container.readHeader(x);
      return body === null ? null : this.feed(body);
    }
    this.dirty = true;
    this.begin(this.engine!.flags.process, x);
    return null;
  }

  /** The trailer is complete and checked (`rest` is what followed it), or null while more bytes are needed. */
  private afterTrailer(rest: Uint8Array | null): Step | null {
    return rest === null ? null : this.end(rest);
  }

  private begin(flag: number, input: Uint8Array): void {
    this.flag = flag;
    this.input = input;
    this.inOff = 0;
    this.inLen = input.byteLength;
    this.state = WORK;
  }

  /** One zlib call; returns what to hand downstream, or null to go on (the state says what next). */
  private step(): Step | null {
    const engine = this.engine!;
    const out = this.out;
    const room = out.byteLength - this.written;
    try {
      engine.write(this.flag, this.input, this.inOff, this.inLen, out, this.written, room);
    } catch (e) {
      if (this.options.stopAtEnd === true && e instanceof ZlibError && e.code === 'Z_BUF_ERROR') {
        throw new ConduitError('PREMATURE_END', 'the compressed stream was cut short', { cause: e });
      }
      throw e;
    }
    const made = room - engine.availOut;
    this.inOff += this.inLen - engine.availIn;
    this.inLen = engine.availIn;
    this.written += made;
    if (made !== 0) this.produced(out, made);
    if (engine.availOut === 0) {
      // The buffer is full: it goes out now, and zlib is called again with the same flag on the next pull.
      const full = out.subarray(this.sent, this.written);
      this.out = Buffer.allocUnsafe(this.options.chunkBytes);
      this.sent = this.written = 0;
      return full;
    }
    const rest = this.inLen === 0 ? EMPTY : this.input.subarray(this.inOff, this.inOff + this.inLen);
    this.input = EMPTY;
    // zlib stopped with output room to spare and input left: a decoder reached the end of its stream.
    if (rest.byteLength !== 0 && isDecoder(this.options.spec)) {
      if (this.container !== null) {
        this.dirty = false;
        this.state = READ;
        return this.afterTrailer(this.container.readTrailer(rest));
      }
      if (this.options.stopAtEnd === true) return this.end(rest);
    }
    const flags = engine.flags;
    if (this.flag === flags.process) {
      this.state = READ;
      return null;
    }
    if (this.flag === flags.flush) {
      this.dirty = false;
      this.state = SEND_FLUSH;
      return this.takePending();
    }
    return this.end(null);
  }

  private produced(out: Uint8Array, made: number): void {
    const limit = this.options.limit;
    if (limit !== null) {
      this.total += made;
      if (this.total > limit.maxBytes) throw limit.error(limit.maxBytes);
    }
    if (this.container !== null) this.container.update(out.subarray(this.written - made, this.written));
  }

  /** What is buffered but not emitted (kept in place: the rest of the buffer is filled later), or null. */
  private takePending(): Uint8Array | null {
    if (this.written === this.sent) return null;
    const pending = this.out.subarray(this.sent, this.written);
    this.sent = this.written;
    return pending;
  }

  /**
   * The stream is complete: the engine goes back now, the bytes after the stream go back upstream, and upstream is
   * closed (promptly, as take does) before the last output is handed on.
   */
  private end(rest: Uint8Array | null): Step {
    if (this.engineHeld !== null) void releaseResource(this, this.engineHeld);
    if (rest !== null && rest.byteLength !== 0) this.src.leftover(rest);
    return this.stop(this.takePending() ?? DONE);
  }
}

/** A conduit running bytes (and Flush markers) through a zlib engine; see ZlibStageOptions. */
export function zlibConduit(options: ZlibStageOptions): Conduit<Bytes, Bytes> {
  return new Conduit((up: Stage<Bytes, unknown>) => new ZlibStage(inputOf(up), options));
}
