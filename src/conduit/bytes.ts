// Byte-stream stages over Uint8Array chunks: take, isolate, drop, takeWhile/dropWhile and concatenation.
// A chunk that straddles a limit is split (subarray: no copy) and its rest is pushed back onto the nearest Input,
// so it returns upstream (to a connection's ResumableSource) for the next consumer: nothing is ever over-read.
import { Conduit, Sink } from './pipeline.js';
import { inputOf, Stage, type Input } from './stage.js';
import { StoppingStage } from './stopping.js';
import { ConduitError } from './errors.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

type Bytes = Uint8Array;

class TakeBytesStage extends StoppingStage<Bytes> {
  private readonly input: Input<Bytes>;
  private left: number;

  constructor(input: Input<Bytes>, n: number, private readonly strict: boolean) {
    super(input);
    this.input = input;
    this.left = n;
  }

  pull(): Bytes | S.Done | S.Suspend {
    const h = this.takeHeld();
    if (h !== null) return h;
    if (this.stopped) return DONE;
    if (this.left <= 0) return this.stop(DONE);
    const input = this.input;
    for (;;) {
      const x = input.pull();
      if (x === SUSPEND) return SUSPEND;
      if (x === DONE) {
        this.stopped = true;
        if (this.strict) throw new ConduitError('PREMATURE_END', `isolate: upstream ended ${this.left} bytes short`);
        return DONE;
      }
      const len = x.length;
      if (len === 0) continue;
      if (len < this.left) {
        this.left -= len;
        return x;
      }
      // The last piece: split off what belongs to the next consumer and hand it back before closing upstream.
      let out = x;
      if (len > this.left) {
        out = x.subarray(0, this.left);
        input.leftover(x.subarray(this.left));
      }
      this.left = 0;
      return this.stop(out);
    }
  }
}

/** At most n bytes; a straddling chunk is split and its rest pushed back upstream. Ends early if upstream does. */
export function takeBytes(n: number): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new TakeBytesStage(inputOf(up), n, false));
}

/** Exactly n bytes: like takeBytes, but an upstream that ends short fails with ConduitError 'PREMATURE_END'. */
export function isolate(n: number): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new TakeBytesStage(inputOf(up), n, true));
}

class DropBytesStage extends Stage<Bytes, void> {
  constructor(up: Stage<Bytes, unknown>, private left: number) {
    super(up);
  }

  pull(): Bytes | S.Done | S.Suspend {
    const up = this.up as Stage<Bytes, unknown>;
    for (;;) {
      const x = up.pull();
      if (x === DONE || x === SUSPEND) return x;
      if (this.left === 0) return x;
      if (x.length <= this.left) {
        this.left -= x.length;
        continue;
      }
      const rest = x.subarray(this.left);
      this.left = 0;
      return rest;
    }
  }
}

/** Skips the first n bytes, then passes the rest through (a straddling chunk is split). */
export function dropBytes(n: number): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new DropBytesStage(up, n));
}

class TakeWhileBytesStage extends StoppingStage<Bytes> {
  constructor(private readonly input: Input<Bytes>, private readonly p: (byte: number) => boolean) {
    super(input);
  }

  pull(): Bytes | S.Done | S.Suspend {
    const h = this.takeHeld();
    if (h !== null) return h;
    if (this.stopped) return DONE;
    const input = this.input;
    for (;;) {
      const x = input.pull();
      if (x === DONE || x === SUSPEND) return x;
      const i = indexWhereNot(x, this.p);
      if (i === x.length) {
        if (i === 0) continue;
        return x;
      }
      // The first failing byte and everything after it go back upstream.
      input.leftover(i === 0 ? x : x.subarray(i));
      return this.stop(i === 0 ? DONE : x.subarray(0, i));
    }
  }
}

/** Bytes while p holds; the first byte failing p (and the rest of its chunk) is pushed back upstream. */
export function takeWhileBytes(p: (byte: number) => boolean): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new TakeWhileBytesStage(inputOf(up), p));
}

class DropWhileBytesStage extends Stage<Bytes, void> {
  private dropping = true;

  constructor(up: Stage<Bytes, unknown>, private readonly p: (byte: number) => boolean) {
    super(up);
  }

  pull(): Bytes | S.Done | S.Suspend {
    const up = this.up as Stage<Bytes, unknown>;
    for (;;) {
      const x = up.pull();
      if (x === DONE || x === SUSPEND || !this.dropping) return x;
      const i = indexWhereNot(x, this.p);
      if (i === x.length) continue;
      this.dropping = false;
      return i === 0 ? x : x.subarray(i);
    }
  }
}

/** Skips bytes while p holds, then passes everything from the first failing byte on. */
export function dropWhileBytes(p: (byte: number) => boolean): Conduit<Bytes, Bytes> {
  return new Conduit((up) => new DropWhileBytesStage(up, p));
}

function indexWhereNot(x: Bytes, p: (byte: number) => boolean): number {
  let i = 0;
  while (i < x.length && p(x[i]!)) i++;
  return i;
}

/** Options for concatBytes. */
export interface ConcatBytesOptions {
  /** Fail with ConduitError 'TOO_LARGE' as soon as more than this many bytes arrive (default: no limit). */
  readonly maxBytes?: number;
}

class ConcatBytesStage extends Stage<never, Buffer> {
  private readonly pieces: Bytes[] = [];
  private total = 0;

  constructor(up: Stage<Bytes, unknown>, private readonly max: number) {
    super(up);
  }

  pull(): S.Done | S.Suspend {
    const up = this.up as Stage<Bytes, unknown>;
    for (;;) {
      const x = up.pull();
      if (x === SUSPEND) return SUSPEND;
      if (x === DONE) break;
      if (x.length === 0) continue;
      this.total += x.length;
      if (this.total > this.max) throw new ConduitError('TOO_LARGE', `concatBytes: more than ${this.max} bytes`);
      this.pieces.push(x);
    }
    this.result = joinBytes(this.pieces, this.total);
    return DONE;
  }
}

/** All bytes as one Buffer: pieces are kept in a list and copied once at the end (never re-concatenated per chunk). */
export function concatBytes(options?: ConcatBytesOptions): Sink<Bytes, Buffer> {
  const max = options?.maxBytes ?? Infinity;
  return new Sink((up) => new ConcatBytesStage(up, max));
}

/** Joins pieces into one Buffer of `total` bytes; a single piece is returned as a Buffer view without a copy. */
export function joinBytes(pieces: readonly Bytes[], total: number): Buffer {
  if (pieces.length === 1) {
    const p = pieces[0]!;
    return Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  }
  return Buffer.concat(pieces, total);
}
