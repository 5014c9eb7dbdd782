import test from 'ava';
import {
  concatBytes, connect, fromArray, head, isolate, map, mapAsync, ResumableSource, sink, sinkList, take, END, bracketSource,
  suppressedOf,
} from '../../src/conduit/index.js';
import { bytes, logged, loggedAsync, sync, text, type Log } from './helpers.js';

test('connect returns the sink result and the rest; connecting again continues where it stopped', (t) => {
  const log: Log = [];
  const { result, rest } = sync(connect(logged(log, 'A', [1, 2, 3, 4]), take<number>(2).into(sinkList())));
  t.deepEqual(result, [1, 2]);
  t.deepEqual(sync(rest.connect(head())), 3);
  t.deepEqual(sync(rest.connect(sinkList())), [4]);
  t.deepEqual(log, ['+A', '-A']); // released once, at the source's natural end
  t.is(rest.close(), undefined);
  t.deepEqual(log, ['+A', '-A']);
});

test('leftovers pushed back by one sink are read by the next', (t) => {
  const src = ResumableSource.from(fromArray([bytes('GET / HTTP/1.1\r\n\r\nbody-bytes')]));
  const headSink = sink<Uint8Array, string>(function* (io) {
    const chunk = yield* io.receive();
    if (chunk === END) return '';
    const end = Buffer.from(chunk).indexOf('\r\n\r\n') + 4;
    io.leftover(chunk.subarray(end));
    return text([chunk.subarray(0, end)]);
  });
  t.is(sync(src.connect(headSink)), 'GET / HTTP/1.1\r\n\r\n');
  t.true(src.hasLeftovers());
  t.is(text([sync(src.connect(isolate(4).into(concatBytes())))]), 'body');
  t.is(text([sync(src.connect(concatBytes()))]), '-bytes');
});

test('close releases what is left exactly once (async release awaited)', async (t) => {
  const log: Log = [];
  const rest = ResumableSource.from(loggedAsync(log, 'A', [1, 2, 3]));
  t.is(await rest.connect(head()), 1);
  t.false(rest.closed);
  await rest.close();
  await rest.close();
  t.true(rest.closed);
  t.deepEqual(log, ['+A', '-A']);
});

test('a connected sink that fails leaves the source open for its owner to close', (t) => {
  const log: Log = [];
  const rest = ResumableSource.from(logged(log, 'A', [1, 2]));
  t.throws(() => rest.connect(sink(function* () {
    throw new Error('sink failed');
  })), { message: 'sink failed' });
  t.deepEqual(sync(rest.connect(sinkList())), [1, 2]);
});

test('connect closes the rest when the sink fails, keeping the sink error primary', async (t) => {
  const log: Log = [];
  const failing = take<number>(1).into(sink(function* (io) {
    yield* io.receive();
    throw new Error('sink failed');
  }));
  t.throws(() => connect(logged(log, 'A', [1, 2]), failing), { message: 'sink failed' });
  t.deepEqual(log, ['+A', '-A']);
  const badRelease = bracketSource(() => 0, () => fromArray([1, 2]), () => {
    throw new Error('release failed');
  });
  const e = t.throws(() => connect(badRelease, sink(function* (io) {
    yield* io.receive(); // opens the source
    throw new Error('primary');
  })));
  t.is(e?.message, 'primary');
  t.deepEqual(suppressedOf(e).map((x) => (x as Error).message), ['release failed']);
  const asyncRelease = bracketSource(() => 0, () => fromArray([1, 2]), async () => {
    throw new Error('async release failed');
  });
  const ae = await t.throwsAsync(Promise.resolve(connect(asyncRelease, sink(function* (io) {
    yield* io.receive();
    throw new Error('primary');
  }))));
  t.deepEqual(suppressedOf(ae).map((x) => (x as Error).message), ['async release failed']);
  await t.throwsAsync(Promise.resolve(connect(loggedAsync(log, 'B', [1]), sink(function* (io) {
    yield* io.receive();
    throw new Error('primary');
  }))), { message: 'primary' });
  t.deepEqual(log, ['+A', '-A', '+B', '-B']);
});

test('connect over an async source returns a promise of result and rest', async (t) => {
  const src = fromArray([1, 2, 3]).pipe(mapAsync(async (x: number) => x));
  const { result, rest } = await connect(src, head<number>());
  t.is(result, 1);
  t.deepEqual(await rest.connect(sinkList()), [2, 3]);
  await t.throwsAsync(Promise.resolve(connect(src, mapAsync(async () => {
    throw new Error('async sink failed');
  }).into(sinkList()))), { message: 'async sink failed' });
});

test('pipe makes a resumable source of a conduit whose leftovers return to the parent', (t) => {
  const conn = ResumableSource.from(fromArray([bytes('abcdef')]));
  const body = conn.pipe(isolate(4));
  t.is(text(sync(body.connect(take<Uint8Array>(1).into(sinkList())))), 'abcd');
  t.is(text(sync(body.connect(sinkList()))), '');
  body.close();
  t.is(text([sync(conn.connect(concatBytes()))]), 'ef');
});

test('borrow gives a Source view: runs consume from it, but closing them releases nothing', (t) => {
  const log: Log = [];
  const rest = ResumableSource.from(logged(log, 'A', [1, 2, 3]));
  t.deepEqual(sync(rest.borrow().pipe(take(1)).run(sinkList())), [1]);
  t.deepEqual(log, ['+A']);
  t.deepEqual(sync(rest.borrow().pipe(map((x: number) => x * 10)).run(sinkList())), [20, 30]);
  t.deepEqual(log, ['+A', '-A']);
});
