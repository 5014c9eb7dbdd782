import test from 'ava';
import {
  concatMap, drop, dropWhile, filter, fromAsyncIterable, map, mapAsync, of, range, scan, sinkList, take, takeWhile, tap,
} from '../../src/conduit/index.js';
import { logged, loggedAsync, sync, tick, type Log } from './helpers.js';

async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) {
    await tick();
    yield x;
  }
}

test('map, filter, concatMap, scan and tap transform element by element', (t) => {
  const seen: number[] = [];
  const r = sync(range(0, 6).pipe(
    map((x: number) => x * 2),
    filter((x: number) => x % 4 === 0),
    concatMap((x: number) => [x, -x]),
    scan((acc: number, x: number) => acc + x, 100),
    tap((x: number) => seen.push(x)),
  ).run(sinkList()));
  t.deepEqual(r, [100, 100, 104, 100, 108, 100]);
  t.deepEqual(seen, r);
});

test('filter narrows with a type guard', (t) => {
  const r = sync(of<number | string>(1, 'a', 2).pipe(filter((x): x is number => typeof x === 'number')).run(sinkList()));
  const sum: number = r.reduce((a, x) => a + x, 0);
  t.is(sum, 3);
});

test('element-wise stages pass an async upstream through', async (t) => {
  const r = await fromAsyncIterable(slowly([1, 2, 3, 4])).pipe(
    map((x: number) => x + 1), filter((x: number) => x !== 3), concatMap((x: number) => [x]), scan((a: number, x: number) => a + x, 0),
    drop(1), dropWhile((x: number) => x < 0), takeWhile(() => true), take(5),
  ).run(sinkList());
  t.deepEqual(r, [6, 11]);
});

test('mapAsync keeps order with one call in flight; a sync result costs no promise', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const r = await range(0, 5).pipe(mapAsync(async (x: number) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await tick();
    inFlight--;
    return x * 10;
  })).run(sinkList());
  t.deepEqual(r, [0, 10, 20, 30, 40]);
  t.is(maxInFlight, 1);
  const direct = range(0, 3).pipe(mapAsync((x: number) => x + 1)).run(sinkList());
  t.deepEqual(sync(direct), [1, 2, 3]);
});

test('take never requests element n+1 and releases upstream before the n-th element goes on', (t) => {
  const log: Log = [];
  let pulled = 0;
  const r = sync(logged(log, 'A', [1, 2, 3]).pipe(map((x: number) => (pulled++, x)), take(2), tap((x: number) => log.push(`got ${x}`))).run(sinkList()));
  t.deepEqual(r, [1, 2]);
  t.is(pulled, 2);
  t.deepEqual(log, ['+A', 'got 1', '-A', 'got 2']);
});

test('take(0) releases upstream without reading it, and take past the end just ends', (t) => {
  const log: Log = [];
  t.deepEqual(sync(logged(log, 'A', [1]).pipe(take(0)).run(sinkList())), []);
  t.deepEqual(log, []);
  t.deepEqual(sync(of(1, 2).pipe(take(5)).run(sinkList())), [1, 2]);
});

test('take waits for an async upstream release before handing on the n-th element', async (t) => {
  const log: Log = [];
  const r = await loggedAsync(log, 'A', [1, 2, 3]).pipe(take(1), tap((x: number) => log.push(`got ${x}`))).run(sinkList());
  t.deepEqual(r, [1]);
  t.deepEqual(log, ['+A', '-A', 'got 1']);
});

test('takeWhile stops at the first failing element and releases upstream at once', (t) => {
  const log: Log = [];
  t.deepEqual(sync(logged(log, 'A', [1, 2, 3, 1]).pipe(takeWhile((x: number) => x < 3)).run(sinkList())), [1, 2]);
  t.deepEqual(log, ['+A', '-A']);
  t.deepEqual(sync(of(1, 2).pipe(takeWhile(() => true)).run(sinkList())), [1, 2]);
});

test('takeWhile waits for an async upstream release', async (t) => {
  const log: Log = [];
  t.deepEqual(await loggedAsync(log, 'A', [1, 5, 1]).pipe(takeWhile((x: number) => x < 3)).run(sinkList()), [1]);
  t.deepEqual(log, ['+A', '-A']);
});

test('drop and dropWhile skip a prefix', (t) => {
  t.deepEqual(sync(range(0, 5).pipe(drop(2)).run(sinkList())), [2, 3, 4]);
  t.deepEqual(sync(range(0, 2).pipe(drop(5)).run(sinkList())), []);
  t.deepEqual(sync(of(1, 2, 5, 1).pipe(dropWhile((x: number) => x < 3)).run(sinkList())), [5, 1]);
});
