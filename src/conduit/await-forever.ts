// awaitForever: a custom conduit from a per-element handler `(x, emit) => ...` that may emit any number of outputs
// and may return a promise. The fast ergonomic style: one specialised stage, no generator resumes per element.
import { Conduit } from './pipeline.js';
import { Stage } from './stage.js';
import { park, settled } from './signal.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;
const UNSETTLED: typeof S.UNSETTLED = Symbol.for('sluice.conduit.UNSETTLED') as typeof S.UNSETTLED;

/** Hands one output downstream (queued: it goes out when downstream next pulls, in call order). */
export type Emit<O> = (value: O) => void;

/** A per-element handler: emit as many outputs as needed; return a promise to make the stage wait for it. */
export type ElementHandler<I, O> = (input: I, emit: Emit<O>) => void | PromiseLike<void>;

class AwaitForeverStage<I, O> extends Stage<O, void> {
  /** Outputs emitted but not yet pulled: out[next..count). Both reset to 0 when it empties; the array never shrinks
   * (setting length = 0 would free and regrow its store every element). */
  private readonly out: O[] = [];
  private next = 0;
  private count = 0;
  private parked: PromiseLike<void> | null = null;
  private readonly emit: Emit<O> = (value) => {
    this.out[this.count++] = value;
  };

  constructor(up: Stage<I, unknown>, private readonly handler: ElementHandler<I, O>) {
    super(up);
  }

  pull(): O | S.Done | S.Suspend {
    const out = this.out;
    const up = this.up as Stage<I, unknown>;
    for (;;) {
      if (this.next < this.count) {
        const v = out[this.next]!;
        out[this.next++] = undefined as O; // do not keep emitted values alive
        if (this.next === this.count) this.next = this.count = 0;
        return v;
      }
      const parked = this.parked;
      if (parked !== null) {
        // The handler's promise: its rejection is thrown here, where a catching stage can see it.
        if (settled(parked) === UNSETTLED) return park(parked);
        this.parked = null;
        continue;
      }
      const x = up.pull();
      if (x === DONE) return DONE;
      if (x === SUSPEND) return SUSPEND;
      const r = this.handler(x as I, this.emit);
      if (r !== undefined && r !== null && typeof r.then === 'function') {
        this.parked = r;
        // Outputs go out before the wait is parked with the driver: mark the rejection handled meanwhile.
        if (this.count !== 0) r.then(undefined, ignore);
      }
    }
  }
}

function ignore(): void {}

/**
 * A conduit that calls `handler(x, emit)` for every input; each emit() produces one output, in order. A handler
 * that returns a promise is awaited (one input in flight) before the next input is read; sync handlers cost no promise.
 */
export function awaitForever<I, O>(handler: ElementHandler<I, O>): Conduit<I, O> {
  return new Conduit((up) => new AwaitForeverStage(up, handler));
}
