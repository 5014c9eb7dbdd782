// The zip family: zipSinks (ZipSink: one input, several sinks, each element pulled once and shared), zipSources
// (ZipSource: pairs, ends with the shorter, releasing the other at once), sequenceSources (lockstep arrays) and
// zipConduits (ZipConduit: one input fed to several conduits, their outputs interleaved left first).
import { Conduit, Sink, Source } from './pipeline.js';
import { closeStage, Stage } from './stage.js';
import { StoppingStage } from './stopping.js';
import { suspend } from './signal.js';
import { Tap } from './tap.js';
import type { Resource } from './finalize.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

type Branch = Stage<unknown, unknown>;

/** Closes a finished branch; SUSPEND when its releases are async (the caller moves on when pulled again). */
function closeBranch(branch: Branch): S.Suspend | undefined {
  const released = closeStage(branch);
  return released === undefined ? undefined : suspend(released);
}

/** One input shared by several branches (sinks or conduits), each reading it through its own Tap, in turn. */
class Fan {
  readonly taps: Tap<unknown>[];
  readonly branches: Branch[];
  readonly finished: boolean[];
  live: number;
  /** The branch whose turn it is (all of them, in order, then the next element). */
  k = 0;

  constructor(parts: readonly (Sink<unknown, unknown> | Conduit<unknown, unknown>)[]) {
    this.taps = parts.map(() => new Tap<unknown>());
    this.branches = parts.map((p, i) => p.build(this.taps[i]!) as Branch);
    this.finished = parts.map(() => false);
    this.live = parts.length;
  }

  collect(out: Resource[]): void {
    for (const b of this.branches) b.collect(out);
  }

  /** Branch k has ended: close it and move the turn on; SUSPEND when its releases are async. */
  finishCurrent(): S.Suspend | undefined {
    const i = this.k++;
    this.finished[i] = true;
    this.live--;
    return closeBranch(this.branches[i]!);
  }

  /** Gives x (or the end of input) to every branch still running, and the turn back to the first. */
  broadcast(x: unknown): void {
    for (let i = 0; i < this.taps.length; i++) {
      if (this.finished[i]) continue;
      if (x === DONE) this.taps[i]!.end();
      else this.taps[i]!.feed(x);
    }
    this.k = 0;
  }
}

class ZipSinkStage extends Stage<never, unknown[]> {
  private readonly fan: Fan;

  constructor(up: Stage<unknown, unknown>, sinks: readonly Sink<unknown, unknown>[]) {
    super(up);
    this.fan = new Fan(sinks);
    this.result = new Array<unknown>(sinks.length);
  }

  override collect(out: Resource[]): void {
    if (this.closed) return;
    super.collect(out);
    this.fan.collect(out);
  }

  pull(): S.Done | S.Suspend {
    const fan = this.fan;
    const n = fan.branches.length;
    for (;;) {
      while (fan.k < n) {
        const i = fan.k;
        if (!fan.finished[i]) {
          const r = fan.branches[i]!.pull();
          if (r === SUSPEND && !fan.taps[i]!.reclaim()) return SUSPEND; // a real wait: resume this sink first
          if (r === DONE) {
            this.result[i] = fan.branches[i]!.result;
            const s = fan.finishCurrent();
            if (s !== undefined) return s;
            continue;
          }
        }
        fan.k++;
      }
      if (fan.live === 0) return DONE;
      const x = (this.up as Stage<unknown, unknown>).pull();
      if (x === SUSPEND) return SUSPEND;
      fan.broadcast(x);
    }
  }
}

/**
 * ZipSink: feeds every element to each sink (pulled once, shared); the result is the tuple of their results. It ends
 * when every sink has ended; a sink that ends early is released at once and the others go on.
 */
export function zipSinks<I, A, B>(a: Sink<I, A>, b: Sink<I, B>): Sink<I, [A, B]>;
export function zipSinks<I, A, B, C>(a: Sink<I, A>, b: Sink<I, B>, c: Sink<I, C>): Sink<I, [A, B, C]>;
export function zipSinks<I, A, B, C, D>(a: Sink<I, A>, b: Sink<I, B>, c: Sink<I, C>, d: Sink<I, D>): Sink<I, [A, B, C, D]>;
export function zipSinks<I, R>(...sinks: Sink<I, R>[]): Sink<I, R[]>;
export function zipSinks(...sinks: Sink<unknown, unknown>[]): Sink<unknown, unknown[]> {
  return new Sink((up) => new ZipSinkStage(up, sinks));
}

class ZipSourceStage extends Stage<unknown[], void> {
  private readonly sources: Branch[];
  private readonly values: unknown[];
  private k = 0;
  private ended = false;

  constructor(sources: readonly Source<unknown>[]) {
    super(null);
    this.sources = sources.map((s) => s.build());
    this.values = new Array<unknown>(sources.length);
  }

  override collect(out: Resource[]): void {
    if (this.closed) return;
    super.collect(out);
    for (const s of this.sources) s.collect(out);
  }

  pull(): unknown[] | S.Done | S.Suspend {
    if (this.ended) return DONE;
    const n = this.sources.length;
    if (n === 0) {
      this.ended = true;
      return DONE;
    }
    while (this.k < n) {
      const x = this.sources[this.k]!.pull();
      if (x === SUSPEND) return SUSPEND; // the values so far wait in this.values
      if (x === DONE) {
        // The shortest source decides: release every other one now, not at the end of the run.
        this.ended = true;
        const released = closeStage(this);
        return released === undefined ? DONE : suspend(released);
      }
      this.values[this.k++] = x;
    }
    this.k = 0;
    return this.values.slice();
  }
}

type Elements<T extends readonly Source<unknown>[]> = { -readonly [K in keyof T]: T[K] extends Source<infer O> ? O : never };

/** ZipSource: tuples of one element from each source, in lockstep; ends with the shortest, releasing the rest at once. */
export function zipSources<T extends readonly Source<unknown>[]>(...sources: T): Source<Elements<T>> {
  return new Source(() => new ZipSourceStage(sources) as unknown as Stage<Elements<T>, unknown>);
}

/** Arrays of one element from each source, in lockstep (conduit's sequenceSources); no sources: no elements. */
export function sequenceSources<O>(sources: readonly Source<O>[]): Source<O[]> {
  return new Source(() => new ZipSourceStage(sources) as unknown as Stage<O[], unknown>);
}

class ZipConduitStage<O> extends StoppingStage<O> {
  /** The branch being run keeps the turn while it emits; the next element is read when all want input. */
  private readonly fan: Fan;

  constructor(up: Stage<unknown, unknown>, conduits: readonly Conduit<unknown, O>[]) {
    super(up);
    this.fan = new Fan(conduits);
  }

  override collect(out: Resource[]): void {
    if (this.closed) return;
    super.collect(out);
    this.fan.collect(out);
  }

  pull(): O | S.Done | S.Suspend {
    const h = this.takeHeld();
    if (h !== null) return h;
    if (this.stopped) return DONE;
    const fan = this.fan;
    const n = fan.branches.length;
    for (;;) {
      while (fan.k < n) {
        const i = fan.k;
        if (!fan.finished[i]) {
          const r = fan.branches[i]!.pull();
          if (r === SUSPEND) {
            if (!fan.taps[i]!.reclaim()) return SUSPEND;
          } else if (r === DONE) {
            const s = fan.finishCurrent();
            if (s !== undefined) return s;
            continue;
          } else return r as O;
        }
        fan.k++;
      }
      if (fan.live === 0) return this.stop(DONE);
      const x = (this.up as Stage<unknown, unknown>).pull();
      if (x === SUSPEND) return SUSPEND;
      fan.broadcast(x);
    }
  }
}

/**
 * ZipConduit: feeds every input to each conduit and interleaves their outputs (the first conduit runs until it wants
 * input, then the next, ...). It ends when all of them have ended, and then stops reading upstream.
 */
export function zipConduits<I, O>(...conduits: Conduit<I, O>[]): Conduit<I, O> {
  const list = conduits as unknown as readonly Conduit<unknown, O>[];
  return new Conduit<I, O>((up) => new ZipConduitStage<O>(up, list));
}
