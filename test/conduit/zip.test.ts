import test from 'ava';
import {
  concatMap, filter, fold, fromAsyncIterable, head, map, mapAsync, of, range, sequenceSources, sink, sinkList, take,
  zipConduits, zipSinks, zipSources, END, conduit,
} from '../../src/conduit/index.js';
import { logged, loggedAsync, sync, tick, type Log } from './helpers.js';

const sum = fold((a: number, x: number) => a + x, 0);

test('zipSinks feeds every element to each sink and returns the tuple of results', (t) => {
  const r = sync(range(0, 5).run(zipSinks(sinkList<number>(), sum, head<number>())));
  t.deepEqual(r, [[0, 1, 2, 3, 4], 10, 0]);
});

test('zipSinks pulls each element from upstream once', (t) => {
  let pulls = 0;
  const src = range(0, 4).pipe(map((x: number) => (pulls++, x)));
  sync(src.run(zipSinks(sinkList<number>(), sinkList<number>(), sum)));
  t.is(pulls, 4);
});

test('zipSinks ends when every sink has ended, without reading further', (t) => {
  let pulls = 0;
  const src = range(0, 100).pipe(map((x: number) => (pulls++, x)));
  t.deepEqual(sync(src.run(zipSinks(take<number>(2).into(sinkList()), head<number>()))), [[0, 1], 0]);
  t.is(pulls, 2);
});

test('zipSinks releases a sink that ends early at once, while the others go on', (t) => {
  const log: Log = [];
  const early = sink<number, string>(function* (io) {
    io.addCleanup(() => void log.push('-early'));
    yield* io.receive();
    return 'early';
  });
  const late = sink<number, number[]>(function* (io) {
    const got: number[] = [];
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return got;
      log.push(`late ${x}`);
      got.push(x);
    }
  });
  t.deepEqual(sync(range(0, 3).run(zipSinks(early, late))), ['early', [0, 1, 2]]);
  t.deepEqual(log, ['-early', 'late 0', 'late 1', 'late 2']); // sinks see each element in order: early ends first
});

test('zipSinks runs over an async upstream and with async sinks', async (t) => {
  async function* gen(): AsyncGenerator<number> {
    for (let i = 0; i < 3; i++) {
      await tick();
      yield i;
    }
  }
  const slowSum = mapAsync(async (x: number) => (await tick(), x)).into(sum);
  t.deepEqual(await fromAsyncIterable(gen()).run(zipSinks(sinkList<number>(), slowSum)), [[0, 1, 2], 3]);
});

test('zipSinks waits for an async release of a sink that ended', async (t) => {
  const log: Log = [];
  const early = sink<number, string>(function* (io) {
    io.addCleanup(async () => {
      await tick();
      log.push('-early');
    });
    yield* io.receive();
    return 'early';
  });
  const r = await range(0, 2).pipe(map((x: number) => (log.push(`pull ${x}`), x))).run(zipSinks(early, sinkList<number>()));
  t.deepEqual(r, ['early', [0, 1]]);
  t.deepEqual(log, ['pull 0', '-early', 'pull 1']);
});

test('zipSinks with a sink that needs no input ends without pulling', (t) => {
  let pulls = 0;
  const none = sink<number, string>(function* () {
    return 'none';
  });
  t.deepEqual(sync(range(0, 3).pipe(map((x: number) => (pulls++, x))).run(zipSinks(none, none))), ['none', 'none']);
  t.is(pulls, 0);
});

test('zipSources pairs elements and ends with the shorter source, releasing the other at once', (t) => {
  const log: Log = [];
  const r = sync(zipSources(logged(log, 'A', [1, 2, 3]), logged(log, 'B', ['a', 'b'])).pipe(map((p: [number, string]) => {
    log.push(p.join(''));
    return p;
  })).run(sinkList()));
  log.push('done');
  t.deepEqual(r, [[1, 'a'], [2, 'b']]);
  t.deepEqual(log, ['+A', '+B', '1a', '2b', '-B', '-A', 'done']);
});

test('zipSources waits for async sources and async releases', async (t) => {
  const log: Log = [];
  const slow = range(10, 20).pipe(mapAsync(async (x: number) => (await tick(), x)));
  const r = await zipSources(loggedAsync(log, 'A', [1, 2]), slow).run(sinkList());
  t.deepEqual(r, [[1, 10], [2, 11]]);
  t.deepEqual(log, ['+A', '-A']);
});

test('sequenceSources steps every source in lockstep; none gives nothing', (t) => {
  t.deepEqual(sync(sequenceSources([of(1, 2), of(3, 4), of(5, 6, 7)]).run(sinkList())), [[1, 3, 5], [2, 4, 6]]);
  t.deepEqual(sync(sequenceSources<number>([]).run(sinkList())), []);
});

test('zipSources stopped by take releases both sources', (t) => {
  const log: Log = [];
  t.deepEqual(sync(zipSources(logged(log, 'A', [1, 2]), logged(log, 'B', [3, 4])).pipe(take(1)).run(sinkList())), [[1, 3]]);
  t.deepEqual(log, ['+A', '+B', '-B', '-A']);
});

test('zipConduits feeds every input to each conduit and interleaves their outputs, first conduit first', (t) => {
  const c = zipConduits<number, string>(
    map((x: number) => `a${x}`),
    concatMap((x: number) => [`b${x}`, `B${x}`]),
    take<number>(1).pipe(map((x: number) => `c${x}`)),
    filter((x: number) => x % 2 === 1).pipe(map((x: number) => `d${x}`)),
  );
  t.deepEqual(sync(range(0, 3).pipe(c).run(sinkList())), ['a0', 'b0', 'B0', 'c0', 'a1', 'b1', 'B1', 'd1', 'a2', 'b2', 'B2']);
});

test('zipConduits ends when every conduit has ended and stops reading upstream', (t) => {
  const log: Log = [];
  const c = zipConduits<number, number>(take<number>(1), take<number>(2));
  t.deepEqual(sync(logged(log, 'A', [1, 2, 3, 4]).pipe(c).run(sinkList())), [1, 1, 2]);
  t.deepEqual(log, ['+A', '-A']);
});

test('zipConduits runs async conduits and releases finished ones (async releases awaited)', async (t) => {
  const log: Log = [];
  const once = conduit<number, number>(function* (io) {
    io.addCleanup(async () => {
      await tick();
      log.push('-once');
    });
    const x = yield* io.receive();
    if (x !== END) yield* io.emit(x * 100);
  });
  const c = zipConduits<number, number>(mapAsync(async (x: number) => (await tick(), x)), once);
  t.deepEqual(await range(1, 4).pipe(c).run(sinkList()), [1, 100, 2, 3]);
  t.deepEqual(log, ['-once']);
});
