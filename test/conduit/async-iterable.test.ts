import test from 'ava';
import { map, mapAsync, range, toAsyncIterable } from '../../src/conduit/index.js';
import { logged, loggedAsync, type Log } from './helpers.js';

test('for await over a source sees every element and the source is released at its end', async (t) => {
  const log: Log = [];
  for await (const x of toAsyncIterable(logged(log, 'A', [1, 2]))) log.push(`got ${x}`);
  t.deepEqual(log, ['+A', 'got 1', 'got 2', '-A']);
});

test('break releases the source before the loop goes on (async releases awaited)', async (t) => {
  const log: Log = [];
  for await (const x of toAsyncIterable(loggedAsync(log, 'A', [1, 2, 3]))) {
    log.push(`got ${x}`);
    if (x === 1) break;
  }
  log.push('after loop');
  t.deepEqual(log, ['+A', 'got 1', '-A', 'after loop']);
});

test('nothing is read ahead of the loop', async (t) => {
  let pulled = 0;
  for await (const x of toAsyncIterable(range(0, 100).pipe(map((x: number) => (pulled++, x))))) if (x === 2) break;
  t.is(pulled, 3);
});

test('an error in the source closes it, then rejects next()', async (t) => {
  const log: Log = [];
  const src = logged(log, 'A', [1, 2]).pipe(map((x: number) => {
    if (x === 2) throw new Error('bad');
    return x;
  }));
  await t.throwsAsync(async () => {
    for await (const x of toAsyncIterable(src)) log.push(`got ${x}`);
  }, { message: 'bad' });
  t.deepEqual(log, ['+A', 'got 1', '-A']);
  const asyncSrc = range(0, 2).pipe(mapAsync(async () => {
    throw new Error('async bad');
  }));
  await t.throwsAsync(toAsyncIterable(asyncSrc).next(), { message: 'async bad' });
});

test('concurrent next() calls are served one after the other, in order', async (t) => {
  const it = toAsyncIterable(range(0, 3).pipe(mapAsync(async (x: number) => x)));
  const results = await Promise.all([it.next(), it.next(), it.next(), it.next()]);
  t.deepEqual(results, [{ done: false, value: 0 }, { done: false, value: 1 }, { done: false, value: 2 }, { done: true, value: undefined }]);
  t.deepEqual(await it.next(), { done: true, value: undefined });
});

test('the iterator is its own async iterable', (t) => {
  const it = toAsyncIterable(range(0, 1));
  t.is(it[Symbol.asyncIterator](), it);
});
