import test from 'ava';
import { awaitForever, catchError, fromArray, of, range, sinkList, take } from '../../src/conduit/index.js';
import { sync, tick } from './helpers.js';

test('awaitForever emits what the handler emits, in order, any number per input', (t) => {
  const c = awaitForever<number, string>((x, emit) => {
    for (let i = 0; i < x; i++) emit(`${x}.${i}`);
  });
  t.deepEqual(sync(of(0, 2, 1).pipe(c).run(sinkList())), ['2.0', '2.1', '1.0']);
});

test('awaitForever with a sync handler runs with no promise', (t) => {
  const r = range(0, 3).pipe(awaitForever<number, number>((x, emit) => emit(x * 2))).run(sinkList());
  t.false(r instanceof Promise);
  t.deepEqual(sync(r), [0, 2, 4]);
});

test('awaitForever waits for a handler promise before reading the next input', async (t) => {
  const log: string[] = [];
  const c = awaitForever<number, number>(async (x, emit) => {
    log.push(`start ${x}`);
    emit(x);
    await tick();
    emit(x + 100);
    log.push(`end ${x}`);
  });
  t.deepEqual(await of(1, 2).pipe(c).run(sinkList()), [1, 101, 2, 102]);
  t.deepEqual(log, ['start 1', 'end 1', 'start 2', 'end 2']);
});

test('awaitForever does not read ahead: take(n) stops it after the n-th output', (t) => {
  let handled = 0;
  const c = awaitForever<number, number>((x, emit) => {
    handled++;
    emit(x);
  });
  t.deepEqual(sync(range(0, 100).pipe(c, take(2)).run(sinkList())), [0, 1]);
  t.is(handled, 2);
});

test('a rejected handler promise is an error a catchError can handle', async (t) => {
  const failing = fromArray([1, 2]).pipe(awaitForever<number, number>(async (x, emit) => {
    emit(x);
    await tick();
    throw new Error(`bad ${x}`);
  }));
  t.deepEqual(await catchError(failing, (e) => of((e as Error).message as unknown as number)).run(sinkList()), [1, 'bad 1']);
});

test('a handler that throws fails the run', (t) => {
  t.throws(() => of(1).pipe(awaitForever(() => {
    throw new Error('sync failure');
  })).run(sinkList()), { message: 'sync failure' });
});
