import test from 'ava';
import { ReadableStream } from 'node:stream/web';
import { fromReadableStream, map, mapAsync, range, sinkList, take, toReadableStream } from '../../src/conduit/index.js';
import { logged, loggedAsync, type Log } from './helpers.js';

test('fromReadableStream yields the chunks and releases the reader lock at the end', async (t) => {
  const stream = toReadableStream(range(0, 3));
  t.deepEqual(await fromReadableStream(stream).runAsync(sinkList()), [0, 1, 2]);
  t.false(stream.locked);
});

test('fromReadableStream cancels the stream on an early stop and releases the lock', async (t) => {
  const log: Log = [];
  let n = 0;
  const stream = new ReadableStream<number>({
    pull(c) {
      c.enqueue(n++);
    },
    cancel() {
      log.push('cancel');
    },
  });
  t.deepEqual(await fromReadableStream(stream).pipe(take(2)).runAsync(sinkList()), [0, 1]);
  t.deepEqual(log, ['cancel']);
  t.false(stream.locked);
});

test('fromReadableStream fails with the stream\'s error and drops the lock', async (t) => {
  const stream = new ReadableStream<number>({
    pull(c) {
      c.error(new Error('stream broke'));
    },
  });
  await t.throwsAsync(fromReadableStream(stream).runAsync(sinkList()), { message: 'stream broke' });
  t.false(stream.locked);
});

test('an abort while a read is pending cancels the stream', async (t) => {
  const log: Log = [];
  const stream = new ReadableStream<number>({
    pull() {
      return new Promise(() => undefined);
    },
    cancel() {
      log.push('cancel');
    },
  });
  const ac = new AbortController();
  const run = fromReadableStream(stream).runAsync(sinkList(), { signal: ac.signal });
  await new Promise((r) => setImmediate(r));
  ac.abort(new Error('stop'));
  await t.throwsAsync(run, { message: 'stop' });
  t.deepEqual(log, ['cancel']);
  t.false(stream.locked);
});

test('toReadableStream pulls one element per read (nothing read ahead)', async (t) => {
  let pulled = 0;
  const reader = toReadableStream(range(0, 100).pipe(map((x: number) => (pulled++, x)))).getReader();
  t.deepEqual(await reader.read(), { done: false, value: 0 });
  t.deepEqual(await reader.read(), { done: false, value: 1 });
  t.is(pulled, 2);
  await reader.cancel();
});

test('cancelling the stream releases the source (async releases awaited)', async (t) => {
  const log: Log = [];
  const reader = toReadableStream(loggedAsync(log, 'A', [1, 2, 3])).getReader();
  await reader.read();
  await reader.cancel();
  t.deepEqual(log, ['+A', '-A']);
});

test('toReadableStream ends and releases with the source, and errors with it', async (t) => {
  const log: Log = [];
  const out: number[] = [];
  for await (const x of toReadableStream(logged(log, 'A', [1, 2]).pipe(mapAsync(async (x: number) => x)))) out.push(x);
  t.deepEqual(out, [1, 2]);
  t.deepEqual(log, ['+A', '-A']);
  const failing = toReadableStream(range(0, 2).pipe(map(() => {
    throw new Error('source broke');
  })));
  await t.throwsAsync(failing.getReader().read(), { message: 'source broke' });
});
