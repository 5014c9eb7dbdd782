// Puller: drives a source from outside, one element per next(), for the push-side adapters (async iterators,
// Node Readables, web ReadableStreams). Sync when no stage suspends; it closes the stages at the end, on an error or on close().
import type { Source } from './pipeline.js';
import { closeStage, type Stage } from './stage.js';
import { lastWasPark, recordOutcome, takePending } from './signal.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

/** Pulls a source's elements one at a time from outside a pipeline. */
export class Puller<O> {
  private readonly stage: Stage<O, unknown>;
  private finished = false;
  /** Settles when close() is called, so a pending wait ends at once instead of hanging on the parked promise. */
  private closedWait: Promise<void> | null = null;
  private wakeClosed: (() => void) | null = null;

  constructor(source: Source<O>) {
    this.stage = source.build();
  }

  /** Whether the source has ended, failed or been closed. */
  get done(): boolean {
    return this.finished;
  }

  /**
   * The next element or DONE: synchronously when no stage suspended, else a promise. On DONE or an error the stages
   * have been closed (every release run) before it returns or settles; an error carries release failures in `suppressed`.
   */
  next(): O | S.Done | Promise<O | S.Done> {
    if (this.finished) return DONE;
    let x: O | S.Done | S.Suspend;
    try {
      x = this.stage.pull();
    } catch (e) {
      return this.fail(e);
    }
    if (x === DONE) return this.finish();
    if (x === SUSPEND) return this.waitAndPull();
    return x;
  }

  /** Stops early: releases everything the source holds (exactly once; later calls do nothing). */
  close(): void | Promise<void> {
    this.finished = true;
    this.wakeClosed?.();
    return closeStage(this.stage);
  }

  /** Waits for `p` or for close(), whichever comes first. */
  private waitFor(p: PromiseLike<unknown>): Promise<unknown> {
    this.closedWait ??= new Promise<void>((resolve) => {
      this.wakeClosed = resolve;
    });
    return Promise.race([p, this.closedWait]);
  }

  private async waitAndPull(): Promise<O | S.Done> {
    for (;;) {
      const p = takePending();
      if (lastWasPark()) {
        // A parked wait: record its outcome and pull at once, so the stage reads it with settled().
        let ok = true;
        let v: unknown;
        try {
          v = await this.waitFor(p);
        } catch (e) {
          ok = false;
          v = e;
        }
        if (this.finished) return DONE;
        recordOutcome(p, ok, v);
      } else {
        try {
          await this.waitFor(p);
        } catch (e) {
          if (this.finished) return DONE;
          return this.fail(e);
        }
        if (this.finished) return DONE;
      }
      let x: O | S.Done | S.Suspend;
      try {
        x = this.stage.pull();
      } catch (e) {
        return this.fail(e);
      }
      if (x === DONE) return this.finish();
      if (x !== SUSPEND) return x;
    }
  }

  private finish(): S.Done | Promise<S.Done> {
    this.finished = true;
    const released = closeStage(this.stage);
    if (released === undefined) return DONE;
    return released.then(() => DONE);
  }

  private fail(error: unknown): never | Promise<never> {
    this.finished = true;
    return closeStage(this.stage, error) as Promise<never>;
  }
}
