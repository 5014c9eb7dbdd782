import test from 'ava';
import { attachSuppressed, makeResource, releaseAll, suppressedOf } from '../../src/conduit/finalize.js';
import { tick, type Log } from './helpers.js';

test('releaseAll runs every release in the given order even when some throw; the first error is thrown', (t) => {
  const log: Log = [];
  const rs = [
    makeResource(() => void log.push('1')),
    makeResource(() => {
      log.push('2');
      throw new Error('two');
    }),
    makeResource(() => {
      log.push('3');
      throw new Error('three');
    }),
  ];
  const e = t.throws(() => releaseAll(rs));
  t.deepEqual(log, ['1', '2', '3']);
  t.is(e?.message, 'two');
  t.deepEqual(suppressedOf(e).map((x) => (x as Error).message), ['three']);
});

test('releaseAll stays sync when every release is sync', (t) => {
  t.is(releaseAll([makeResource(() => undefined)]), undefined);
});

test('releaseAll awaits an async release before starting the next one', async (t) => {
  const log: Log = [];
  const rs = [
    makeResource(async () => {
      await tick();
      log.push('async 1');
    }),
    makeResource(() => void log.push('sync 2')),
    makeResource(async () => {
      await tick();
      throw new Error('async 3');
    }),
  ];
  const p = releaseAll(rs);
  t.true(p instanceof Promise);
  await t.throwsAsync(p as Promise<void>, { message: 'async 3' });
  t.deepEqual(log, ['async 1', 'sync 2']);
});

test('releaseAll with a primary error rejects with it and attaches async release errors', async (t) => {
  const primary = new Error('primary');
  const p = releaseAll([makeResource(async () => {
    throw new Error('late');
  })], primary);
  const e = await t.throwsAsync(p as Promise<void>);
  t.is(e, primary);
  t.deepEqual(suppressedOf(primary).map((x) => (x as Error).message), ['late']);
});

test('resources are numbered in acquisition order', (t) => {
  const a = makeResource(() => undefined);
  const b = makeResource(() => undefined);
  t.true(b.seq > a.seq);
});

test('attachSuppressed keeps the primary object, appends to its list and hides it from enumeration', (t) => {
  const e = new Error('p');
  t.is(attachSuppressed(e, []), e);
  t.is(attachSuppressed(e, ['x']), e);
  t.is(attachSuppressed(e, ['y']), e);
  t.deepEqual(suppressedOf(e), ['x', 'y']);
  t.false(Object.keys(e).includes('suppressed'));
});

test('attachSuppressed wraps a primary that is not an extensible object in an AggregateError', (t) => {
  const a = attachSuppressed('text', ['x']) as AggregateError;
  t.true(a instanceof AggregateError);
  t.deepEqual(a.errors, ['text', 'x']);
  t.is(a.cause, 'text');
  const frozen = Object.freeze(new Error('frozen'));
  t.true(attachSuppressed(frozen, ['y']) instanceof AggregateError);
});

test('suppressedOf is empty for values without a list', (t) => {
  t.deepEqual(suppressedOf(undefined), []);
  t.deepEqual(suppressedOf('text'), []);
  t.deepEqual(suppressedOf(new Error('plain')), []);
});
