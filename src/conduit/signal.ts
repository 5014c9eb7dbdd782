// The pull protocol's sentinels: a stage's pull() returns an element, DONE or SUSPEND.
// SUSPEND means "parked on a promise": the driver awaits it and pulls again, so sync stages never pay for promises.

/** Returned by pull() when a stage has ended (and released what it owns). */
export const DONE: unique symbol = Symbol.for('sluice.conduit.DONE') as never;
/** Returned by pull() when a stage is waiting on a promise (see suspend()). */
export const SUSPEND: unique symbol = Symbol.for('sluice.conduit.SUSPEND') as never;
/** What a generator stage's receive() yields when upstream has ended. */
export const END: unique symbol = Symbol.for('sluice.conduit.END') as never;

/** The type of DONE. */
export type Done = typeof DONE;
/** The type of SUSPEND. */
export type Suspend = typeof SUSPEND;
/** The type of END. */
export type End = typeof END;
/** What pull() returns. */
export type Step<O> = O | Done | Suspend;

// Only one stage can be mid-suspension at a time: suspend()/park() is called and SUSPEND is returned synchronously
// up the stack to a driver, which takes the promise before anything else runs.
let pending: PromiseLike<unknown> | null = null;
let pendingIsPark = false;

/** Parks the current pull on `p`, a wait whose rejection fails the run: call as `return suspend(p)` from pull(). */
export function suspend(p: PromiseLike<unknown>): Suspend {
  pending = p;
  pendingIsPark = false;
  return SUSPEND;
}

/**
 * Parks the current pull on `p` and lets the stage read its outcome: the driver awaits p, records the outcome and
 * pulls again; the stage then calls settled(p) to get the value (or have the error thrown where it can be caught).
 * This costs one await per wait: no extra promise or closure.
 */
export function park(p: PromiseLike<unknown>): Suspend {
  pending = p;
  pendingIsPark = true;
  return SUSPEND;
}

/** Returned by settled() when the driver has not settled the promise yet. */
export const UNSETTLED: unique symbol = Symbol.for('sluice.conduit.UNSETTLED') as never;

let outcomeOf: PromiseLike<unknown> | null = null;
let outcomeOk = false;
let outcomeValue: unknown = undefined;

/** The outcome of a parked promise: its value, UNSETTLED (park again), or its rejection thrown. Consumes it. */
export function settled(p: PromiseLike<unknown>): unknown {
  if (outcomeOf !== p) return UNSETTLED;
  outcomeOf = null;
  const v = outcomeValue;
  outcomeValue = undefined;
  if (outcomeOk) return v;
  throw v;
}

/** Takes the promise left by the last suspend()/park() (drivers only). */
export function takePending(): PromiseLike<unknown> {
  const p = pending;
  pending = null;
  if (p === null) throw new Error('sluice/conduit: a stage returned SUSPEND without calling suspend() or park()');
  return p;
}

/** Whether the promise from the last takePending() was park()ed (drivers only; read right after takePending). */
export function lastWasPark(): boolean {
  return pendingIsPark;
}

/** Records a parked promise's outcome for settled() (drivers only). */
export function recordOutcome(p: PromiseLike<unknown>, ok: boolean, value: unknown): void {
  outcomeOf = p;
  outcomeOk = ok;
  outcomeValue = value;
}
