import test from 'ava';
import {
  conduit, connect, END, fromAsyncIterable, map, range, sink, sinkList, take, takeExactly, type Source,
} from '../../src/conduit/index.js';
import { loggedAsync, sync, tick, type Log } from './helpers.js';

test('takeExactly drains the rest of the n when the inner conduit stops early', (t) => {
  const { result, rest } = sync(connect(range(0, 10), takeExactly(5, take<number>(2)).into(sinkList())));
  t.deepEqual(result, [0, 1]);
  t.deepEqual(sync(rest.connect(sinkList())), [5, 6, 7, 8, 9]);
});

test('takeExactly gives the inner conduit at most n elements', (t) => {
  const { result, rest } = sync(connect(range(0, 10), takeExactly(3, map((x: number) => x * 10)).into(sinkList())));
  t.deepEqual(result, [0, 10, 20]);
  t.deepEqual(sync(rest.connect(sinkList())), [3, 4, 5, 6, 7, 8, 9]);
});

test('takeExactly with a sink returns the sink result and consumes exactly n', (t) => {
  const firstOnly = sink<number, number | undefined>(function* (io) {
    const x = yield* io.receive();
    return x === END ? undefined : x;
  });
  const s = sink<number, unknown[]>(function* (io) {
    const a = yield* io.consume(takeExactly(4, firstOnly));
    const b = yield* io.consume(sinkList<number>());
    return [a, b];
  });
  t.deepEqual(sync(range(0, 6).run(s)), [0, [4, 5]]);
});

test('leftovers the inner pushes back stay inside the n', (t) => {
  const peekTwice = sink<number, number[]>(function* (io) {
    const a = yield* io.receive();
    io.leftover(a as number);
    const b = yield* io.receive();
    return [a as number, b as number];
  });
  const { result, rest } = sync(connect(range(0, 5), takeExactly(2, peekTwice)));
  t.deepEqual(result, [0, 0]);
  t.deepEqual(sync(rest.connect(sinkList())), [2, 3, 4]);
});

test('takeExactly ends quietly when upstream ends before n', (t) => {
  t.deepEqual(sync(range(0, 2).pipe(takeExactly(5, map((x: number) => x))).run(sinkList())), [0, 1]);
  t.deepEqual(sync(range(0, 2).pipe(takeExactly(5, take<number>(1))).run(sinkList())), [0]);
});

test('takeExactly releases the inner before draining, and upstream when done', async (t) => {
  const log: Log = [];
  const inner = conduit<number, number>(function* (io) {
    yield* io.bracket(() => log.push('+inner'), async () => {
      await tick();
      log.push('-inner');
    });
    const x = yield* io.receive();
    if (x !== END) yield* io.emit(x);
  });
  const src: Source<number> = loggedAsync(log, 'A', [1, 2, 3, 4]);
  const out = await src.pipe(takeExactly(3, inner), map((x: number) => (log.push(`got ${x}`), x))).run(sinkList());
  t.deepEqual(out, [1]);
  t.deepEqual(log, ['+inner', '+A', 'got 1', '-inner', '-A']);
});

test('takeExactly drains an async upstream', async (t) => {
  async function* gen(): AsyncGenerator<number> {
    for (let i = 0; i < 6; i++) {
      await tick();
      yield i;
    }
  }
  const { result, rest } = await connect(fromAsyncIterable(gen()), takeExactly(4, take<number>(1)).into(sinkList()));
  t.deepEqual(result, [0]);
  t.deepEqual(await rest.connect(sinkList()), [4, 5]);
});
