// Releases: LIFO by acquisition, every one runs even when one throws, the primary error is kept and the rest ride along.
// Sync releases stay sync; the first async release turns the rest into a promise chain (still strictly in order).

/** One acquired resource: released exactly once. */
export interface Resource {
  /** Acquisition order, global and increasing: releases that happen together run from the highest down. */
  readonly seq: number;
  /** The release action. */
  readonly release: () => void | PromiseLike<void>;
}

let nextSeq = 0;

/** Makes a resource record with the next acquisition number. */
export function makeResource(release: () => void | PromiseLike<void>): Resource {
  return { seq: ++nextSeq, release };
}

/** Marker for "no primary error". */
const NO_ERROR: unique symbol = Symbol('no error');

/** Error thrown values carry the errors of releases that failed while it propagated, in `suppressed`. */
export interface WithSuppressed {
  suppressed?: unknown[];
}

/**
 * Attaches `others` to `primary`: the primary error object itself is kept (so `code` checks still work) and
 * gains a non-enumerable `suppressed` array. A primary that is not an object is wrapped in an AggregateError.
 */
export function attachSuppressed(primary: unknown, others: readonly unknown[]): unknown {
  if (others.length === 0) return primary;
  if (typeof primary !== 'object' || primary === null || Object.isFrozen(primary)) {
    return new AggregateError([primary, ...others], 'a pipeline failed and some releases failed too', { cause: primary });
  }
  const target = primary as WithSuppressed;
  const list = Array.isArray(target.suppressed) ? target.suppressed : [];
  list.push(...others);
  if (list !== target.suppressed) Object.defineProperty(primary, 'suppressed', { value: list, configurable: true, writable: true });
  return primary;
}

/** The errors attached to `error` by the pipeline's releases (empty when none). */
export function suppressedOf(error: unknown): readonly unknown[] {
  const s = typeof error === 'object' && error !== null ? (error as WithSuppressed).suppressed : undefined;
  return Array.isArray(s) ? s : [];
}

function isThenable(x: unknown): x is PromiseLike<void> {
  return typeof x === 'object' && x !== null && typeof (x as PromiseLike<void>).then === 'function';
}

/**
 * Runs `resources` in the order given (callers sort LIFO). Returns undefined when all were sync, else a promise.
 * Throws (or rejects) with `primary` if given, else with the first release error; the others are attached.
 */
export function releaseAll(resources: readonly Resource[], primary: unknown = NO_ERROR): void | Promise<void> {
  const errors: unknown[] = [];
  for (let i = 0; i < resources.length; i++) {
    let r: void | PromiseLike<void>;
    try {
      r = resources[i]!.release();
    } catch (e) {
      errors.push(e);
      continue;
    }
    if (isThenable(r)) return continueAsync(resources, i, r, errors, primary);
  }
  settle(errors, primary);
}

async function continueAsync(
  resources: readonly Resource[], at: number, first: PromiseLike<void>, errors: unknown[], primary: unknown,
): Promise<void> {
  try {
    await first;
  } catch (e) {
    errors.push(e);
  }
  for (let i = at + 1; i < resources.length; i++) {
    try {
      await resources[i]!.release();
    } catch (e) {
      errors.push(e);
    }
  }
  settle(errors, primary);
}

function settle(errors: unknown[], primary: unknown): void {
  if (primary !== NO_ERROR) throw attachSuppressed(primary, errors);
  if (errors.length > 0) throw attachSuppressed(errors[0], errors.slice(1));
}
