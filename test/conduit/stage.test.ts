import test from 'ava';
import { acquire, Borrowed, closeStage, fromArray, Input, inputOf, releaseResource, Stage, suppressedOf, type Done } from '../../src/conduit/index.js';
import type { Log } from './helpers.js';

class Holder extends Stage<never, void> {
  pull(): Done {
    return Symbol.for('sluice.conduit.DONE') as Done;
  }
}

test('an Input returns leftovers before upstream, last pushed first', (t) => {
  const input = new Input<number>(fromArray([1, 2]).build());
  t.false(input.hasLeftovers());
  input.leftover(8);
  input.leftover(9);
  t.true(input.hasLeftovers());
  t.deepEqual([input.pull(), input.pull(), input.pull()], [9, 8, 1]);
});

test('inputOf reuses an Input (leftovers flow back to it) and wraps anything else', (t) => {
  const input = new Input<number>(fromArray([1]).build());
  t.is(inputOf(input), input);
  const raw = fromArray([1]).build();
  const wrapped = inputOf(raw);
  t.not(wrapped as unknown, raw);
  t.is(wrapped.up, raw);
});

test('a Borrowed view reads and pushes back through its target but closing it releases nothing', (t) => {
  const log: Log = [];
  const input = new Input<number>(fromArray([1, 2]).build());
  acquire(input, () => void log.push('released'));
  const view = new Borrowed(input);
  view.leftover(7);
  t.true(input.hasLeftovers());
  t.true(view.hasLeftovers());
  t.is(view.pull(), 7);
  t.is(closeStage(view), undefined);
  t.true(view.closed);
  t.deepEqual(log, []);
  t.is(input.pull(), 1);
  t.is(new Borrowed(view).pull(), 2); // a view of a view reads the same target
});

test('closeStage releases a stage and what it owns upstream, newest acquisition first, exactly once', (t) => {
  const log: Log = [];
  const a = new Holder(null);
  const b = new Holder(a as Stage<unknown, unknown>);
  acquire(a, () => void log.push('a1'));
  acquire(b, () => void log.push('b2'));
  acquire(a, () => void log.push('a3'));
  closeStage(b);
  closeStage(b);
  closeStage(a);
  t.deepEqual(log, ['a3', 'b2', 'a1']);
});

test('releaseResource releases one resource early and only once', (t) => {
  const log: Log = [];
  const a = new Holder(null);
  const r = acquire(a, () => void log.push('r'));
  acquire(a, () => void log.push('other'));
  releaseResource(a, r);
  releaseResource(a, r);
  t.deepEqual(log, ['r']);
  closeStage(a);
  t.deepEqual(log, ['r', 'other']);
  t.is(releaseResource(new Holder(null), r), undefined);
});

test('closeStage with a primary error and nothing to release rethrows the primary', (t) => {
  const e = new Error('primary');
  t.throws(() => closeStage(new Holder(null), e), { is: e });
});

test('closeStage with a primary error attaches release failures to it', (t) => {
  const a = new Holder(null);
  acquire(a, () => {
    throw new Error('release');
  });
  const e = new Error('primary');
  const thrown = t.throws(() => closeStage(a, e));
  t.is(thrown, e);
  t.deepEqual(suppressedOf(e).map((x) => (x as Error).message), ['release']);
});
