import test from 'ava';
import { concat, empty, fold, map, mapAsync, of, range, sinkList, take, type Source } from '../../src/conduit/index.js';
import { logged, loggedAsync, sync, type Log } from './helpers.js';

test('concat plays each source in turn', (t) => {
  t.deepEqual(sync(concat(of(1, 2), empty<number>(), of(3)).run(sinkList())), [1, 2, 3]);
  t.deepEqual(sync(concat<number>().run(sinkList())), []);
});

test('concat releases each part when it ends, before the next part starts', (t) => {
  const log: Log = [];
  const s = concat(logged(log, 'A', [1]), logged(log, 'B', [2]));
  const r = sync(s.pipe(map((x: number) => (log.push(`got ${x}`), x))).run(sinkList()));
  t.deepEqual(r, [1, 2]);
  t.deepEqual(log, ['+A', 'got 1', '-A', '+B', 'got 2', '-B']);
});

test('concat waits for a part\'s async release before starting the next part', async (t) => {
  const log: Log = [];
  const r = await concat(loggedAsync(log, 'A', [1]), logged(log, 'B', [2])).run(sinkList());
  t.deepEqual(r, [1, 2]);
  t.deepEqual(log, ['+A', '-A', '+B', '-B']);
});

test('an early stop inside concat releases the current part only (later parts never start)', (t) => {
  const log: Log = [];
  const r = sync(concat(logged(log, 'A', [1, 2]), logged(log, 'B', [3])).pipe(take(1)).run(sinkList()));
  t.deepEqual(r, [1]);
  t.deepEqual(log, ['+A', '-A']);
});

test('concat plays async parts', async (t) => {
  t.deepEqual(await concat(range(0, 2).pipe(mapAsync(async (x: number) => x)), of(9)).run(sinkList()), [0, 1, 9]);
});

const sum = fold((a: number, x: number) => a + x, 0);

test('100,000 right-nested concats run without overflowing the stack', (t) => {
  let s: Source<number> = of(0);
  for (let i = 1; i <= 100_000; i++) s = concat(of(i), s);
  t.is(sync(s.run(sum)), (100_000 * 100_001) / 2);
});

test('100,000 left-nested concats run without overflowing the stack, in order', (t) => {
  let s: Source<number> = of(0);
  for (let i = 1; i <= 100_000; i++) s = concat(s, of(i));
  t.deepEqual(sync(s.pipe(take(3)).run(sinkList())), [0, 1, 2]);
  t.is(sync(s.run(sum)), (100_000 * 100_001) / 2);
});

test('a concat description is reusable', (t) => {
  const s = concat(of(1), concat(of(2), of(3)));
  t.deepEqual(sync(s.run(sinkList())), [1, 2, 3]);
  t.deepEqual(sync(s.run(sinkList())), [1, 2, 3]);
});
