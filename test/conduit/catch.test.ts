import test from 'ava';
import {
  bracketSource, catchError, conduit, END, fromArray, map, mapAsync, of, range, sinkList, source, suppressedOf,
} from '../../src/conduit/index.js';
import { logged, sync, tick, type Log } from './helpers.js';

test('catchError closes a failing source (releasing its resources) and continues with the handler\'s source', (t) => {
  const log: Log = [];
  const failing = bracketSource(() => log.push('+A'), () => fromArray([1, 2, 3]).pipe(map((x: number) => {
    if (x === 3) throw new Error('boom');
    return x;
  })), () => void log.push('-A'));
  const s = catchError(failing, (e) => {
    log.push(`handler ${(e as Error).message}`);
    return logged(log, 'B', [-1]);
  });
  t.deepEqual(sync(s.run(sinkList())), [1, 2, -1]);
  t.deepEqual(log, ['+A', '-A', 'handler boom', '+B', '-B']);
});

test('a source that does not fail passes through untouched', (t) => {
  t.deepEqual(sync(catchError(of(1, 2), () => of(0)).run(sinkList())), [1, 2]);
});

test('catchError sees async errors of a parked stage', async (t) => {
  const failing = range(0, 3).pipe(mapAsync(async (x: number) => {
    await tick();
    if (x === 1) throw new Error('async boom');
    return x;
  }));
  t.deepEqual(await catchError(failing, () => of(99)).run(sinkList()), [0, 99]);
});

test('the handler gets the error with release failures attached, after async releases finished', async (t) => {
  const log: Log = [];
  const failing = bracketSource(() => 0, () => source<number>(function* () {
    throw new Error('primary');
  }), async () => {
    await tick();
    log.push('released');
    throw new Error('release failed');
  });
  const s = catchError(failing, (e) => {
    log.push('handler');
    return of(suppressedOf(e).length);
  });
  t.deepEqual(await s.run(sinkList()), [1]);
  t.deepEqual(log, ['released', 'handler']);
});

test('an error in the handler\'s replacement is not caught again', (t) => {
  const s = catchError(source<number>(function* () {
    throw new Error('first');
  }), () => source<number>(function* () {
    throw new Error('second');
  }));
  t.throws(() => s.run(sinkList()), { message: 'second' });
});

test('a conduit that fails is closed and the handler\'s conduit continues on the same input', (t) => {
  const log: Log = [];
  const strict = conduit<number, string>(function* (io) {
    yield* io.bracket(() => log.push('+strict'), () => void log.push('-strict'));
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return;
      if (x < 0) throw new Error(`negative ${x}`);
      yield* io.emit(`ok ${x}`);
    }
  });
  const c = catchError(strict, (e) => map((x: number) => `after ${(e as Error).message}: ${x}`));
  t.deepEqual(sync(fromArray([1, -2, 3]).pipe(c).run(sinkList())), ['ok 1', 'after negative -2: 3']);
  t.deepEqual(log, ['+strict', '-strict']);
});

test('an error from upstream of a caught conduit is not caught', (t) => {
  const broken = fromArray([1, 2]).pipe(map((x: number) => {
    if (x === 2) throw new Error('upstream');
    return x;
  }));
  const c = catchError(map((x: number) => x), () => map(() => -1));
  t.throws(() => broken.pipe(c).run(sinkList()), { message: 'upstream' });
  const viaGenerator = catchError(conduit<number, number>(function* (io) {
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return;
      yield* io.emit(x);
    }
  }), () => map(() => -1));
  t.throws(() => broken.pipe(viaGenerator).run(sinkList()), { message: 'upstream' });
});
