// Sinks as specialised stages: they loop over pull() until DONE, returning SUSPEND whenever upstream parks.
import { Sink } from './pipeline.js';
import { inputOf, Stage, type Input } from './stage.js';
import { suspend } from './signal.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

type Up<I> = Stage<I, unknown>;

class FoldStage<I, A> extends Stage<never, A> {
  constructor(up: Up<I>, acc: A, private readonly f: (acc: A, x: I) => A) {
    super(up);
    this.result = acc;
  }
  pull(): S.Done | S.Suspend {
    const up = this.up as Up<I>;
    const f = this.f;
    let acc = this.result;
    for (;;) {
      const x = up.pull();
      if (x === DONE) break;
      if (x === SUSPEND) {
        this.result = acc;
        return SUSPEND;
      }
      acc = f(acc, x as I);
    }
    this.result = acc;
    return DONE;
  }
}

/** Folds every element into an accumulator: the result is the final accumulator. */
export function fold<I, A>(f: (acc: A, x: I) => A, initial: A): Sink<I, A> {
  return new Sink((up) => new FoldStage(up, initial, f));
}

/** All elements, in order, as an array. */
export function sinkList<I>(): Sink<I, I[]> {
  return new Sink((up) => new FoldStage<I, I[]>(up, [], pushInto));
}

function pushInto<I>(acc: I[], x: I): I[] {
  acc.push(x);
  return acc;
}

class DrainStage<I> extends Stage<never, void> {
  constructor(up: Up<I>, private readonly f: ((x: I) => void) | null) {
    super(up);
  }
  pull(): S.Done | S.Suspend {
    const up = this.up as Up<I>;
    for (;;) {
      const x = up.pull();
      if (x === DONE) return DONE;
      if (x === SUSPEND) return SUSPEND;
      if (this.f !== null) this.f(x as I);
    }
  }
}

/** Consumes and discards every element. */
export function sinkNull<I = unknown>(): Sink<I, void> {
  return new Sink((up) => new DrainStage<I>(up, null));
}

/** Calls f for every element. */
export function forEach<I>(f: (x: I) => void): Sink<I, void> {
  return new Sink((up) => new DrainStage(up, f));
}

class ForEachAsyncStage<I> extends Stage<never, void> {
  private parked: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  constructor(up: Up<I>, private readonly f: (x: I) => void | PromiseLike<void>) {
    super(up);
  }
  pull(): S.Done | S.Suspend {
    if (this.parked !== null) return suspend(this.parked);
    if (this.failure !== null) throw this.failure.error;
    const up = this.up as Up<I>;
    for (;;) {
      const x = up.pull();
      if (x === DONE) return DONE;
      if (x === SUSPEND) return SUSPEND;
      const r = this.f(x as I);
      if (typeof r === 'object' && r !== null && typeof r.then === 'function') {
        const parked = Promise.resolve(r).then(
          () => {
            this.parked = null;
          },
          (e: unknown) => {
            this.parked = null;
            this.failure = { error: e };
          },
        );
        this.parked = parked;
        return suspend(parked);
      }
    }
  }
}

/** Calls an async f for every element, one at a time, awaiting each. */
export function forEachAsync<I>(f: (x: I) => void | PromiseLike<void>): Sink<I, void> {
  return new Sink((up) => new ForEachAsyncStage(up, f));
}

class HeadStage<I> extends Stage<never, I | undefined> {
  pull(): S.Done | S.Suspend {
    const x = (this.up as Up<I>).pull();
    if (x === SUSPEND) return SUSPEND;
    if (x !== DONE) this.result = x as I;
    return DONE;
  }
}

/** The first element (undefined when there is none); nothing after it is requested. */
export function head<I>(): Sink<I, I | undefined> {
  return new Sink((up) => new HeadStage<I>(up));
}

class PeekStage<I> extends Stage<never, I | undefined> {
  constructor(private readonly input: Input<I>) {
    super(input);
  }
  pull(): S.Done | S.Suspend {
    const x = this.input.pull();
    if (x === SUSPEND) return SUSPEND;
    if (x !== DONE) {
      this.input.leftover(x as I);
      this.result = x as I;
    }
    return DONE;
  }
}

/** conduit's peekC: the next element (undefined at the end), pushed back so the next consumer reads it again. */
export function peek<I>(): Sink<I, I | undefined> {
  return new Sink((up) => new PeekStage<I>(inputOf(up)));
}

class SkipStage<I> extends Stage<never, void> {
  constructor(private readonly input: Input<I>, private left: number, private readonly p: ((x: I) => boolean) | null) {
    super(input);
  }
  pull(): S.Done | S.Suspend {
    const input = this.input;
    const p = this.p;
    for (;;) {
      if (p === null && this.left <= 0) return DONE;
      const x = input.pull();
      if (x === DONE) return DONE;
      if (x === SUSPEND) return SUSPEND;
      if (p === null) this.left--;
      else if (!p(x as I)) {
        // The element that ends the skip is the next consumer's: it goes back upstream.
        input.leftover(x as I);
        return DONE;
      }
    }
  }
}

/**
 * conduit's dropC as a sink: consumes n elements and stops, never requesting element n+1 (sequence it with
 * io.consume or a ResumableSource; the conduit `drop(n)` instead passes the rest downstream).
 */
export function skip<I = unknown>(n: number): Sink<I, void> {
  return new Sink((up) => new SkipStage<I>(inputOf(up), n, null));
}

/**
 * conduit's dropWhileC as a sink: consumes elements while p holds and stops; the first failing element is pushed back
 * upstream as a leftover for the next consumer (the conduit `dropWhile(p)` instead passes it and the rest downstream).
 */
export function skipWhile<I>(p: (x: I) => boolean): Sink<I, void> {
  return new Sink((up) => new SkipStage<I>(inputOf(up), 0, p));
}

/** The last element (undefined when there is none). */
export function last<I>(): Sink<I, I | undefined> {
  return fold<I, I | undefined>((_, x) => x, undefined);
}

/** The number of elements. */
export function length<I = unknown>(): Sink<I, number> {
  return fold<I, number>((n) => n + 1, 0);
}
