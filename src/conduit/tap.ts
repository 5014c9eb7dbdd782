// Tap: the hand-fed input of a fan-out stage's branches (zipSinks, zipConduits). It hands each element over once;
// when its branch asks for more it answers SUSPEND on an already-settled promise, which the fan-out stage takes back.
import { Stage } from './stage.js';
import { suspend, takePending } from './signal.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;

/** Already settled: a Tap's SUSPEND is never waited on, the fan-out stage takes it back with reclaim(). */
const FED_BY_HAND: Promise<void> = Promise.resolve();

/** A branch's input, fed one element at a time by its fan-out stage; it owns nothing upstream. */
export class Tap<I> extends Stage<I, void> {
  private value: I | undefined = undefined;
  private full = false;
  private ended = false;
  /** Set when the branch asked for an element the tap does not have yet. */
  wanting = false;

  constructor() {
    super(null);
  }

  /** Hands `x` to the branch (read by its next pull). */
  feed(x: I): void {
    this.value = x;
    this.full = true;
    this.wanting = false;
  }

  /** Tells the branch its input has ended. */
  end(): void {
    this.ended = true;
    this.wanting = false;
  }

  pull(): I | S.Done | S.Suspend {
    if (this.full) {
      const v = this.value as I;
      this.full = false;
      this.value = undefined;
      return v;
    }
    if (this.ended) return DONE;
    this.wanting = true;
    return suspend(FED_BY_HAND);
  }

  /** After the branch returned SUSPEND: true (and the pending wait dropped) when it only wants its next element. */
  reclaim(): boolean {
    if (!this.wanting) return false;
    takePending();
    return true;
  }
}
