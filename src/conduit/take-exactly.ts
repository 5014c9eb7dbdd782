// takeExactly(n, inner): the inner conduit or sink sees at most n elements, and exactly n are consumed from upstream
// (conduit's takeExactlyC): what the inner leaves unread is drained after it ends, so the next consumer starts at n.
import { Conduit, Sink } from './pipeline.js';
import { closeStage, Input, inputOf, type Stage } from './stage.js';
import { StoppingStage } from './stopping.js';
import { suspend } from './signal.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

/** The inner's input: at most `left` more elements from the outer input; leftovers stay here, inside the budget. */
class LimitedInput<I> extends Input<I> {
  constructor(private readonly outer: Input<I>, public left: number) {
    super(null);
  }

  override pull(): I | S.Done | S.Suspend {
    if (this.stack.length !== 0) return this.stack.pop()!;
    if (this.left <= 0) return DONE;
    const x = this.outer.pull();
    if (x === SUSPEND) return SUSPEND;
    if (x === DONE) {
      this.left = 0;
      return DONE;
    }
    this.left--;
    return x;
  }

  /** Owns nothing: the outer input belongs to the takeExactly stage, which drains it. */
  override collect(): void {
    this.closed = true;
  }
}

const INNER = 0, DRAIN = 1, FINISHED = 2;

class TakeExactlyStage<I, O> extends StoppingStage<O, unknown> {
  private readonly limit: LimitedInput<I>;
  private readonly inner: Stage<O, unknown>;
  private phase = INNER;

  constructor(private readonly input: Input<I>, n: number, build: (up: Stage<I, unknown>) => Stage<O, unknown>) {
    super(input);
    this.limit = new LimitedInput(input, n);
    this.inner = build(this.limit);
  }

  override collect(out: Parameters<Stage<O, unknown>['collect']>[0]): void {
    if (this.closed) return;
    super.collect(out);
    this.inner.collect(out);
  }

  pull(): O | S.Done | S.Suspend {
    const h = this.takeHeld();
    if (h !== null) return h;
    if (this.phase === INNER) {
      const x = this.inner.pull();
      if (x !== DONE) return x;
      this.phase = DRAIN;
      this.result = this.inner.result;
      // The inner ended (perhaps early): release what it holds before draining the rest of the n.
      const released = closeStage(this.inner);
      if (released !== undefined) return suspend(released);
    }
    if (this.phase === DRAIN) {
      const limit = this.limit;
      while (limit.left > 0) {
        const x = this.input.pull();
        if (x === SUSPEND) return SUSPEND;
        if (x === DONE) break;
        limit.left--;
      }
      this.phase = FINISHED;
      return this.stop(DONE);
    }
    return DONE;
  }
}

/**
 * Runs `inner` on the next n elements and consumes exactly n from upstream, even when inner stops early
 * (the rest of the n are read and dropped). Upstream ending before n just ends it.
 */
export function takeExactly<I, O>(n: number, inner: Conduit<I, O>): Conduit<I, O>;
export function takeExactly<I, R>(n: number, inner: Sink<I, R>): Sink<I, R>;
export function takeExactly<I, O, R>(n: number, inner: Conduit<I, O> | Sink<I, R>): Conduit<I, O> | Sink<I, R> {
  if (inner instanceof Sink) {
    const build = inner.build;
    return new Sink<I, R>((up) => new TakeExactlyStage<I, never>(inputOf(up), n, build) as unknown as Stage<never, R>);
  }
  const build = inner.build;
  return new Conduit<I, O>((up) => new TakeExactlyStage<I, O>(inputOf(up), n, build));
}
