// fuseBoth / fuseUpstream / fuseReturnLeftovers: the results and leftovers conduit's plain fusion drops, with the exact
// order of acquisitions and releases, in every association of the fused parts.
import test from 'ava';
import {
  conduit, END, fromArray, fromAsyncIterable, fuseBoth, fuseBothMaybe, fuseReturnLeftovers, fuseUpstream, head, map, sink, sinkList,
  suppressedOf, takeWhile, type Conduit, type Pipeline, type Sink, type Source,
} from '../../src/conduit/index.js';
import { logged, loggedAsync, sync, tick, type Log } from './helpers.js';

/** A pass-through conduit that holds a resource while it runs and returns how many elements it passed. */
function counting(log: Log, name: string): Conduit<number, number, number> {
  return conduit<number, number, number>(function* (io) {
    yield* io.bracket(() => log.push(`+${name}`), () => void log.push(`-${name}`));
    let n = 0;
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return n;
      n++;
      yield* io.emit(x);
    }
  });
}

/** A sink that logs what it takes and stops after `n` elements. */
function takesUpTo(log: Log, n: number): Sink<number, number[]> {
  return sink<number, number[]>(function* (io) {
    const got: number[] = [];
    while (got.length < n) {
      const x = yield* io.receive();
      if (x === END) break;
      log.push(`got ${x}`);
      got.push(x);
    }
    return got;
  });
}

type Parts = { a: Source<number>; b: Conduit<number, number, number>; c: Conduit<number, number, number>; s: Sink<number, number[]> };

/** fuseBoth in every placement of the fused upstream: its result is c's, however the parts are grouped. */
const PLACEMENTS: Array<[string, (p: Parts) => Pipeline<[unknown, number[]]>]> = [
  ['a.(fuseBoth(b.c, s))', ({ a, b, c, s }) => a.into(fuseBoth(b.pipe(c) as Conduit<number, number, unknown>, s))],
  ['(a.b).(fuseBoth(c, s))', ({ a, b, c, s }) => a.pipe(b).into(fuseBoth(c, s))],
  ['a.(b.(fuseBoth(c, s)))', ({ a, b, c, s }) => a.into(b.into(fuseBoth(c, s)))],
  ['fuseBoth((a.b).c, s)', ({ a, b, c, s }) => fuseBoth(a.pipe(b).pipe(c), s)],
];

for (const [name, build] of PLACEMENTS) {
  test(`fuseBoth keeps both results and runs the upstream to its end after the sink stops [${name}]`, async (t) => {
    const log: Log = [];
    const parts = { a: logged(log, 'A', [1, 2, 3, 4]), b: counting(log, 'B'), c: counting(log, 'C'), s: takesUpTo(log, 2) };
    const r = await build(parts).run();
    log.push('done');
    t.deepEqual(r, [4, [1, 2]]);
    t.deepEqual(log, ['+C', '+B', '+A', 'got 1', 'got 2', '-A', '-B', '-C', 'done']);
  });

  test(`fuseBoth releases everything LIFO when the sink fails, the sink's error primary [${name}]`, async (t) => {
    const log: Log = [];
    const failing = sink<number, number[]>(function* (io) {
      yield* io.receive();
      throw new Error('sink failed');
    });
    const parts = { a: logged(log, 'A', [1, 2, 3]), b: counting(log, 'B'), c: counting(log, 'C'), s: failing };
    const e = await t.throwsAsync(async () => build(parts).run());
    log.push('failed');
    t.is(e?.message, 'sink failed');
    t.deepEqual(suppressedOf(e), []);
    t.deepEqual(log, ['+C', '+B', '+A', '-A', '-B', '-C', 'failed']);
  });
}

test('fuseBoth when the upstream ends first: the sink sees the end, and the upstream is not pulled again', (t) => {
  const log: Log = [];
  let pulls = 0;
  const r = sync(logged(log, 'A', [1, 2]).pipe(map((x: number) => (pulls++, x))).into(fuseBoth(counting(log, 'C'), sinkList())).run());
  t.deepEqual(r, [2, [1, 2]]);
  t.is(pulls, 2);
  t.deepEqual(log, ['+C', '+A', '-A', '-C']);
});

test('fuseBoth drains an async upstream', async (t) => {
  const slow = fromAsyncIterable((async function* () {
    for (const x of [1, 2, 3]) {
      await tick();
      yield x;
    }
  })());
  t.deepEqual(await slow.into(fuseBoth(counting([], 'C'), head())).run(), [3, 1]);
});

test('fuseBothMaybe has the upstream result only when the upstream ended first, and never drains it', (t) => {
  const log: Log = [];
  let pulls = 0;
  const up = counting(log, 'C').pipe(map((x: number) => (pulls++, x))) as Conduit<number, number, unknown>;
  const early = sync(logged(log, 'A', [1, 2, 3]).into(fuseBothMaybe(up, head())).run());
  log.push('done');
  t.deepEqual(early, [undefined, 1]);
  t.is(pulls, 1);
  t.deepEqual(log, ['+C', '+A', '-A', '-C', 'done']);
  t.deepEqual(sync(fromArray([1, 2]).run(fuseBothMaybe(counting([], 'C'), sinkList()))), [2, [1, 2]]);
});

test('fuseUpstream keeps only the upstream result', (t) => {
  const log: Log = [];
  t.is(sync(fromArray([5, 6, 7]).run(fuseUpstream(counting(log, 'C'), head()))), 3);
});

test('the result type of a generator conduit flows into fuseBoth', (t) => {
  const labelled = conduit<number, string, string>(function* (io) {
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return 'finished';
      yield* io.emit(`#${x}`);
    }
  });
  const r: [string, string[]] = sync(fromArray([1, 2]).run(fuseBoth(labelled, sinkList())));
  t.deepEqual(r, ['finished', ['#1', '#2']]);
  if (Math.random() > 2) {
    // Never run: tsc fails the build if a conduit's result type stops being checked.
    // @ts-expect-error a Conduit returning string is not one returning number
    const wrong: Conduit<number, string, number> = labelled;
    void wrong;
  }
});

test('fuseReturnLeftovers returns what the sink pushed back, in the order it would have read it', (t) => {
  const pushesBack = sink<number, number>(function* (io) {
    const a = yield* io.receive();
    const b = yield* io.receive();
    const c = yield* io.receive();
    if (a === END || b === END || c === END) return -1;
    io.leftover(c);
    io.leftover(b);
    return a;
  });
  t.deepEqual(sync(fromArray([1, 2, 3, 4]).run(fuseReturnLeftovers(map((x: number) => x * 10), pushesBack))), [10, [20, 30]]);
  t.deepEqual(sync(fuseReturnLeftovers(fromArray([1, 2, 3]), pushesBack).run()), [1, [2, 3]]);
});

test('fuseReturnLeftovers: a takeWhile sink\'s stopping element comes back, and the upstream is closed, not drained', (t) => {
  const log: Log = [];
  let pulls = 0;
  const up = counting(log, 'B').pipe(map((x: number) => (pulls++, x)));
  const r = sync(logged(log, 'A', [1, 2, 3, 4]).into(fuseReturnLeftovers(up, takeWhile((x: number) => x < 3).into(sinkList()))).run());
  log.push('done');
  t.deepEqual(r, [[1, 2], [3]]);
  t.is(pulls, 3);
  t.deepEqual(log, ['+B', '+A', '-A', '-B', 'done']);
});

test('fuseReturnLeftovers with nothing left over returns an empty list', (t) => {
  t.deepEqual(sync(fromArray([1, 2]).run(fuseReturnLeftovers(map((x: number) => x), sinkList()))), [[1, 2], []]);
});

test('fuse stages wait for async releases: the sink\'s own, then the upstream\'s when it is closed', async (t) => {
  const log: Log = [];
  const slowSink = sink<number, number | undefined>(function* (io) {
    yield* io.bracket(() => log.push('+S'), () => new Promise<void>((r) => setImmediate(r)).then(() => void log.push('-S')));
    const x = yield* io.peek(); // a leftover the sink reads back at once: the fused input serves it from its stack
    const y = yield* io.receive();
    return x === y ? (y as number) : undefined;
  });
  const r = await loggedAsync(log, 'A', [1, 2, 3]).into(fuseReturnLeftovers(counting(log, 'C'), slowSink)).run();
  log.push('done');
  t.deepEqual(r, [1, []]);
  t.deepEqual(log, ['+S', '+C', '+A', '-S', '-A', '-C', 'done']);
  const both = await loggedAsync([], 'A', [1, 2, 3]).into(fuseBoth(counting([], 'C'), slowSink)).run();
  t.deepEqual(both, [3, 1]);
});
