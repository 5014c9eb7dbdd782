// Element-wise conduits as specialised stage classes: each element costs a few property reads and calls, no promise.
import { Conduit } from './pipeline.js';
import { inputOf, Stage, type Input } from './stage.js';
import { StoppingStage } from './stopping.js';
import { park, settled } from './signal.js';
import type * as S from './signal.js';

// Local copies: comparing against an imported binding costs ~10 ns/element (CONDUIT-PROTOTYPE.md).
const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;
const UNSETTLED: typeof S.UNSETTLED = Symbol.for('sluice.conduit.UNSETTLED') as typeof S.UNSETTLED;

type Up<I> = Stage<I, unknown>;

class MapStage<I, O> extends Stage<O, void> {
  constructor(up: Up<I>, private readonly f: (x: I) => O) {
    super(up);
  }
  pull(): O | S.Done | S.Suspend {
    const x = (this.up as Up<I>).pull();
    if (x === DONE) return DONE;
    if (x === SUSPEND) return SUSPEND;
    return this.f(x as I);
  }
}

/** Applies f to each element. */
export function map<I, O>(f: (x: I) => O): Conduit<I, O> {
  return new Conduit((up) => new MapStage(up, f));
}

class FilterStage<I> extends Stage<I, void> {
  constructor(up: Up<I>, private readonly p: (x: I) => boolean) {
    super(up);
  }
  pull(): I | S.Done | S.Suspend {
    const up = this.up as Up<I>;
    for (;;) {
      const x = up.pull();
      if (x === DONE) return DONE;
      if (x === SUSPEND) return SUSPEND;
      if (this.p(x as I)) return x;
    }
  }
}

/** Keeps the elements for which p holds. */
export function filter<I, O extends I>(p: (x: I) => x is O): Conduit<I, O>;
export function filter<I>(p: (x: I) => boolean): Conduit<I, I>;
export function filter<I>(p: (x: I) => boolean): Conduit<I, I> {
  return new Conduit((up) => new FilterStage(up, p));
}

class MapAsyncStage<I, O> extends Stage<O, void> {
  private parked: PromiseLike<O> | null = null;

  constructor(up: Up<I>, private readonly f: (x: I) => O | PromiseLike<O>) {
    super(up);
  }

  pull(): O | S.Done | S.Suspend {
    const parked = this.parked;
    if (parked !== null) {
      const v = settled(parked);
      if (v === UNSETTLED) return park(parked);
      this.parked = null;
      return v as O;
    }
    const x = (this.up as Up<I>).pull();
    if (x === DONE) return DONE;
    if (x === SUSPEND) return SUSPEND;
    const y = this.f(x as I);
    if (typeof y !== 'object' || y === null || typeof (y as PromiseLike<O>).then !== 'function') return y as O;
    this.parked = y as PromiseLike<O>;
    return park(y as PromiseLike<O>);
  }
}

/** Applies an async f to each element: one call in flight, order kept; a sync result costs no promise. */
export function mapAsync<I, O>(f: (x: I) => O | PromiseLike<O>): Conduit<I, O> {
  return new Conduit((up) => new MapAsyncStage(up, f));
}

class ConcatMapStage<I, O> extends Stage<O, void> {
  private buf: readonly O[] = [];
  private i = 0;
  constructor(up: Up<I>, private readonly f: (x: I) => readonly O[]) {
    super(up);
  }
  pull(): O | S.Done | S.Suspend {
    for (;;) {
      if (this.i < this.buf.length) return this.buf[this.i++]!;
      const x = (this.up as Up<I>).pull();
      if (x === DONE) return DONE;
      if (x === SUSPEND) return SUSPEND;
      this.buf = this.f(x as I);
      this.i = 0;
    }
  }
}

/** Replaces each element with the elements of the array f returns. */
export function concatMap<I, O>(f: (x: I) => readonly O[]): Conduit<I, O> {
  return new Conduit((up) => new ConcatMapStage(up, f));
}

class TakeStage<I> extends StoppingStage<I> {
  constructor(up: Up<I>, private n: number) {
    super(up);
  }
  pull(): I | S.Done | S.Suspend {
    const h = this.takeHeld();
    if (h !== null) return h;
    if (this.stopped) return DONE;
    if (this.n <= 0) return this.stop(DONE);
    const x = (this.up as Up<I>).pull();
    if (x === SUSPEND) return x;
    if (x === DONE) {
      this.stopped = true;
      return DONE;
    }
    // Never requests element n+1: upstream is released as soon as the n-th element is in hand.
    if (--this.n === 0) return this.stop(x as I);
    return x;
  }
}

/** The first n elements; upstream is released as soon as the n-th arrives (element n+1 is never requested). */
export function take<I>(n: number): Conduit<I, I> {
  return new Conduit((up) => new TakeStage(up, n));
}

class TakeWhileStage<I> extends StoppingStage<I> {
  constructor(private readonly input: Input<I>, private readonly p: (x: I) => boolean) {
    super(input);
  }
  pull(): I | S.Done | S.Suspend {
    const h = this.takeHeld();
    if (h !== null) return h;
    if (this.stopped) return DONE;
    const input = this.input;
    const x = input.pull();
    if (x === DONE) return DONE;
    if (x === SUSPEND) return SUSPEND;
    if (this.p(x as I)) return x;
    // conduit's takeWhileC: the first failing element goes back upstream, for whoever reads the input next.
    input.leftover(x as I);
    return this.stop(DONE);
  }
}

/**
 * Elements while p holds. The first element failing p is pushed back upstream as a leftover (conduit's takeWhileC),
 * so the next consumer of a shared input (a ResumableSource, io.consume, catchError) receives it.
 */
export function takeWhile<I>(p: (x: I) => boolean): Conduit<I, I> {
  return new Conduit((up) => new TakeWhileStage(inputOf(up), p));
}

class DropStage<I> extends Stage<I, void> {
  constructor(up: Up<I>, private n: number, private p: ((x: I) => boolean) | null) {
    super(up);
  }
  pull(): I | S.Done | S.Suspend {
    const up = this.up as Up<I>;
    for (;;) {
      const x = up.pull();
      if (x === DONE) return DONE;
      if (x === SUSPEND) return SUSPEND;
      if (this.n > 0) {
        this.n--;
        continue;
      }
      if (this.p !== null) {
        if (this.p(x as I)) continue;
        this.n = 0;
        this.p = null;
      }
      return x;
    }
  }
}

/** Skips the first n elements. */
export function drop<I>(n: number): Conduit<I, I> {
  return new Conduit((up) => new DropStage(up, n, null));
}

/** Skips elements while p holds. */
export function dropWhile<I>(p: (x: I) => boolean): Conduit<I, I> {
  return new Conduit((up) => new DropStage(up, 0, p));
}

class ScanStage<I, A> extends Stage<A, void> {
  constructor(up: Up<I>, private acc: A, private readonly f: (acc: A, x: I) => A) {
    super(up);
  }
  pull(): A | S.Done | S.Suspend {
    const x = (this.up as Up<I>).pull();
    if (x === DONE) return DONE;
    if (x === SUSPEND) return SUSPEND;
    this.acc = this.f(this.acc, x as I);
    return this.acc;
  }
}

/** Emits each intermediate accumulator. */
export function scan<I, A>(f: (acc: A, x: I) => A, initial: A): Conduit<I, A> {
  return new Conduit((up) => new ScanStage(up, initial, f));
}

/** Calls f for each element as it passes (for side effects), passing the element on. */
export function tap<I>(f: (x: I) => void): Conduit<I, I> {
  return map((x: I) => {
    f(x);
    return x;
  });
}
