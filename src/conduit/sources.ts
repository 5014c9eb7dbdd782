// Basic sources: arrays, iterables, async iterables, unfold, and bracketed sources that release promptly.
import { Source } from './pipeline.js';
import { acquire, closeStage, Stage } from './stage.js';
import { suspend } from './signal.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;

class ArrayStage<O> extends Stage<O, void> {
  private i = 0;
  constructor(private readonly items: readonly O[]) {
    super(null);
  }
  pull(): O | S.Done {
    const i = this.i;
    if (i >= this.items.length) return DONE;
    this.i = i + 1;
    return this.items[i]!;
  }
}

/** The elements of an array, in order. */
export function fromArray<O>(items: readonly O[]): Source<O> {
  return new Source(() => new ArrayStage(items));
}

/** The given values, in order. */
export function of<O>(...items: O[]): Source<O> {
  return fromArray(items);
}

/** No elements at all. */
export function empty<O = never>(): Source<O> {
  return fromArray<O>([]);
}

class IterableStage<O> extends Stage<O, void> {
  private it: Iterator<O> | null = null;
  constructor(private readonly iterable: Iterable<O>) {
    super(null);
  }
  pull(): O | S.Done {
    if (this.closed) return DONE;
    if (this.it === null) {
      const it = this.iterable[Symbol.iterator]();
      this.it = it;
      // An iterator with return() (a generator) is closed when the stage ends early: its finally blocks run.
      if (typeof it.return === 'function') acquire(this, () => void it.return!());
    }
    const r = this.it.next();
    if (r.done === true) {
      // A finished iterator needs no return(): drop the hold and end.
      this.held = null;
      this.closed = true;
      return DONE;
    }
    return r.value;
  }
}

/** The elements of a sync iterable; an unfinished iterator is closed (return()) when the pipeline stops early. */
export function fromIterable<O>(iterable: Iterable<O>): Source<O> {
  return new Source(() => new IterableStage(iterable));
}

class AsyncIterableStage<O> extends Stage<O, void> {
  private it: AsyncIterator<O> | null = null;
  private parked: Promise<void> | null = null;
  private ready: IteratorResult<O> | null = null;
  private failure: { error: unknown } | null = null;
  private ended = false;

  constructor(private readonly iterable: AsyncIterable<O>) {
    super(null);
  }

  pull(): O | S.Done | S.Suspend {
    if (this.ended) return DONE;
    if (this.parked !== null) return suspend(this.parked);
    if (this.failure !== null) {
      const f = this.failure;
      this.failure = null;
      this.ended = true;
      throw f.error;
    }
    const ready = this.ready;
    if (ready !== null) {
      this.ready = null;
      if (ready.done !== true) return ready.value;
      this.ended = true;
      const released = closeStage(this);
      if (released === undefined) return DONE;
      return this.wait(released.then(() => ({ done: true, value: undefined })));
    }
    if (this.it === null) {
      const it = this.iterable[Symbol.asyncIterator]();
      this.it = it;
      if (typeof it.return === 'function') acquire(this, () => it.return!().then(() => undefined));
    }
    return this.wait(this.it.next());
  }

  private wait(p: PromiseLike<IteratorResult<O>>): S.Suspend {
    const parked = Promise.resolve(p).then(
      (r) => {
        this.parked = null;
        this.ready = r;
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

/** The elements of an async iterable, one next() in flight at a time; return() is called on an early stop. */
export function fromAsyncIterable<O>(iterable: AsyncIterable<O>): Source<O> {
  return new Source(() => new AsyncIterableStage(iterable));
}

class UnfoldStage<S0, O> extends Stage<O, void> {
  constructor(private state: S0, private readonly step: (s: S0) => readonly [O, S0] | undefined) {
    super(null);
  }
  pull(): O | S.Done {
    if (this.closed) return DONE;
    const r = this.step(this.state);
    if (r === undefined) {
      this.closed = true;
      return DONE;
    }
    this.state = r[1];
    return r[0];
  }
}

/** Elements produced from a state until step returns undefined. */
export function unfold<S0, O>(seed: S0, step: (state: S0) => readonly [O, S0] | undefined): Source<O> {
  return new Source(() => new UnfoldStage(seed, step));
}

/** Integers from `from` (inclusive) to `to` (exclusive). */
export function range(from: number, to: number): Source<number> {
  return unfold(from, (i) => (i < to ? [i, i + 1] : undefined));
}

class BracketStage<T, O> extends Stage<O, void> {
  private inner: Stage<O, unknown> | null = null;
  constructor(
    private readonly open: () => T,
    private readonly use: (resource: T) => Source<O>,
    private readonly release: (resource: T) => void | PromiseLike<void>,
  ) {
    super(null);
  }
  pull(): O | S.Done | S.Suspend {
    if (this.closed) return DONE;
    if (this.inner === null) {
      const resource = this.open();
      acquire(this, () => this.release(resource));
      this.inner = this.use(resource).build();
      this.up = this.inner;
    }
    const x = this.inner.pull();
    if (x !== DONE) return x;
    // Natural end: release now, not when the run ends (prompt finalization).
    const released = closeStage(this);
    if (released === undefined) return DONE;
    return suspend(released);
  }
}

/**
 * A source that acquires a resource when first pulled and releases it exactly once: when the inner source ends,
 * as soon as downstream stops, or when anything in the pipeline throws.
 */
export function bracketSource<T, O>(
  open: () => T, use: (resource: T) => Source<O>, release: (resource: T) => void | PromiseLike<void>,
): Source<O> {
  return new Source(() => new BracketStage(open, use, release));
}

/** Marks the end of a source with a release action (runs at the natural end, an early stop, or an error). */
export function withCleanup<O>(source: Source<O>, release: () => void | PromiseLike<void>): Source<O> {
  return bracketSource(() => undefined, () => source, release);
}
