import test from 'ava';
import {
  bracketSource, empty, fromArray, fromAsyncIterable, fromIterable, mapAsync, of, range, sinkList, take, unfold, withCleanup,
} from '../../src/conduit/index.js';
import { sync, tick, type Log } from './helpers.js';

test('fromArray, of, empty, range and unfold produce their elements in order', (t) => {
  t.deepEqual(sync(fromArray([1, 2]).run(sinkList())), [1, 2]);
  t.deepEqual(sync(of('a', 'b').run(sinkList())), ['a', 'b']);
  t.deepEqual(sync(empty().run(sinkList())), []);
  t.deepEqual(sync(range(3, 6).run(sinkList())), [3, 4, 5]);
  t.deepEqual(sync(range(3, 3).run(sinkList())), []);
  t.deepEqual(sync(unfold(1, (s) => (s < 20 ? [s, s * 2] : undefined)).run(sinkList())), [1, 2, 4, 8, 16]);
});

test('fromIterable closes an unfinished iterator (its finally runs) when the pipeline stops early', (t) => {
  const log: Log = [];
  function* gen(): Generator<number> {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      log.push('finally');
    }
  }
  t.deepEqual(sync(fromIterable(gen()).pipe(take(2)).run(sinkList())), [0, 1]);
  t.deepEqual(log, ['finally']);
});

test('fromIterable over a finished iterator ends without calling return()', (t) => {
  let returns = 0;
  const it = {
    [Symbol.iterator]() {
      let i = 0;
      return { next: () => (i < 2 ? { done: false, value: i++ } : { done: true, value: undefined }), return: () => (returns++, { done: true, value: undefined }) };
    },
  };
  t.deepEqual(sync(fromIterable(it as Iterable<number>).run(sinkList())), [0, 1]);
  t.is(returns, 0);
  t.deepEqual(sync(fromIterable(new Set([5])).run(sinkList())), [5]);
});

test('fromAsyncIterable reads one element at a time and calls return() on an early stop', async (t) => {
  const log: Log = [];
  async function* gen(): AsyncGenerator<number> {
    try {
      for (let i = 0; ; i++) {
        log.push(`produce ${i}`);
        yield i;
      }
    } finally {
      log.push('finally');
    }
  }
  t.deepEqual(await fromAsyncIterable(gen()).pipe(take(2)).run(sinkList()), [0, 1]);
  t.deepEqual(log, ['produce 0', 'produce 1', 'finally']);
});

test('fromAsyncIterable fails with the iterator\'s error', async (t) => {
  async function* gen(): AsyncGenerator<number> {
    yield 1;
    await tick();
    throw new Error('iterator failed');
  }
  await t.throwsAsync(Promise.resolve(fromAsyncIterable(gen()).run(sinkList())), { message: 'iterator failed' });
});

test('fromAsyncIterable waits for an async return() on natural end', async (t) => {
  const log: Log = [];
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        next: async () => (i < 1 ? { done: false, value: i++ } : { done: true, value: undefined }),
        return: async () => {
          log.push('return');
          return { done: true, value: undefined };
        },
      };
    },
  };
  t.deepEqual(await fromAsyncIterable(iterable).run(sinkList()), [0]);
  t.deepEqual(log, ['return']);
});

test('bracketSource opens lazily, releases at its natural end before the run ends', (t) => {
  const log: Log = [];
  const s = bracketSource(() => (log.push('open'), 'R'), (r) => of(`${r}1`, `${r}2`), (r) => void log.push(`close ${r}`));
  t.deepEqual(log, []);
  t.deepEqual(sync(s.run(sinkList())), ['R1', 'R2']);
  t.deepEqual(log, ['open', 'close R']);
});

test('bracketSource waits for an async release at its natural end', async (t) => {
  const log: Log = [];
  const s = bracketSource(() => 0, () => of(1), async () => {
    await tick();
    log.push('closed');
  });
  t.deepEqual(await s.pipe(mapAsync(async (x: number) => x)).run(sinkList()), [1]);
  t.deepEqual(log, ['closed']);
});

test('withCleanup runs its action at the end, on an early stop and on an error', (t) => {
  const log: Log = [];
  sync(withCleanup(of(1), () => void log.push('end')).run(sinkList()));
  sync(withCleanup(of(1, 2), () => void log.push('stop')).pipe(take(1)).run(sinkList()));
  t.throws(() => withCleanup(of(1), () => void log.push('error')).pipe(mapAsync(() => {
    throw new Error('x');
  })).run(sinkList()));
  t.deepEqual(log, ['end', 'stop', 'error']);
});
