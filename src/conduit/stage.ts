// The runtime of a pipeline: one object per stage, linked to its upstream, pulled by its downstream.
// A stage owns its upstream unless that upstream is Borrowed; closing a stage closes what it owns, LIFO by acquisition.
import { makeResource, releaseAll, type Resource } from './finalize.js';
import type { Done, Suspend } from './signal.js';

/** A running stage: pull() yields the next element, DONE (ended and released) or SUSPEND (parked on a promise). */
export abstract class Stage<O, R = unknown> {
  /** The upstream stage this one reads from (null for sources). */
  up: Stage<unknown, unknown> | null;
  /** The stage's result, valid once pull() has returned DONE. */
  result: R = undefined as R;
  /** Set once the stage has been closed (released); a closed stage is never released again. */
  closed = false;
  /** Resources this stage holds (null when none: the common case costs nothing). */
  held: Resource[] | null = null;

  constructor(up: Stage<unknown, unknown> | null) {
    this.up = up;
  }

  /** The next element, DONE or SUSPEND. */
  abstract pull(): O | Done | Suspend;

  /** Marks this stage and everything it owns closed, collecting their resources into `out`. */
  collect(out: Resource[]): void {
    if (this.closed) return;
    this.closed = true;
    const held = this.held;
    if (held !== null) {
      for (let i = 0; i < held.length; i++) out.push(held[i]!);
      this.held = null;
    }
    if (this.up !== null) this.up.collect(out);
  }
}

/** Registers a release action owned by `stage`; it runs when the stage ends or is closed, or via releaseResource. */
export function acquire(stage: Stage<unknown, unknown>, release: () => void | PromiseLike<void>): Resource {
  const r = makeResource(release);
  if (stage.held === null) stage.held = [r];
  else stage.held.push(r);
  return r;
}

/** Releases one resource now (if the stage still holds it): a natural end, not a close. */
export function releaseResource(stage: Stage<unknown, unknown>, r: Resource): void | Promise<void> {
  const held = stage.held;
  const i = held === null ? -1 : held.indexOf(r);
  if (i < 0) return;
  held!.splice(i, 1);
  return releaseAll([r]);
}

function bySeqDescending(a: Resource, b: Resource): number {
  return b.seq - a.seq;
}

/**
 * Closes `stage` and everything it owns: all their resources are released together, newest first.
 * Returns undefined when every release was sync, else a promise; throws/rejects with `primary` (if given) or the
 * first release error, the rest attached.
 */
export function closeStage(stage: Stage<unknown, unknown>, ...primary: [] | [unknown]): void | Promise<void> {
  const out: Resource[] = [];
  stage.collect(out);
  if (out.length === 0) {
    if (primary.length === 1) throw primary[0];
    return;
  }
  if (out.length > 1) out.sort(bySeqDescending);
  return primary.length === 1 ? releaseAll(out, primary[0]) : releaseAll(out);
}

/** A stage's input: upstream plus a leftover stack (the last pushed is read first). */
export class Input<I> extends Stage<I, unknown> {
  /** Pushed-back elements, read before upstream (read-only outside Input subclasses: use leftover()). */
  stack: I[] = [];

  constructor(up: Stage<I, unknown> | null) {
    super(up);
  }

  pull(): I | Done | Suspend {
    if (this.stack.length !== 0) return this.stack.pop()!;
    return (this.up as Stage<I, unknown>).pull();
  }

  /** Pushes `x` back: the next pull() returns it. */
  leftover(x: I): void {
    this.stack.push(x);
  }

  /** Whether leftovers are waiting. */
  hasLeftovers(): boolean {
    return this.stack.length !== 0;
  }
}

/** The input a leftover-aware stage reads from: `up` itself when it already is one (leftovers then flow upstream). */
export function inputOf<I>(up: Stage<I, unknown>): Input<I> {
  return up instanceof Input ? (up as Input<I>) : new Input<I>(up);
}

/**
 * A non-owning view of an Input: reads and leftovers go to the target, but closing the view releases nothing.
 * This is how a stage lends its input to a sub-pipeline (sequential composition) and how resumable sources lend theirs.
 */
export class Borrowed<I> extends Input<I> {
  private readonly target: Input<I>;

  constructor(target: Input<I>) {
    super(null);
    // Borrowing a borrowed view borrows its target: nested sub-pipelines add no hop per level (and no recursion).
    this.target = target instanceof Borrowed ? (target as Borrowed<I>).target : target;
  }

  override pull(): I | Done | Suspend {
    return this.target.pull();
  }

  override leftover(x: I): void {
    this.target.leftover(x);
  }

  override hasLeftovers(): boolean {
    return this.target.hasLeftovers();
  }

  override collect(): void {
    this.closed = true;
  }
}
