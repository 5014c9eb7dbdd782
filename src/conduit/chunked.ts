// Chunked transfer coding as conduits (RFC 9112 §7.1): dechunk() wraps the pure ChunkedDecoder, chunk() frames.
// dechunk consumes exactly through the end of the trailer section; every later byte goes back to the input, intact.
import { Conduit } from './pipeline.js';
import { inputOf, Stage, type Input } from './stage.js';
import { StoppingStage } from './stopping.js';
import { ConduitError } from './errors.js';
import { FLUSH, type Flushable } from './flush.js';
import { ChunkedDecoder, LAST_CHUNK, writeChunkHeader, type ChunkedLimits } from './chunked-codec.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

const CR = 0x0d;
const LF = 0x0a;

type Bytes = Uint8Array;

/** Trailer fields of a chunked body (RFC 9112 §7.1.2): [lower-cased name, value], in wire order. */
export type Trailers = Array<[name: string, value: string]>;

/** Options for dechunk: the decoder's limits plus a way to receive the trailers. */
export interface DechunkOptions extends ChunkedLimits {
  /** Called once with the trailer section when the last chunk has been read (before the stage ends). */
  readonly onTrailers?: (trailers: Trailers) => void;
}

class DechunkStage extends StoppingStage<Bytes, Trailers> {
  private readonly decoder: ChunkedDecoder;
  private buf: Bytes | null = null;
  private pos = 0;

  constructor(private readonly input: Input<Bytes>, private readonly options: DechunkOptions) {
    super(input);
    this.decoder = new ChunkedDecoder(options);
    this.result = [];
  }

  pull(): Bytes | S.Done | S.Suspend {
    const h = this.takeHeld();
    if (h !== null) return h;
    if (this.stopped) return DONE;
    for (;;) {
      let buf = this.buf;
      if (buf === null) {
        const x = this.input.pull();
        if (x === SUSPEND) return SUSPEND;
        if (x === DONE) {
          this.stopped = true;
          throw new ConduitError('PREMATURE_END', 'chunked body ended before its last chunk and trailer section');
        }
        if (x.length === 0) continue;
        buf = this.buf = x;
        this.pos = 0;
      }
      const step = this.decoder.decode(buf, this.pos, buf.length);
      switch (step.kind) {
        case 'data':
          this.pos += step.consumed;
          if (this.pos === buf.length) this.buf = null;
          return buf.subarray(step.start, step.end);
        case 'need-more':
          this.buf = null;
          continue;
        case 'done': {
          // Whatever follows the trailer section belongs to the next consumer (the next pipelined request).
          const end = this.pos + step.consumed;
          if (end < buf.length) this.input.leftover(buf.subarray(end));
          this.buf = null;
          this.result = step.trailers;
          this.options.onTrailers?.(step.trailers);
          return this.stop(DONE);
        }
        default:
          this.stopped = true;
          throw new ConduitError(step.code, step.message);
      }
    }
  }
}

/**
 * Decodes a chunked body: emits the data bytes (views into the input chunks), consumes exactly through the end of
 * the trailer section and pushes any later bytes back upstream. Malformed framing fails with ConduitError
 * 'BAD_CHUNK' / 'CHUNK_TOO_LARGE' / 'TRAILER_TOO_LARGE'; an early end with 'PREMATURE_END'. The trailers are the
 * stage's result and go to options.onTrailers.
 */
export function dechunk(options: DechunkOptions = {}): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new DechunkStage(inputOf(up), options));
}

/** Chunks at most this long are framed into one fresh buffer (a copy is cheaper than two more writes). */
const COPY_LIMIT = 1024;
const CRLF: Bytes = Uint8Array.of(CR, LF);

class ChunkStage extends Stage<Flushable<Bytes>, void> {
  /** Framing pieces still to emit for the current large chunk: its data, then CRLF. */
  private data: Bytes | null = null;
  private crlf = false;
  private ended = false;

  constructor(up: Stage<Flushable<Bytes>, unknown>) {
    super(up);
  }

  pull(): Flushable<Bytes> | S.Done | S.Suspend {
    if (this.data !== null) {
      const d = this.data;
      this.data = null;
      this.crlf = true;
      return d;
    }
    if (this.crlf) {
      this.crlf = false;
      return CRLF;
    }
    if (this.ended) return DONE;
    for (;;) {
      const x = (this.up as Stage<Flushable<Bytes>, unknown>).pull();
      if (x === SUSPEND) return SUSPEND;
      if (x === DONE) {
        this.ended = true;
        return LAST_CHUNK;
      }
      if (x === FLUSH) return FLUSH;
      const chunk = x as Bytes;
      const len = chunk.length;
      if (len === 0) continue; // a zero-size chunk would end the body (RFC 9112 §7.1)
      if (len <= COPY_LIMIT) return frameSmall(chunk);
      this.data = chunk;
      const head = Buffer.allocUnsafe(18);
      return head.subarray(0, writeChunkHeader(head, 0, len));
    }
  }
}

function frameSmall(chunk: Bytes): Bytes {
  const len = chunk.length;
  const out = Buffer.allocUnsafe(len + 13);
  const h = writeChunkHeader(out, 0, len);
  out.set(chunk, h);
  out[h + len] = CR;
  out[h + len + 1] = LF;
  return out.subarray(0, h + len + 2);
}

/**
 * Frames a byte stream with the chunked transfer coding: each non-empty chunk becomes `size CRLF data CRLF`
 * (small chunks in one buffer, large ones as three pieces so data is never copied), FLUSH passes through in order
 * so a writer can send what it has, and the end of input emits the last chunk `0 CRLF CRLF`.
 */
export function chunk(): Conduit<Flushable<Bytes>, Flushable<Bytes>> {
  return new Conduit((up) => new ChunkStage(up));
}
