import test from 'ava';
import {
  chunk, concatBytes, ConduitError, dechunk, FLUSH, fromArray, fromAsyncIterable, isFlush, map, ResumableSource, sinkList,
  take, type ConduitErrorCode, type Flushable, type Trailers,
} from '../../src/conduit/index.js';
import { bytes, loggedAsync, splits, sync, text, type Log } from './helpers.js';

const NEXT = 'GET /next HTTP/1.1\r\n\r\n';

/** Decodes `wire` split into `chunks` from a resumable source: body, trailers, and the bytes left for the next consumer. */
function decode(chunks: Uint8Array[]): { body: string; trailers: Trailers; rest: string } {
  const src = ResumableSource.from(fromArray(chunks));
  let trailers: Trailers = [];
  const body = sync(src.connect(dechunk({ onTrailers: (t) => (trailers = t) }).into(concatBytes())));
  const rest = sync(src.connect(sinkList()));
  return { body: text([body]), trailers, rest: text(rest) };
}

const decodesAtEverySplit = test.macro({
  exec(t, wire: string, body: string, trailers: Trailers) {
    for (const { name, chunks } of splits(bytes(wire + NEXT))) {
      t.deepEqual(decode(chunks), { body, trailers, rest: NEXT }, name);
    }
  },
  title: (_p, wire) => `dechunk decodes ${JSON.stringify(wire)} and leaves the next request intact, for every split`,
});

test(decodesAtEverySplit, '5\r\nhello\r\n0\r\n\r\n', 'hello', []);
test(decodesAtEverySplit, '0\r\n\r\n', '', []);
test(decodesAtEverySplit, '3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n', 'abcde', []);
test(decodesAtEverySplit, 'A\r\n0123456789\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n', '0123456789', [['expires', 'never'], ['x-sum', '1']]);

const rejects = test.macro({
  exec(t, wire: string, code: ConduitErrorCode) {
    for (const { name, chunks } of splits(bytes(wire))) {
      const e = t.throws(() => decode(chunks), { instanceOf: ConduitError }, name);
      t.is(e?.code, code, name);
    }
  },
  title: (_p, wire, code) => `dechunk rejects ${JSON.stringify(wire)} with ${code} for every split`,
});

test(rejects, 'x\r\n', 'BAD_CHUNK');
test(rejects, '5\r\nhelloXX0\r\n\r\n', 'BAD_CHUNK');
test(rejects, '5\nhello\r\n0\r\n\r\n', 'BAD_CHUNK');
test(rejects, '12345678901234567\r\n', 'CHUNK_TOO_LARGE');
test(rejects, '5\r\nhel', 'PREMATURE_END');
test(rejects, '5\r\nhello\r\n', 'PREMATURE_END');
test(rejects, '0\r\nX: y\r\n', 'PREMATURE_END');
test(rejects, '', 'PREMATURE_END');

test('dechunk rejects a trailer section over its limit with TRAILER_TOO_LARGE', (t) => {
  const wire = bytes(`0\r\nX: ${'y'.repeat(100)}\r\n\r\n`);
  const e = t.throws(() => sync(fromArray([wire]).pipe(dechunk({ maxTrailerBytes: 50 })).run(sinkList())), { instanceOf: ConduitError });
  t.is(e?.code, 'TRAILER_TOO_LARGE');
});

test('dechunk emits data as views of the input, without copying', (t) => {
  const wire = bytes('5\r\nhello\r\n0\r\n\r\n');
  const [data] = sync(fromArray([wire]).pipe(dechunk()).run(sinkList()));
  t.is(data!.buffer, wire.buffer);
  t.is(text([data!]), 'hello');
});

test('dechunk stops upstream once the body ends (a plain pipeline releases its source at once)', async (t) => {
  const log: Log = [];
  const out = await loggedAsync(log, 'A', [bytes('1\r\na\r\n0\r\n\r\nextra')]).pipe(dechunk(), map((c: Uint8Array) => {
    log.push(text([c]));
    return c;
  })).run(sinkList());
  t.deepEqual(out.map((c) => text([c])), ['a']);
  t.deepEqual(log, ['+A', 'a', '-A']);
});

test('dechunk reads an async upstream', async (t) => {
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield bytes('2\r\nab');
    yield bytes('\r\n0\r\n\r\n');
  }
  t.is(text([await fromAsyncIterable(gen()).pipe(dechunk()).run(concatBytes())]), 'ab');
});

test('dechunk stops when downstream stops, without reading on', (t) => {
  const src = ResumableSource.from(fromArray([bytes('1\r\na\r\n1\r\nb\r\n0\r\n\r\n')]));
  t.deepEqual(sync(src.connect(dechunk().pipe(take(1)).into(sinkList()))).map((c) => text([c])), ['a']);
});

const frames = (xs: readonly Flushable[]): string[] => xs.map((x) => (isFlush(x) ? 'FLUSH' : text([x])));

test('chunk frames each non-empty chunk, passes FLUSH through in order and ends with the last chunk', (t) => {
  const out = sync(fromArray<Flushable>([bytes('hello'), bytes(''), FLUSH, bytes('!')]).pipe(chunk()).run(sinkList()));
  t.deepEqual(frames(out), ['5\r\nhello\r\n', 'FLUSH', '1\r\n!\r\n', '0\r\n\r\n']);
});

test('chunk frames a large chunk as size line, the data itself (not copied) and CRLF', (t) => {
  const big = Buffer.alloc(5000, 0x61);
  const out = sync(fromArray<Flushable>([big]).pipe(chunk()).run(sinkList()));
  t.is(out.length, 4);
  t.is(text([out[0] as Uint8Array]), '1388\r\n');
  t.is(out[1], big);
  t.deepEqual(frames([out[2]!, out[3]!]), ['\r\n', '0\r\n\r\n']);
});

test('an empty body is just the last chunk', (t) => {
  t.deepEqual(frames(sync(fromArray<Flushable>([]).pipe(chunk()).run(sinkList()))), ['0\r\n\r\n']);
});

test('chunk then dechunk gives the original bytes back', (t) => {
  const parts = [bytes('a'), Buffer.alloc(3000, 0x62), bytes('c'.repeat(1024)), bytes('d'.repeat(1025))];
  const wire = sync(fromArray<Flushable>([...parts, FLUSH]).pipe(chunk()).run(sinkList())).filter((x): x is Uint8Array => !isFlush(x));
  for (const { name, chunks } of [{ name: 'as framed', chunks: wire }, { name: 'one buffer', chunks: [Buffer.concat(wire)] }]) {
    t.is(text([sync(fromArray(chunks).pipe(dechunk()).run(concatBytes()))]), text(parts), name);
  }
});

test('chunk waits for an async upstream', async (t) => {
  async function* gen(): AsyncGenerator<Flushable> {
    yield bytes('x');
  }
  t.deepEqual(frames(await fromAsyncIterable(gen()).pipe(chunk()).run(sinkList())), ['1\r\nx\r\n', '0\r\n\r\n']);
});
