import test from 'ava';
import {
  bracketSource, conduit, END, fold, fromArray, map, range, run, sink, sinkList, Source, take, type Conduit, type Sink,
  suppressedOf, head, Pipeline,
} from '../../src/conduit/index.js';
import { logged, loggedAsync, type Log } from './helpers.js';

/** A pass-through conduit that holds a resource for as long as it runs. */
function guarded(log: Log, name: string, failAt = -1): Conduit<number, number> {
  return conduit<number, number>(function* (io) {
    yield* io.bracket(() => log.push(`+${name}`), () => void log.push(`-${name}`));
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return;
      if (x === failAt) throw new Error(`${name} failed`);
      yield* io.emit(x);
    }
  });
}

/** A sink that logs each element and fails on `failAt`. */
function recording(log: Log, failAt = -1): Sink<number, number[]> {
  return sink<number, number[]>(function* (io) {
    const got: number[] = [];
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return got;
      if (x === failAt) throw new Error('sink failed');
      log.push(`got ${x}`);
      got.push(x);
    }
  });
}

type Parts = { a: Source<number>; b: Conduit<number, number>; c: Conduit<number, number>; s: Sink<number, number[]> };

/** The same pipeline in every association of fusion. */
const ASSOCIATIONS: Array<[string, (p: Parts) => Pipeline<number[]>]> = [
  ['(a.b).c', ({ a, b, c, s }) => a.pipe(b).pipe(c).into(s)],
  ['a.(b.c)', ({ a, b, c, s }) => a.pipe(b.pipe(c)).into(s)],
  ['a.(b.(c.s))', ({ a, b, c, s }) => a.into(b.into(c.into(s)))],
  ['(a.b).(c.s)', ({ a, b, c, s }) => a.pipe(b).into(c.into(s))],
];

function scenario(
  name: string,
  make: (log: Log) => Parts,
  expected: { log: string[]; result?: number[]; error?: string; suppressed?: string[] },
): void {
  for (const [assoc, build] of ASSOCIATIONS) {
    test(`${name} [${assoc}]`, async (t) => {
      const log: Log = [];
      const pipeline = build(make(log));
      try {
        const r = await pipeline.run();
        log.push('done');
        t.deepEqual(r, expected.result);
      } catch (e) {
        log.push('failed');
        t.is((e as Error).message, expected.error ?? "(no error expected)");
        t.deepEqual(suppressedOf(e).map((x) => (x as Error).message), expected.suppressed ?? []);
      }
      t.deepEqual(log, expected.log);
    });
  }
}

scenario('a natural end releases each stage at its own end, upstream first', (log) => ({
  a: logged(log, 'A', [1, 2]), b: guarded(log, 'B'), c: guarded(log, 'C'), s: recording(log),
}), { log: ['+C', '+B', '+A', 'got 1', 'got 2', '-A', '-B', '-C', 'done'], result: [1, 2] });

scenario('take releases everything upstream (newest first) before the taken element reaches the sink', (log) => ({
  a: logged(log, 'A', [1, 2, 3]), b: guarded(log, 'B'), c: guarded(log, 'C').pipe(take(1)), s: recording(log),
}), { log: ['+C', '+B', '+A', '-A', '-B', '-C', 'got 1', 'done'], result: [1] });

scenario('a sink that returns early (head) releases everything when the run ends', (log) => ({
  a: logged(log, 'A', [1, 2, 3]), b: guarded(log, 'B'), c: guarded(log, 'C'),
  s: sink<number, number[]>(function* (io) {
    const x = yield* io.receive();
    log.push(`got ${String(x)}`);
    return [x as number];
  }),
}), { log: ['+C', '+B', '+A', 'got 1', '-A', '-B', '-C', 'done'], result: [1] });

scenario('an exception in a middle stage releases upstream first, then the rest, LIFO', (log) => ({
  a: logged(log, 'A', [1, 2, 3]), b: guarded(log, 'B', 2), c: guarded(log, 'C'), s: recording(log),
}), { log: ['+C', '+B', '+A', 'got 1', '-A', '-B', '-C', 'failed'], error: 'B failed' });

scenario('an exception in the sink releases everything LIFO', (log) => ({
  a: logged(log, 'A', [1, 2, 3]), b: guarded(log, 'B'), c: guarded(log, 'C'), s: recording(log, 2),
}), { log: ['+C', '+B', '+A', 'got 1', '-A', '-B', '-C', 'failed'], error: 'sink failed' });

scenario('an exception in the source releases everything LIFO', (log) => ({
  a: bracketSource(() => log.push('+A'), () => fromArray([1, 2]).pipe(map((x: number) => {
    if (x === 2) throw new Error('source failed');
    return x;
  })), () => void log.push('-A')),
  b: guarded(log, 'B'), c: guarded(log, 'C'), s: recording(log),
}), { log: ['+C', '+B', '+A', 'got 1', '-A', '-B', '-C', 'failed'], error: 'source failed' });

scenario('a finalizer that throws still lets every other release run, and the primary error is kept', (log) => ({
  a: bracketSource(() => log.push('+A'), () => fromArray([1, 2]), () => {
    log.push('-A');
    throw new Error('A release failed');
  }),
  b: guarded(log, 'B'), c: guarded(log, 'C'), s: recording(log, 2),
}), { log: ['+C', '+B', '+A', 'got 1', '-A', '-B', '-C', 'failed'], error: 'sink failed', suppressed: ['A release failed'] });

scenario('a finalizer that throws after success rejects the run', (log) => ({
  a: logged(log, 'A', [1]), b: guarded(log, 'B'),
  c: conduit<number, number>(function* (io) {
    io.addCleanup(() => {
      log.push('-C');
      throw new Error('C release failed');
    });
    yield* io.forward(map((x: number) => x));
  }),
  s: recording(log),
}), { log: ['+B', '+A', 'got 1', '-A', '-B', '-C', 'failed'], error: 'C release failed' });

scenario('async releases are awaited, in order, before the run settles', (log) => ({
  a: loggedAsync(log, 'A', [1]), b: guarded(log, 'B'), c: guarded(log, 'C').pipe(take(1)), s: recording(log),
}), { log: ['+C', '+B', '+A', '-A', '-B', '-C', 'got 1', 'done'], result: [1] });

/** A source of `items` whose release logs `-name` and then throws (after a macrotask when `async`). */
function failingRelease(log: Log, name: string, items: number[], async = false): Source<number> {
  return bracketSource(() => log.push(`+${name}`), () => fromArray(items), () => {
    const fail = (): void => {
      log.push(`-${name}`);
      throw new Error(`${name} release failed`);
    };
    if (!async) return fail();
    return new Promise<void>((resolve) => setImmediate(resolve)).then(fail);
  });
}

scenario('take hands on the n-th element even when the upstream release fails: the sink\'s error is primary', (log) => ({
  a: failingRelease(log, 'A', [1, 2, 3]), b: guarded(log, 'B'), c: guarded(log, 'C').pipe(take(1)), s: recording(log, 1),
}), { log: ['+C', '+B', '+A', '-A', '-B', '-C', 'failed'], error: 'sink failed', suppressed: ['A release failed'] });

scenario('take hands on the n-th element even when the upstream release fails: the release error fails the run', (log) => ({
  a: failingRelease(log, 'A', [1, 2, 3]), b: guarded(log, 'B'), c: guarded(log, 'C').pipe(take(1)), s: recording(log),
}), { log: ['+C', '+B', '+A', '-A', '-B', '-C', 'got 1', 'failed'], error: 'A release failed' });

scenario('take hands on the n-th element when an async upstream release rejects: the sink\'s error is primary', (log) => ({
  a: failingRelease(log, 'A', [1, 2, 3], true), b: guarded(log, 'B'), c: guarded(log, 'C').pipe(take(1)), s: recording(log, 1),
}), { log: ['+C', '+B', '+A', '-A', '-B', '-C', 'failed'], error: 'sink failed', suppressed: ['A release failed'] });

scenario('take hands on the n-th element when an async upstream release rejects: the release error fails the run', (log) => ({
  a: failingRelease(log, 'A', [1, 2, 3], true), b: guarded(log, 'B'), c: guarded(log, 'C').pipe(take(2)), s: recording(log),
}), { log: ['+C', '+B', '+A', 'got 1', '-A', '-B', '-C', 'got 2', 'failed'], error: 'A release failed' });

test('the head sink stops after one element and the run releases the rest', (t) => {
  const log: Log = [];
  const r = logged(log, 'A', [1, 2, 3]).pipe(guarded(log, 'B')).run(head());
  log.push('done');
  t.is(r, 1);
  t.deepEqual(log, ['+B', '+A', '-A', '-B', 'done']);
});

test('a fully sync pipeline returns its result without a promise or a microtask turn', (t) => {
  let microtaskRan = false;
  queueMicrotask(() => {
    microtaskRan = true;
  });
  const r = range(0, 1000).pipe(map((x: number) => x + 1), take(10)).run(fold((a: number, x: number) => a + x, 0));
  t.false(microtaskRan);
  t.is(r, 55);
  t.false((r as unknown) instanceof Promise);
});

test('100,000 elements through 1,000 fused stages (both nestings) do not overflow the stack', (t) => {
  const inc = map((x: number) => x + 1);
  let left: Conduit<number, number> = inc;
  let right: Conduit<number, number> = inc;
  for (let i = 1; i < 1000; i++) {
    left = left.pipe(inc);
    right = inc.pipe(right);
  }
  let chained = range(0, 100_000);
  for (let i = 0; i < 1000; i++) chained = chained.pipe(inc);
  const expected = (99_999 * 100_000) / 2 + 1000 * 100_000;
  const sum = fold((a: number, x: number) => a + x, 0);
  t.is(range(0, 100_000).pipe(left).run(sum), expected);
  t.is(range(0, 100_000).pipe(right).run(sum), expected);
  t.is(chained.run(sum), expected);
});

test('a description is reusable: each run builds fresh stages', async (t) => {
  const p = range(0, 3).pipe(map((x: number) => x * 2)).into(sinkList());
  t.deepEqual(p.run(), [0, 2, 4]);
  t.deepEqual(await p.runAsync(), [0, 2, 4]);
  t.deepEqual(run(p), [0, 2, 4]);
  t.deepEqual(await range(0, 2).runAsync(sinkList()), [0, 1]);
});

test('pipe with no conduits is the identity, and the kinds are reported', (t) => {
  const s = range(0, 2);
  t.deepEqual(s.pipe().run(sinkList()), [0, 1]);
  t.is(s.kind, 'source');
  t.is(map((x: number) => x).kind, 'conduit');
  t.is(sinkList().kind, 'sink');
  t.is(s.into(sinkList()).kind, 'pipeline');
});

test('type level: a Sink is not a Conduit, a Conduit is not a Sink, a Source is not a Conduit (conduit#96)', (t) => {
  const s = range(0, 3);
  const k = sinkList<number>();
  const c = map((x: number) => x);
  if (Math.random() > 2) {
    // These lines are never run: tsc fails the build if any of them stops being a type error.
    // @ts-expect-error a Sink passed where a Conduit is expected
    s.pipe(k);
    // @ts-expect-error a Sink passed where a Conduit is expected, in conduit fusion
    c.pipe(k);
    // @ts-expect-error a Conduit passed where a Sink is expected
    s.into(c);
    // @ts-expect-error a Source passed where a Conduit is expected
    s.pipe(s);
    // @ts-expect-error element types must line up
    s.pipe(map((x: string) => x.length));
  }
  t.pass();
});
