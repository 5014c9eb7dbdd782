import test from 'ava';
import { DONE, mapAsync, Puller, range, Source, Stage, suspend, type Done, type Suspend } from '../../src/conduit/index.js';
import { logged, tick, type Log } from './helpers.js';

test('a Puller hands out elements synchronously from a sync source, then DONE after releasing', (t) => {
  const log: Log = [];
  const p = new Puller(logged(log, 'A', [1, 2]));
  t.false(p.done);
  t.is(p.next(), 1);
  t.is(p.next(), 2);
  t.is(p.next(), DONE);
  t.true(p.done);
  t.deepEqual(log, ['+A', '-A']);
  t.is(p.next(), DONE);
});

test('a Puller returns a promise when the source suspends', async (t) => {
  const p = new Puller(range(0, 2).pipe(mapAsync(async (x: number) => (await tick(), x))));
  const first = p.next();
  t.true(first instanceof Promise);
  t.is(await first, 0);
  t.is(await p.next(), 1);
  t.is(await p.next(), DONE);
});

test('closing a Puller while a wait is pending releases at once and the wait ends with DONE', async (t) => {
  const log: Log = [];
  let wake!: () => void;
  class Waiting extends Stage<number, void> {
    pull(): number | Done | Suspend {
      return suspend(new Promise<void>((r) => (wake = r)));
    }
  }
  const src = logged(log, 'A', [0]).pipe(mapAsync(() => new Promise<number>(() => undefined)));
  const p = new Puller(src);
  const pending = p.next();
  p.close();
  t.deepEqual(log, ['+A', '-A']);
  t.is(await pending, DONE);
  const q = new Puller(new Source(() => new Waiting(null)));
  const waiting = q.next();
  q.close();
  wake();
  t.is(await waiting, DONE);
});

test('a rejected suspension fails the Puller; closed meanwhile, it ends with DONE instead', async (t) => {
  class Failing extends Stage<number, void> {
    pull(): Suspend {
      return suspend(Promise.reject(new Error('wait failed')));
    }
  }
  const p = new Puller(new Source(() => new Failing(null)));
  await t.throwsAsync(p.next() as Promise<unknown>, { message: 'wait failed' });
  t.true(p.done);
  const closedMeanwhile = new Puller(new Source(() => new Failing(null)));
  const pending = closedMeanwhile.next();
  closedMeanwhile.close();
  t.is(await pending, DONE);
});
