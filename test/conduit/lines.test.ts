import test from 'ava';
import { boundedLines, ConduitError, fromArray, fromAsyncIterable, fromIterable, lines, sinkList } from '../../src/conduit/index.js';
import { bytes, splits, sync } from './helpers.js';

const toStrings = (xs: readonly Uint8Array[]): string[] => xs.map((x) => Buffer.from(x).toString('latin1'));

const splitsLines = test.macro({
  exec(t, input: string, expected: string[]) {
    for (const { name, chunks } of splits(bytes(input))) {
      t.deepEqual(toStrings(sync(fromArray(chunks).pipe(lines()).run(sinkList()))), expected, name);
      t.deepEqual(toStrings(sync(fromArray(chunks).pipe(boundedLines(100)).run(sinkList()))), expected, `bounded: ${name}`);
    }
  },
  title: (_p, input) => `lines splits ${JSON.stringify(input)} the same way for every split`,
});

test(splitsLines, 'a\nb\n', ['a', 'b']);
test(splitsLines, 'a\r\nb\r\n', ['a', 'b']);
test(splitsLines, 'one\r\ntwo\nthree', ['one', 'two', 'three']);
test(splitsLines, '\n\n', ['', '']);
test(splitsLines, '\r\n', ['']);
test(splitsLines, '', []);
test(splitsLines, 'no newline', ['no newline']);
test(splitsLines, 'mid\rcr\n', ['mid\rcr']);
test(splitsLines, 'trailing cr\r', ['trailing cr\r']);
test(splitsLines, 'a\r\r\n', ['a\r']);

const limit = test.macro({
  exec(t, input: string, max: number, ok: boolean) {
    for (const { name, chunks } of splits(bytes(input))) {
      const run = (): Uint8Array[] => sync(fromArray(chunks).pipe(boundedLines(max)).run(sinkList()));
      if (ok) t.notThrows(run, name);
      else t.is(t.throws(run, { instanceOf: ConduitError }, name)?.code, 'LINE_TOO_LONG');
    }
  },
  title: (_p, input, max, ok) => `boundedLines(${max}) ${ok ? 'accepts' : 'rejects'} ${JSON.stringify(input)}`,
});

test(limit, 'abcd\r\nxy\n', 4, true);
test(limit, 'abcd\nxy\n', 4, true);
test(limit, 'abcde\r\n', 4, false);
test(limit, 'abcde\n', 4, false);
test(limit, 'ok\nabcdefghij', 4, false);
test(limit, 'abcd', 4, true);
test(limit, 'abcd\r', 4, false); // a final line keeps its lone CR: 5 bytes

test('boundedLines fails as soon as a line cannot fit (bounded memory on an endless line)', (t) => {
  let pulled = 0;
  const endless = {
    *[Symbol.iterator](): Generator<Uint8Array> {
      for (;;) {
        pulled++;
        yield bytes('x');
      }
    },
  };
  const e = t.throws(() => sync(fromIterable(endless).pipe(boundedLines(4)).run(sinkList())), { instanceOf: ConduitError });
  t.is(e?.code, 'LINE_TOO_LONG');
  t.is(pulled, 6); // 4 bytes + a possible CR, and one more proves it too long
});

test('lines copies a line that spans chunks once: one Buffer.concat per line, never per chunk', (t) => {
  const original = Buffer.concat;
  let calls = 0;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
    calls++;
    return original(list, total);
  }) as typeof Buffer.concat;
  let out: Uint8Array[];
  try {
    const chunks = [...Array.from({ length: 10_000 }, () => bytes('x')), bytes('\n'), ...Array.from({ length: 10 }, () => bytes('y'))];
    out = sync(fromArray(chunks).pipe(lines()).run(sinkList()));
  } finally {
    Buffer.concat = original;
  }
  t.deepEqual(out.map((l) => l.length), [10_000, 10]);
  t.is(calls, 2);
});

test('lines reads an async upstream', async (t) => {
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield bytes('a\nb');
    yield bytes('c\n');
  }
  t.deepEqual(toStrings(await fromAsyncIterable(gen()).pipe(lines()).run(sinkList())), ['a', 'bc']);
});
