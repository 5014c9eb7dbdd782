// Source concatenation: concat(a, b, ...) plays each source to its end, releasing it, before starting the next.
// Nested concats are not nested stages: the stage walks the tree with an explicit stack, so neither
// concat(a, concat(b, ...)) nor concat(concat(a, b), c) 100,000 deep can overflow the call stack.
import { Source } from './pipeline.js';
import { closeStage, Stage } from './stage.js';
import { suspend } from './signal.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;

/** The parts of every Source made by concat(), so a nested concat is flattened when it runs, not when it is built. */
const PARTS = new WeakMap<Source<unknown>, readonly Source<unknown>[]>();

class ConcatStage<O> extends Stage<O, void> {
  /** Sources still to play, the next one last (concat nodes are expanded when they reach the top). */
  private readonly todo: Source<unknown>[];
  private current: Stage<O, unknown> | null = null;

  constructor(parts: readonly Source<unknown>[]) {
    super(null);
    this.todo = parts.slice().reverse();
  }

  pull(): O | S.Done | S.Suspend {
    for (;;) {
      let current = this.current;
      if (current === null) {
        const next = this.nextLeaf();
        if (next === null) return DONE;
        current = this.current = next.build() as Stage<O, unknown>;
        this.up = current;
      }
      const x = current.pull();
      if (x !== DONE) return x;
      // This part ended: make sure it released everything before the next one starts.
      this.current = null;
      this.up = null;
      const released = closeStage(current);
      if (released !== undefined) return suspend(released);
    }
  }

  private nextLeaf(): Source<unknown> | null {
    for (;;) {
      const s = this.todo.pop();
      if (s === undefined) return null;
      const parts = PARTS.get(s);
      if (parts === undefined) return s;
      for (let i = parts.length - 1; i >= 0; i--) this.todo.push(parts[i]!);
    }
  }
}

/** The elements of each source in turn; each is released when it ends, before the next one starts. */
export function concat<O>(...sources: Source<O>[]): Source<O> {
  const parts = sources as readonly Source<unknown>[];
  const s = new Source<O>(() => new ConcatStage<O>(parts));
  PARTS.set(s as Source<unknown>, parts);
  return s;
}
