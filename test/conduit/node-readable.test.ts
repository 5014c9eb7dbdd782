import test from 'ava';
import { Readable } from 'node:stream';
import {
  ConduitError, FLUSH, fromArray, fromReadable, map, mapAsync, of, range, sinkList, source, take, toReadable,
  concatBytes, type Flushable,
} from '../../src/conduit/index.js';
import { bytes, logged, loggedAsync, tick, type Log } from './helpers.js';

async function collect(r: Readable): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const x of r) out.push(x);
  return out;
}

test('fromReadable yields the chunks of a Readable', async (t) => {
  t.deepEqual(await fromReadable<string>(Readable.from(['a', 'b', 'c'])).run(sinkList()), ['a', 'b', 'c']);
});

test('fromReadable reads a byte stream that pushes asynchronously', async (t) => {
  let n = 0;
  const r = new Readable({
    read() {
      setImmediate(() => this.push(n < 3 ? Buffer.from(String(n++)) : null));
    },
  });
  const out = await fromReadable(r).run(concatBytes());
  t.is(out.toString(), '012');
});

test('fromReadable never buffers more than the stream\'s highWaterMark', async (t) => {
  let produced = 0;
  const r = new Readable({
    objectMode: true,
    highWaterMark: 2,
    read() {
      this.push(produced++);
    },
  });
  const out = await fromReadable<number>(r).pipe(take(3)).run(sinkList());
  t.deepEqual(out, [0, 1, 2]);
  t.true(produced <= 3 + 2, `produced ${produced}`);
});

test('fromReadable destroys the stream when the pipeline stops early', async (t) => {
  const log: Log = [];
  const r = new Readable({
    objectMode: true,
    read() {
      this.push(1);
    },
    destroy(err, cb) {
      log.push('destroyed');
      cb(err);
    },
  });
  t.deepEqual(await fromReadable<number>(r).pipe(take(2)).run(sinkList()), [1, 1]);
  t.deepEqual(log, ['destroyed']);
  t.true(r.destroyed);
});

test('fromReadable fails with the stream\'s error and the stream is not left dangling', async (t) => {
  const r = new Readable({
    read() {
      setImmediate(() => this.destroy(new Error('disk on fire')));
    },
  });
  await t.throwsAsync(Promise.resolve(fromReadable(r).run(sinkList())), { message: 'disk on fire' });
});

test('fromReadable fails with PREMATURE_END when the stream closes before it ends', async (t) => {
  const r = new Readable({
    read() {
      setImmediate(() => this.destroy());
    },
  });
  const e = await t.throwsAsync(Promise.resolve(fromReadable(r).run(sinkList())), { instanceOf: ConduitError });
  t.is(e?.code, 'PREMATURE_END');
});

test('fromReadable over a stream already ended, destroyed or errored', async (t) => {
  const ended = Readable.from([]);
  await collect(ended);
  t.deepEqual(await fromReadable(ended).runAsync(sinkList()), []);
  const destroyed = new Readable({ read() {} });
  destroyed.destroy();
  const e = await t.throwsAsync(fromReadable(destroyed).runAsync(sinkList()), { instanceOf: ConduitError });
  t.is(e?.code, 'PREMATURE_END');
  const errored = new Readable({ read() {} });
  errored.on('error', () => undefined);
  errored.destroy(new Error('already broken'));
  await t.throwsAsync(fromReadable(errored).runAsync(sinkList()), { message: 'already broken' });
});

test('toReadable streams a source and ends', async (t) => {
  t.deepEqual(await collect(toReadable(range(0, 3), { objectMode: true })), [0, 1, 2]);
  t.deepEqual(await collect(toReadable(range(0, 3).pipe(mapAsync(async (x: number) => x)), { objectMode: true })), [0, 1, 2]);
});

test('toReadable of bytes skips FLUSH markers; object mode keeps them', async (t) => {
  const src = fromArray<Flushable>([bytes('a'), FLUSH, bytes('b')]);
  t.is(Buffer.concat((await collect(toReadable(src))) as Buffer[]).toString(), 'ab');
  t.deepEqual((await collect(toReadable(src, { objectMode: true }))).length, 3);
});

test('toReadable with highWaterMark 0 pulls only what the consumer reads', async (t) => {
  let pulled = 0;
  const r = toReadable(range(0, 100).pipe(map((x: number) => (pulled++, x))), { objectMode: true, highWaterMark: 0 });
  for await (const x of r) if (x === 1) break;
  t.true(pulled <= 3, `pulled ${pulled}`);
});

test('destroying the Readable releases the source before close', async (t) => {
  const log: Log = [];
  const r = toReadable(logged(log, 'A', [1, 2, 3]), { objectMode: true, highWaterMark: 1 });
  await new Promise<void>((resolve) => r.once('readable', resolve));
  r.destroy();
  await new Promise((resolve) => r.once('close', resolve));
  t.deepEqual(log, ['+A', '-A']);
});

test('destroying the Readable waits for an async release and reports its failure', async (t) => {
  const log: Log = [];
  const r = toReadable(loggedAsync(log, 'A', [1, 2, 3]), { objectMode: true, highWaterMark: 1 });
  await new Promise<void>((resolve) => r.once('readable', resolve));
  r.destroy();
  await new Promise((resolve) => r.once('close', resolve));
  t.deepEqual(log, ['+A', '-A']);
  const failing = toReadable(source<number>(function* (io) {
    io.addCleanup(async () => {
      await tick();
      throw new Error('release failed');
    });
    yield* io.emit(1);
    yield* io.emit(2);
  }), { objectMode: true, highWaterMark: 1 });
  await new Promise<void>((resolve) => failing.once('readable', resolve));
  const errored = new Promise<Error>((resolve) => failing.once('error', resolve));
  failing.destroy();
  t.is((await errored).message, 'release failed');
});

test('a failing source destroys the Readable with its error (sync and async failures)', async (t) => {
  const syncFail = toReadable(of(1, 2).pipe(map((x: number) => {
    if (x === 2) throw new Error('sync failure');
    return x;
  })), { objectMode: true });
  await t.throwsAsync(collect(syncFail), { message: 'sync failure' });
  const asyncFail = toReadable(of(1).pipe(mapAsync(async () => {
    throw new Error('async failure');
  })), { objectMode: true });
  await t.throwsAsync(collect(asyncFail), { message: 'async failure' });
});

test('a release that fails synchronously on destroy is reported as the Readable error', async (t) => {
  const r = toReadable(source<number>(function* (io) {
    io.addCleanup(() => {
      throw new Error('sync release failed');
    });
    yield* io.emit(1);
    yield* io.emit(2);
  }), { objectMode: true, highWaterMark: 1 });
  await new Promise<void>((resolve) => r.once('readable', resolve));
  const errored = new Promise<Error>((resolve) => r.once('error', resolve));
  r.destroy();
  t.is((await errored).message, 'sync release failed');
});
