import test from 'ava';
import {
  bracketSource, fromArray, map, mapAsync, park, range, settled, sinkList, Source, Stage, suspend, suppressedOf, SUSPEND,
  UNSETTLED, DONE, acquire, type Done, type Suspend,
} from '../../src/conduit/index.js';
import { logged, loggedAsync, tick, type Log } from './helpers.js';

/** A source whose first pull waits on a promise that never settles (until the run is aborted). */
class Forever extends Stage<number, void> {
  constructor(private readonly log: Log) {
    super(null);
  }
  pull(): number | Done | Suspend {
    if (this.held === null) acquire(this, () => void this.log.push('-forever'));
    return suspend(new Promise<void>(() => undefined));
  }
}

test('an AbortSignal aborts a pending pull, releases everything, then rejects with its reason', async (t) => {
  const log: Log = [];
  const ac = new AbortController();
  const src = bracketSource(() => log.push('+A'), () => new Source(() => new Forever(log)), () => void log.push('-A'));
  const r = src.pipe(map((x: number) => x)).runAsync(sinkList(), { signal: ac.signal });
  await tick();
  t.deepEqual(log, ['+A']);
  ac.abort(new Error('client went away'));
  await t.throwsAsync(r, { message: 'client went away' });
  t.deepEqual(log, ['+A', '-forever', '-A']);
});

test('an AbortSignal already aborted fails the run before anything is pulled', async (t) => {
  const log: Log = [];
  const ac = new AbortController();
  ac.abort(new Error('too late'));
  const r = logged(log, 'A', [1]).run(sinkList(), { signal: ac.signal });
  await t.throwsAsync(Promise.resolve(r), { message: 'too late' });
  t.deepEqual(log, []);
});

test('an AbortSignal that never fires leaves a finished run alone', async (t) => {
  const ac = new AbortController();
  const r = await range(0, 3).pipe(mapAsync(async (x: number) => x)).run(sinkList(), { signal: ac.signal });
  ac.abort(new Error('after the end'));
  t.deepEqual(r, [0, 1, 2]);
});

test('an async release is awaited before the run resolves', async (t) => {
  const log: Log = [];
  const r = await loggedAsync(log, 'A', [1, 2]).run(sinkList());
  log.push('resolved');
  t.deepEqual(r, [1, 2]);
  t.deepEqual(log, ['+A', '-A', 'resolved']);
});

test('an async release that fails after success rejects the run', async (t) => {
  const src = bracketSource(() => 0, () => fromArray([1]).pipe(mapAsync(async (x: number) => x)), async () => {
    await tick();
    throw new Error('release failed');
  });
  await t.throwsAsync(Promise.resolve(src.run(sinkList())), { message: 'release failed' });
});

test('a sync release that fails after an async run rejects it', async (t) => {
  const src = bracketSource(() => 0, () => fromArray([1]), () => {
    throw new Error('release failed');
  });
  await t.throwsAsync(Promise.resolve(src.pipe(mapAsync(async (x: number) => x)).run(sinkList())), { message: 'release failed' });
});

test('an async stage failing keeps its error primary; release failures ride along in suppressed', async (t) => {
  const src = bracketSource(() => 0, () => fromArray([1]), () => {
    throw new Error('release failed');
  });
  const err = await t.throwsAsync(Promise.resolve(src.pipe(mapAsync(async () => {
    throw new Error('stage failed');
  })).run(sinkList())));
  t.is(err?.message, 'stage failed');
  t.deepEqual(suppressedOf(err).map((e) => (e as Error).message), ['release failed']);
});

test('a stage that returns SUSPEND without suspend() is reported as a bug', async (t) => {
  class Broken extends Stage<number, void> {
    pull(): Suspend {
      return SUSPEND;
    }
  }
  await t.throwsAsync(Promise.resolve(new Source(() => new Broken(null)).run(sinkList())), { message: /without calling suspend/ });
});

test('a suspend() whose promise rejects fails the run and releases everything', async (t) => {
  const log: Log = [];
  class Failing extends Stage<number, void> {
    pull(): Suspend {
      return suspend(Promise.reject(new Error('wait failed')));
    }
  }
  const src = bracketSource(() => log.push('+A'), () => new Source(() => new Failing(null)), () => void log.push('-A'));
  await t.throwsAsync(Promise.resolve(src.run(sinkList())), { message: 'wait failed' });
  t.deepEqual(log, ['+A', '-A']);
});

test('park() lets a stage read the outcome with settled(), including a rejection it can rethrow', async (t) => {
  class Parking extends Stage<string, void> {
    private p: Promise<string> | null = null;
    private n = 0;
    pull(): string | Done | Suspend {
      if (this.p !== null) {
        const p = this.p;
        let v: unknown;
        try {
          v = settled(p);
        } catch (e) {
          this.p = null;
          return `caught ${(e as Error).message}`;
        }
        if (v === UNSETTLED) return park(p);
        this.p = null;
        return v as string;
      }
      if (this.n++ === 2) return DONE;
      this.p = this.n === 1 ? Promise.resolve('ok') : Promise.reject(new Error('bad'));
      return park(this.p);
    }
  }
  t.deepEqual(await new Source(() => new Parking(null)).run(sinkList()), ['ok', 'caught bad']);
});

test('a failing async run with an async failing release rejects with the primary error', async (t) => {
  const src = bracketSource(() => 0, () => fromArray([1, 2]).pipe(mapAsync(async (x: number) => {
    if (x === 2) throw new Error('primary');
    return x;
  })), async () => {
    await tick();
    throw new Error('secondary');
  });
  const err = await t.throwsAsync(Promise.resolve(src.run(sinkList())));
  t.is(err?.message, 'primary');
  t.deepEqual(suppressedOf(err).map((e) => (e as Error).message), ['secondary']);
});
