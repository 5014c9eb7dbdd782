import test from 'ava';
import {
  concatBytes, ConduitError, connect, dropBytes, dropWhileBytes, fromArray, fromAsyncIterable, isConduitError, isolate,
  joinBytes, ResumableSource, sinkList, takeBytes, takeWhileBytes, map, type Conduit,
} from '../../src/conduit/index.js';
import { bytes, loggedAsync, splits, text, type Log, sync } from './helpers.js';

const DATA = bytes('hello, world');

/** Runs `conduit` on `chunks` through a resumable source: what it produced, and what was left for the next consumer. */
function splitRun(chunks: Uint8Array[], conduit: Conduit<Uint8Array, Uint8Array>): { out: string; rest: string } {
  const src = ResumableSource.from(fromArray(chunks));
  const out = sync(src.connect(conduit.into(sinkList())));
  const rest = sync(src.connect(sinkList()));
  return { out: text(out), rest: text(rest) };
}

for (const n of [0, 1, 5, 11, 12]) {
  test(`takeBytes(${n}) takes exactly ${n} bytes and leaves the rest upstream, for every split`, (t) => {
    for (const { name, chunks } of splits(DATA)) {
      t.deepEqual(splitRun(chunks, takeBytes(n)), { out: text([DATA.subarray(0, n)]), rest: text([DATA.subarray(n)]) }, name);
    }
  });
  test(`isolate(${n}) yields exactly ${n} bytes and leaves the rest upstream, for every split`, (t) => {
    for (const { name, chunks } of splits(DATA)) {
      t.deepEqual(splitRun(chunks, isolate(n)), { out: text([DATA.subarray(0, n)]), rest: text([DATA.subarray(n)]) }, name);
    }
  });
}

test('takeBytes past the end yields everything and just ends', (t) => {
  for (const { name, chunks } of splits(DATA)) t.deepEqual(splitRun(chunks, takeBytes(50)), { out: 'hello, world', rest: '' }, name);
});

test('isolate fails with PREMATURE_END when upstream ends short, for every split', (t) => {
  for (const { name, chunks } of splits(DATA)) {
    const e = t.throws(() => sync(fromArray(chunks).pipe(isolate(13)).run(concatBytes())), { instanceOf: ConduitError }, name);
    t.is(e?.code, 'PREMATURE_END');
    t.true(isConduitError(e, 'PREMATURE_END'));
    t.false(isConduitError(e, 'LINE_TOO_LONG'));
  }
});

test('takeBytes hands its last piece on only after an async upstream release finished', async (t) => {
  const log: Log = [];
  const out = await loggedAsync(log, 'A', [bytes('abc'), bytes('def')]).pipe(takeBytes(4), map((c: Uint8Array) => {
    log.push(text([c]));
    return c;
  })).run(concatBytes());
  t.is(text([out]), 'abcd');
  t.deepEqual(log, ['+A', 'abc', '-A', 'd']);
});

test('takeBytes and isolate read an async upstream', async (t) => {
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield bytes('ab');
    yield bytes('cd');
  }
  const r = await connect(fromAsyncIterable(gen()), isolate(3).into(concatBytes()));
  t.is(text([r.result]), 'abc');
  t.is(text([await r.rest.connect(concatBytes())]), 'd');
});

test('takeBytes skips empty chunks', (t) => {
  const out = sync(fromArray([bytes(''), bytes('ab'), bytes(''), bytes('c')]).pipe(takeBytes(3)).run(sinkList()));
  t.deepEqual(out.map((c) => text([c])), ['ab', 'c']);
});

test('dropBytes skips exactly n bytes, for every split', (t) => {
  for (const n of [0, 3, 12, 20]) {
    for (const { name, chunks } of splits(DATA)) {
      t.is(text(sync(fromArray(chunks).pipe(dropBytes(n)).run(sinkList()))), text([DATA.subarray(n)]), `${n}: ${name}`);
    }
  }
});

const notComma = (b: number): boolean => b !== 0x2c;

test('takeWhileBytes stops at the first failing byte and leaves it upstream, for every split', (t) => {
  for (const { name, chunks } of splits(DATA)) {
    t.deepEqual(splitRun(chunks, takeWhileBytes(notComma)), { out: 'hello', rest: ', world' }, name);
  }
});

test('takeWhileBytes passes everything when no byte fails', (t) => {
  for (const { name, chunks } of splits(DATA)) {
    t.deepEqual(splitRun(chunks, takeWhileBytes(() => true)), { out: 'hello, world', rest: '' }, name);
  }
});

test('dropWhileBytes drops until the first failing byte, then passes everything, for every split', (t) => {
  for (const { name, chunks } of splits(DATA)) {
    t.is(text(sync(fromArray(chunks).pipe(dropWhileBytes(notComma)).run(sinkList()))), ', world', name);
    t.is(text(sync(fromArray(chunks).pipe(dropWhileBytes(() => true)).run(sinkList()))), '', name);
  }
});

test('concatBytes joins every split into the same bytes', (t) => {
  for (const { name, chunks } of splits(DATA)) t.is(text([sync(fromArray(chunks).run(concatBytes()))]), 'hello, world', name);
  t.is(sync(fromArray<Uint8Array>([]).run(concatBytes())).length, 0);
});

test('concatBytes returns a single chunk without copying it (a Buffer view for a plain Uint8Array)', (t) => {
  const b = bytes('abc');
  t.is(sync(fromArray([b]).run(concatBytes())), b);
  const u = new Uint8Array([1, 2, 3]);
  const r = sync(fromArray([u]).run(concatBytes()));
  t.true(Buffer.isBuffer(r));
  t.is(r.buffer, u.buffer);
});

test('concatBytes copies once: Buffer.concat is called once for many chunks', (t) => {
  const original = Buffer.concat;
  let calls = 0;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
    calls++;
    return original(list, total);
  }) as typeof Buffer.concat;
  try {
    const chunks = Array.from({ length: 1000 }, () => bytes('x'));
    t.is(sync(fromArray(chunks).run(concatBytes())).length, 1000);
  } finally {
    Buffer.concat = original;
  }
  t.is(calls, 1);
});

test('concatBytes with maxBytes fails with TOO_LARGE as soon as the limit is passed', (t) => {
  let pulled = 0;
  const src = fromArray([bytes('abc'), bytes('def'), bytes('ghi')]).pipe(map((c: Uint8Array) => (pulled++, c)));
  const e = t.throws(() => sync(src.run(concatBytes({ maxBytes: 5 }))), { instanceOf: ConduitError });
  t.is(e?.code, 'TOO_LARGE');
  t.is(pulled, 2);
  t.is(text([sync(fromArray([bytes('abcde')]).run(concatBytes({ maxBytes: 5 })))]), 'abcde');
});

test('concatBytes waits for an async upstream', async (t) => {
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield bytes('a');
    yield bytes('b');
  }
  t.is(text([await fromAsyncIterable(gen()).run(concatBytes())]), 'ab');
});

test('joinBytes joins pieces into one Buffer of the given length', (t) => {
  t.is(joinBytes([bytes('ab'), new Uint8Array([0x63])], 3).toString(), 'abc');
});
