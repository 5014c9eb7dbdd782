import test from 'ava';
import {
  fold, forEach, forEachAsync, fromAsyncIterable, head, last, length, map, of, range, sinkList, sinkNull,
} from '../../src/conduit/index.js';
import { sync, tick } from './helpers.js';

async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) {
    await tick();
    yield x;
  }
}

test('fold, sinkList, last and length summarise every element', (t) => {
  t.is(sync(range(1, 5).run(fold((a: number, x: number) => a * x, 1))), 24);
  t.deepEqual(sync(range(0, 3).run(sinkList())), [0, 1, 2]);
  t.is(sync(range(0, 3).run(last())), 2);
  t.is(sync(of<number>().run(last())), undefined);
  t.is(sync(range(0, 7).run(length())), 7);
});

test('sinks keep their state across an async upstream', async (t) => {
  t.is(await fromAsyncIterable(slowly([1, 2, 3])).run(fold((a: number, x: number) => a + x, 0)), 6);
  t.deepEqual(await fromAsyncIterable(slowly([1, 2])).run(sinkList()), [1, 2]);
  t.is(await fromAsyncIterable(slowly([1, 2])).run(head()), 1);
  t.is(await fromAsyncIterable(slowly([1, 2])).run(sinkNull()), undefined);
});

test('head takes the first element and requests nothing after it', (t) => {
  let pulled = 0;
  t.is(sync(range(5, 100).pipe(map((x: number) => (pulled++, x))).run(head())), 5);
  t.is(pulled, 1);
  t.is(sync(of<number>().run(head())), undefined);
});

test('sinkNull drains and forEach calls f for every element', (t) => {
  let pulled = 0;
  t.is(sync(range(0, 4).pipe(map((x: number) => (pulled++, x))).run(sinkNull())), undefined);
  t.is(pulled, 4);
  const seen: number[] = [];
  sync(range(0, 3).run(forEach((x: number) => seen.push(x))));
  t.deepEqual(seen, [0, 1, 2]);
});

test('forEachAsync awaits each call in turn; sync calls cost no promise', async (t) => {
  const log: string[] = [];
  await range(0, 2).run(forEachAsync(async (x: number) => {
    log.push(`start ${x}`);
    await tick();
    log.push(`end ${x}`);
  }));
  t.deepEqual(log, ['start 0', 'end 0', 'start 1', 'end 1']);
  const seen: number[] = [];
  t.is(sync(range(0, 2).run(forEachAsync((x: number) => void seen.push(x)))), undefined);
  t.deepEqual(seen, [0, 1]);
  await t.throwsAsync(Promise.resolve(range(0, 2).run(forEachAsync(async () => {
    throw new Error('callback failed');
  }))), { message: 'callback failed' });
  t.is(await fromAsyncIterable(slowly([1])).run(forEachAsync(() => undefined)), undefined);
});
