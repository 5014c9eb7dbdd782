import test from 'ava';
import { bufferBytes, FLUSH, fromArray, fromAsyncIterable, isFlush, sinkList, type Flushable } from '../../src/conduit/index.js';
import { bytes, sync, text } from './helpers.js';

const show = (xs: readonly Flushable[]): string[] => xs.map((x) => (isFlush(x) ? 'FLUSH' : text([x])));
const input = (...xs: Array<string | 'FLUSH'>): Flushable[] => xs.map((x) => (x === 'FLUSH' ? FLUSH : bytes(x)));

const buffers = test.macro({
  exec(t, size: number, inputs: Array<string | 'FLUSH'>, expected: string[]) {
    t.deepEqual(show(sync(fromArray(input(...inputs)).pipe(bufferBytes(size)).run(sinkList()))), expected);
  },
  title: (_p, size, inputs) => `bufferBytes(${size}) over ${JSON.stringify(inputs)}`,
});

test(buffers, 4, ['a', 'b', 'c'], ['abc']);
test(buffers, 4, ['ab', 'cd', 'e'], ['abcd', 'e']);
test(buffers, 4, ['abc', 'de'], ['abc', 'de']);
test(buffers, 4, ['a', 'FLUSH', 'b'], ['a', 'FLUSH', 'b']);
test(buffers, 4, ['FLUSH', 'FLUSH'], ['FLUSH', 'FLUSH']);
test(buffers, 4, ['abcdefgh', 'i'], ['abcdefgh', 'i']);
test(buffers, 4, ['a', 'abcdefgh', 'b', 'FLUSH'], ['a', 'abcdefgh', 'b', 'FLUSH']);
test(buffers, 4, ['', 'a', '', 'b'], ['ab']);
test(buffers, 4, [], []);

test('bufferBytes passes a chunk bigger than the buffer through uncopied', (t) => {
  const big = bytes('0123456789');
  const [out] = sync(fromArray<Flushable>([big]).pipe(bufferBytes(4)).run(sinkList()));
  t.is(out, big);
});

test('bufferBytes emits what it holds when a FLUSH arrives, before reading further', async (t) => {
  const reads: string[] = [];
  async function* gen(): AsyncGenerator<Flushable> {
    for (const x of input('a', 'FLUSH', 'b')) {
      reads.push(isFlush(x) ? 'FLUSH' : text([x]));
      yield x;
    }
  }
  const seen: string[] = [];
  const out = await fromAsyncIterable(gen()).pipe(bufferBytes(16)).run(sinkList());
  for (const x of out) seen.push(isFlush(x) ? 'FLUSH' : text([x]));
  t.deepEqual(seen, ['a', 'FLUSH', 'b']);
  t.deepEqual(reads, ['a', 'FLUSH', 'b']);
});
