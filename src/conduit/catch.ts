// catchError: errors inside a pipeline. When the wrapped source or conduit throws, it is closed (its resources
// released, LIFO) and a handler's replacement continues on the same input. Errors from upstream are not caught.
import { Conduit, Source } from './pipeline.js';
import { Borrowed, closeStage, inputOf, Stage, type Input } from './stage.js';
import { park, settled } from './signal.js';
import type { Resource } from './finalize.js';
import type * as S from './signal.js';

const UNSETTLED: typeof S.UNSETTLED = Symbol.for('sluice.conduit.UNSETTLED') as typeof S.UNSETTLED;

/** The wrapped conduit's view of the input: it remembers whether an error came from upstream (not to be caught). */
class GuardedInput<I> extends Borrowed<I> {
  upstreamFailed = false;

  override pull(): I | S.Done | S.Suspend {
    try {
      return super.pull();
    } catch (e) {
      this.upstreamFailed = true;
      throw e;
    }
  }
}

type Build<O> = (up: Stage<unknown, unknown> | null) => Stage<O, unknown>;

class CatchStage<O> extends Stage<O, void> {
  private readonly guard: GuardedInput<unknown> | null;
  private inner: Stage<O, unknown>;
  /** The close of the failed inner stage while it runs (async releases); its rejection is the error to handle. */
  private closing: PromiseLike<void> | null = null;
  private handled = false;

  constructor(
    private readonly input: Input<unknown> | null,
    first: Build<O>,
    private readonly handler: (error: unknown) => Build<O>,
  ) {
    super(input);
    this.guard = input === null ? null : new GuardedInput(input);
    this.inner = first(this.guard);
  }

  override collect(out: Resource[]): void {
    if (this.closed) return;
    super.collect(out);
    this.inner.collect(out);
  }

  pull(): O | S.Done | S.Suspend {
    if (this.closing !== null) {
      const closing = this.closing;
      try {
        if (settled(closing) === UNSETTLED) return park(closing);
      } catch (augmented) {
        this.closing = null;
        this.recover(augmented);
      }
    }
    if (this.handled) return this.inner.pull();
    try {
      return this.inner.pull();
    } catch (e) {
      if (this.guard?.upstreamFailed === true) throw e;
      // Close the failed part now; the error (with any release failures in `suppressed`) goes to the handler.
      let released: void | Promise<void>;
      try {
        released = closeStage(this.inner, e);
      } catch (augmented) {
        this.recover(augmented);
        return this.inner.pull();
      }
      this.closing = released as Promise<void>;
      return park(released as Promise<void>);
    }
  }

  private recover(error: unknown): void {
    this.handled = true;
    this.inner = this.handler(error)(this.input === null ? null : new Borrowed(this.input));
  }
}

/** Plays `source`; if it throws, closes it and continues with the source `handler` returns for the error. */
export function catchError<O>(source: Source<O>, handler: (error: unknown) => Source<O>): Source<O>;
/** Runs `conduit`; if it throws, closes it and continues on the same input with the conduit `handler` returns. */
export function catchError<I, O>(conduit: Conduit<I, O>, handler: (error: unknown) => Conduit<I, O>): Conduit<I, O>;
export function catchError<I, O>(
  inner: Source<O> | Conduit<I, O>, handler: (error: unknown) => Source<O> | Conduit<I, O>,
): Source<O> | Conduit<I, O> {
  if (inner instanceof Source) {
    const fromSource = (s: Source<O>): Build<O> => () => s.build();
    return new Source(() => new CatchStage<O>(null, fromSource(inner), (e) => fromSource(handler(e) as Source<O>)));
  }
  const fromConduit = (c: Conduit<I, O>): Build<O> => (up) => c.build(up as Stage<I, unknown>);
  return new Conduit<I, O>((up) => new CatchStage<O>(
    inputOf(up) as Input<unknown>, fromConduit(inner), (e) => fromConduit(handler(e) as Conduit<I, O>),
  ));
}
