// Stages that end before their upstream does: they close what they own upstream before handing on their last value,
// so a resource upstream is released before downstream continues (prompt finalization, not at the end of the run).
// A release that fails never costs that last value: it still goes downstream, and the failure is raised when this
// stage closes (with downstream's own error primary if downstream fails on it, the release error suppressed).
import { acquire, closeStage, Stage } from './stage.js';
import { suspend } from './signal.js';
import type * as S from './signal.js';

/** A stage that can stop early: stop(v) closes upstream, then v (an element or DONE) goes downstream. */
export abstract class StoppingStage<O, R = void> extends Stage<O, R> {
  /** Set once stop() has run: every later pull returns DONE. */
  protected stopped = false;
  private parkedValue: { v: O | S.Done } | null = null;

  /** The value held while an async upstream release finished (null when none): return it from pull() first. */
  protected takeHeld(): O | S.Done | null {
    const h = this.parkedValue;
    if (h === null) return null;
    this.parkedValue = null;
    return h.v;
  }

  /** Closes upstream now; returns `value` (or SUSPEND until an async release finishes, then `value` via takeHeld). */
  protected stop(value: O | S.Done): O | S.Done | S.Suspend {
    this.stopped = true;
    const up = this.up;
    if (up === null) return value;
    let released: void | Promise<void>;
    try {
      released = closeStage(up);
    } catch (e) {
      this.deferFailure(e);
      return value;
    }
    if (released === undefined) return value;
    return suspend(released.then(
      () => {
        this.parkedValue = { v: value };
      },
      (e: unknown) => {
        this.deferFailure(e);
        this.parkedValue = { v: value };
      },
    ));
  }

  /** Keeps a failed upstream release to rethrow when this stage closes, so the value in hand is not lost. */
  private deferFailure(error: unknown): void {
    acquire(this, () => {
      throw error;
    });
  }
}
