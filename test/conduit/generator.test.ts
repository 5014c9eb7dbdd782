import test from 'ava';
import {
  conduit, END, fold, fromArray, fromAsyncIterable, map, mapAsync, of, range, sink, sinkList, source, take, type Source,
} from '../../src/conduit/index.js';
import { logged, loggedAsync, tick, type Log } from './helpers.js';

async function* slowly<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) {
    await tick();
    yield x;
  }
}

const double = conduit<number, number>(function* (io) {
  for (;;) {
    const x = yield* io.receive();
    if (x === END) return;
    yield* io.emit(x * 2);
  }
});

const sum = sink<number, number>(function* (io) {
  let acc = 0;
  for (;;) {
    const x = yield* io.receive();
    if (x === END) return acc;
    acc += x;
  }
});

test('a generator conduit and sink run synchronously over a sync source', (t) => {
  const r = of(1, 2, 3).pipe(double).run(sum);
  t.is(r, 12);
});

test('a generator source emits and its return ends the stream', (t) => {
  const s = source<string>(function* (io) {
    yield* io.emit('a');
    yield* io.emit('b');
  });
  t.deepEqual(s.run(sinkList()), ['a', 'b']);
});

test('generator stages read an async upstream (the fast receive falls back to a real wait)', async (t) => {
  const r = fromAsyncIterable(slowly([1, 2, 3])).pipe(double).run(sum);
  t.true(r instanceof Promise);
  t.is(await r, 12);
});

test('peek does not consume and leftovers are a stack (the last pushed is received first)', (t) => {
  const s = sink<number, unknown[]>(function* (io) {
    const seen: unknown[] = [];
    seen.push(yield* io.peek());
    const a = yield* io.receive();
    const b = yield* io.receive();
    io.leftover(a as number);
    io.leftover(b as number);
    seen.push(yield* io.receive(), yield* io.receive(), yield* io.receive(), yield* io.receive(), yield* io.peek());
    return seen;
  });
  t.deepEqual(of(1, 2, 3).run(s), [1, 2, 1, 3, END, END]);
});

test('peek works over an async upstream', async (t) => {
  const s = sink<number, unknown[]>(function* (io) {
    const p = yield* io.peek();
    const r = yield* io.receive();
    return [p, r];
  });
  t.deepEqual(await fromAsyncIterable(slowly([7])).run(s), [7, 7]);
});

test('leftover in a source stage throws a TypeError', (t) => {
  const s = source<number>(function* (io) {
    (io as unknown as { leftover(x: number): void }).leftover(1);
  });
  t.throws(() => s.run(sinkList()), { instanceOf: TypeError });
});

test('await resumes with a promise value, and at once with a plain value', async (t) => {
  const s = source<number>(function* (io) {
    yield* io.emit(yield* io.await(5));
    yield* io.emit(yield* io.await(Promise.resolve(6)));
  });
  t.deepEqual(await s.run(sinkList()), [5, 6]);
});

test('a rejected await is thrown into the body where try/catch sees it', async (t) => {
  const s = source<string>(function* (io) {
    try {
      yield* io.await(Promise.reject(new Error('nope')));
    } catch (e) {
      yield* io.emit(`caught ${(e as Error).message}`);
    }
  });
  t.deepEqual(await s.run(sinkList()), ['caught nope']);
});

test('consume runs a sink on the same input and leftovers carry over to what follows', (t) => {
  const two = sink<number, number[]>(function* (io) {
    const a = yield* io.receive();
    const b = yield* io.receive();
    const c = yield* io.receive();
    io.leftover(c as number); // read one too many: give it back
    return [a as number, b as number];
  });
  const s = sink<number, unknown>(function* (io) {
    const first = yield* io.consume(two);
    const rest = yield* io.consume(sinkList<number>());
    return { first, rest };
  });
  t.deepEqual(range(0, 5).run(s), { first: [0, 1], rest: [2, 3, 4] });
});

test('forward runs a conduit on the input and the stage continues after it', (t) => {
  const c = conduit<number, number>(function* (io) {
    yield* io.forward(take<number>(2).pipe(map((x: number) => x * 10)));
    yield* io.emit(-1);
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return;
      yield* io.emit(x);
    }
  });
  t.deepEqual(range(1, 5).pipe(c).run(sinkList()), [10, 20, -1, 3, 4]);
});

test('consume and forward are refused in a source stage', (t) => {
  const s = source<number>(function* (io) {
    yield* (io as unknown as { consume(s: unknown): Iterable<never> }).consume(sinkList());
  });
  t.throws(() => s.run(sinkList()), { instanceOf: TypeError });
});

test('emitAll releases a sub-source (async release included) before the stage goes on', async (t) => {
  const log: Log = [];
  const s = source<string>(function* (io) {
    yield* io.emitAll(loggedAsync(log, 'A', ['a']));
    log.push('after A');
    yield* io.emit('b');
  });
  const r = await s.pipe(map((x: string) => (log.push(x), x))).run(sinkList());
  t.deepEqual(r, ['a', 'b']);
  t.deepEqual(log, ['+A', 'a', '-A', 'after A', 'b']);
});

function rightNested(n: number): Source<number> {
  return source<number>(function* (io) {
    if (n === 0) return;
    yield* io.emit(n);
    yield* io.emitAll(rightNested(n - 1));
  });
}

function leftNested(n: number): Source<number> {
  return source<number>(function* (io) {
    if (n === 0) return;
    yield* io.emitAll(leftNested(n - 1));
    yield* io.emit(n);
  });
}

test('100,000 right-nested emitAll levels do not overflow the stack', (t) => {
  t.is(rightNested(100_000).run(fold((a: number, x: number) => a + x, 0)), (100_000 * 100_001) / 2);
});

test('100,000 left-nested emitAll levels do not overflow the stack and keep order', (t) => {
  const r = leftNested(100_000).run(fold((a: number[], x: number) => (a.length < 3 && a.push(x), a), [] as number[]));
  t.deepEqual(r, [1, 2, 3]);
});

test('stopping early inside 100,000 nested levels closes every level (finally blocks run once each)', (t) => {
  let finals = 0;
  const nest = (n: number): Source<number> => source<number>(function* (io) {
    try {
      if (n === 0) {
        for (let i = 0; ; i++) yield* io.emit(i);
      }
      yield* io.emitAll(nest(n - 1));
    } finally {
      finals++;
    }
  });
  t.deepEqual(nest(100_000).pipe(take(3)).run(sinkList()), [0, 1, 2]);
  t.is(finals, 100_001);
});

test('nested consume of generator sinks is stack-safe too', (t) => {
  const nest = (n: number): ReturnType<typeof sink<number, number>> => sink<number, number>(function* (io) {
    const x = yield* io.receive();
    if (x === END) return 0;
    if (n === 0) return x;
    return x + (yield* io.consume(nest(n - 1)));
  });
  t.is(range(0, 20_001).run(nest(20_000)), (20_000 * 20_001) / 2);
});

test('bracket releases at the natural end, LIFO with addCleanup', (t) => {
  const log: Log = [];
  const s = source<number>(function* (io) {
    yield* io.bracket(() => log.push('+r'), () => void log.push('-r'));
    io.addCleanup(() => void log.push('-c'));
    yield* io.emit(1);
  });
  t.deepEqual(s.pipe(map((x: number) => (log.push(`got ${x}`), x))).run(sinkList()), [1]);
  t.deepEqual(log, ['+r', 'got 1', '-c', '-r']);
});

test('an async bracket acquires before the body continues and releases when downstream stops', async (t) => {
  const log: Log = [];
  const s = source<number>(function* (io) {
    yield* io.bracket(async () => (await tick(), log.push('+r'), 'R'), async (name) => {
      await tick();
      log.push(`-${name}`);
    });
    for (let i = 0; ; i++) yield* io.emit(i);
  });
  const out = await s.pipe(take(2)).run(sinkList());
  log.push('done');
  t.deepEqual(out, [0, 1]);
  t.deepEqual(log, ['+r', '-R', 'done']);
});

test('a bracket whose acquire throws raises at the yield*, where the body can catch it', (t) => {
  const s = source<string>(function* (io) {
    try {
      yield* io.bracket(() => {
        throw new Error('no resource');
      }, () => undefined);
    } catch (e) {
      yield* io.emit((e as Error).message);
    }
  });
  t.deepEqual(s.run(sinkList()), ['no resource']);
});

test('addCleanup returns a handle that releases early, exactly once', (t) => {
  const log: Log = [];
  const s = source<number>(function* (io) {
    const c = io.addCleanup(() => void log.push('cleanup'));
    c.release();
    c.release();
    yield* io.emit(1);
  });
  t.deepEqual(s.run(sinkList()), [1]);
  t.deepEqual(log, ['cleanup']);
});

test('an upstream error is thrown into the body after upstream was released', (t) => {
  const log: Log = [];
  const failing = source<number>(function* (io) {
    yield* io.emit(1);
    throw new Error('upstream broke');
  });
  const up = logged(log, 'A', [0]).pipe(conduit<number, number>(function* (io) {
    yield* io.forward(take(1));
    yield* io.emitAll(failing);
  }));
  const s = sink<number, string>(function* (io) {
    try {
      for (;;) if ((yield* io.receive()) === END) return 'end';
    } catch (e) {
      log.push('caught');
      return (e as Error).message;
    }
  });
  t.is(up.run(s), 'upstream broke');
  t.deepEqual(log, ['+A', '-A', 'caught']);
});

test('an upstream error with an async release is thrown into the body after the release finished', async (t) => {
  const log: Log = [];
  const up = loggedAsync(log, 'A', [1, 2]).pipe(map((x: number) => {
    if (x === 2) throw new Error('bad element');
    return x;
  }));
  const s = sink<number, string>(function* (io) {
    try {
      for (;;) if ((yield* io.receive()) === END) return 'end';
    } catch (e) {
      log.push('caught');
      return (e as Error).message;
    }
  });
  t.is(await up.run(s), 'bad element');
  t.deepEqual(log, ['+A', '-A', 'caught']);
});

test('an upstream error seen after a suspension is thrown into the body too', async (t) => {
  const up = fromAsyncIterable((async function* () {
    await tick();
    throw new Error('late failure');
  })());
  const s = sink<number, string>(function* (io) {
    try {
      yield* io.receive();
      return 'no error';
    } catch (e) {
      return (e as Error).message;
    }
  });
  t.is(await up.run(s), 'late failure');
});

test('an upstream error after a suspension, with an async release, reaches the body after the release', async (t) => {
  const log: Log = [];
  const up = loggedAsync(log, 'A', [1, 2]).pipe(mapAsync(async (x: number) => {
    await tick();
    if (x === 2) throw new Error('late and async');
    return x;
  }));
  const s = sink<number, string>(function* (io) {
    try {
      for (;;) if ((yield* io.receive()) === END) return 'end';
    } catch (e) {
      log.push('caught');
      return (e as Error).message;
    }
  });
  t.is(await up.run(s), 'late and async');
  t.deepEqual(log, ['+A', '-A', 'caught']);
});

test('a body that throws fails the run and its resources are released', (t) => {
  const log: Log = [];
  const s = sink<number, void>(function* (io) {
    yield* io.receive();
    throw new Error('sink broke');
  });
  t.throws(() => logged(log, 'A', [1, 2]).run(s), { message: 'sink broke' });
  t.deepEqual(log, ['+A', '-A']);
});

test('a generator sink that returns early releases upstream at once', (t) => {
  const log: Log = [];
  const first = sink<number, number | undefined>(function* (io) {
    const x = yield* io.receive();
    log.push('sink returns');
    return x === END ? undefined : x;
  });
  t.is(logged(log, 'A', [5, 6]).run(first), 5);
  t.deepEqual(log, ['+A', 'sink returns', '-A']);
});

test('closing a generator stage early runs its finally blocks', (t) => {
  const log: Log = [];
  const s = source<number>(function* (io) {
    try {
      for (let i = 0; ; i++) yield* io.emit(i);
    } finally {
      log.push('finally');
    }
  });
  t.deepEqual(s.pipe(take(2)).run(sinkList()), [0, 1]);
  t.deepEqual(log, ['finally']);
});

test('an async acquire that finishes after the run was aborted is released at once', async (t) => {
  const log: Log = [];
  let acquired!: () => void;
  const s = source<number>(function* (io) {
    yield* io.bracket(() => new Promise<string>((r) => (acquired = () => r('R'))), (name) => void log.push(`-${name}`));
    yield* io.emit(1);
  });
  const ac = new AbortController();
  const run = s.runAsync(sinkList(), { signal: ac.signal });
  await tick();
  ac.abort(new Error('stop'));
  await t.throwsAsync(run, { message: 'stop' });
  acquired();
  await tick();
  t.deepEqual(log, ['-R']);
});

test('a generator stage can be reused: each run gets a fresh generator', (t) => {
  const c = of(1, 2).pipe(double);
  t.deepEqual(c.run(sinkList()), [2, 4]);
  t.deepEqual(c.run(sinkList()), [2, 4]);
  t.deepEqual(fromArray([3]).pipe(double).run(sinkList()), [6]);
});
