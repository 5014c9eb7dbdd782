// TimeoutManager on a fake clock: arming is a deadline write, a sweep fires overdue handles once and forgets them.
import test from 'ava';
import { TimeoutManager, type TimeoutHandle } from '../../src/server/timeout.js';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function handle(log: string[], name: string): TimeoutHandle {
  return { deadline: Infinity, slot: -1, onTimeout: () => log.push(name) };
}

test('a handle armed for 1000 ms fires at the first sweep at or after its deadline, once', (t) => {
  const clock = fakeClock();
  const m = new TimeoutManager(1000, clock.now);
  const log: string[] = [];
  const h = handle(log, 'a');
  m.add(h);
  m.arm(h, 1000);
  t.is(h.deadline, clock.now() + 1000);
  clock.advance(999);
  m.sweep();
  t.deepEqual(log, []);
  clock.advance(1);
  m.sweep();
  t.deepEqual(log, ['a']);
  t.is(h.deadline, Infinity, 'a fired handle is disarmed');
  clock.advance(10_000);
  m.sweep();
  t.deepEqual(log, ['a'], 'and forgotten: it never fires twice');
  m.close();
});

test('re-arming (a tickle) pushes the deadline out', (t) => {
  const clock = fakeClock();
  const m = new TimeoutManager(1000, clock.now);
  const log: string[] = [];
  const h = handle(log, 'a');
  m.add(h);
  m.arm(h, 1000);
  for (let i = 0; i < 5; i++) {
    clock.advance(800);
    m.sweep();
    m.arm(h, 1000);
  }
  t.deepEqual(log, []);
  clock.advance(1000);
  m.sweep();
  t.deepEqual(log, ['a']);
  m.close();
});

// arm() reads the real clock, not the last sweep's: a handle armed late in an interval never fires early.
test('a handle armed late in a sweep interval never fires before its full timeout', (t) => {
  const clock = fakeClock();
  const m = new TimeoutManager(1000, clock.now);
  const log: string[] = [];
  const h = handle(log, 'a');
  m.add(h);
  clock.advance(900);
  m.arm(h, 1000);
  clock.advance(100);
  m.sweep();
  t.deepEqual(log, [], 'only 100 ms have passed since it was armed for 1000 ms');
  m.close();
});

test('a paused handle (deadline Infinity) never fires', (t) => {
  const clock = fakeClock();
  const m = new TimeoutManager(1000, clock.now);
  const log: string[] = [];
  const h = handle(log, 'a');
  m.add(h);
  clock.advance(1e9);
  m.sweep();
  t.deepEqual(log, []);
  m.close();
});

test('a removed handle never fires', (t) => {
  const clock = fakeClock();
  const m = new TimeoutManager(1000, clock.now);
  const log: string[] = [];
  const a = handle(log, 'a');
  const b = handle(log, 'b');
  m.add(a);
  m.add(b);
  m.arm(a, 10);
  m.arm(b, 10);
  m.remove(a);
  clock.advance(20);
  m.sweep();
  t.deepEqual(log, ['b']);
  m.close();
});

test('several overdue handles fire in one sweep; one that is not due stays', (t) => {
  const clock = fakeClock();
  const m = new TimeoutManager(1000, clock.now);
  const log: string[] = [];
  const hs = ['a', 'b', 'c'].map((n) => handle(log, n));
  for (const h of hs) m.add(h);
  m.arm(hs[0]!, 100);
  m.arm(hs[1]!, 200);
  m.arm(hs[2]!, 5000);
  clock.advance(300);
  m.sweep();
  t.deepEqual(log.sort(), ['a', 'b']);
  clock.advance(5000);
  m.sweep();
  t.deepEqual(log.sort(), ['a', 'b', 'c']);
  m.close();
});

test('a handle may remove or re-add others from its onTimeout without breaking the sweep', (t) => {
  const clock = fakeClock();
  const m = new TimeoutManager(1000, clock.now);
  const log: string[] = [];
  const b = handle(log, 'b');
  const a: TimeoutHandle = {
    deadline: Infinity,
    slot: -1,
    onTimeout: () => {
      log.push('a');
      m.remove(b);
      m.add(a);
      m.arm(a, 1000);
    },
  };
  m.add(a);
  m.add(b);
  m.arm(a, 10);
  m.arm(b, 10);
  clock.advance(20);
  m.sweep();
  // b was collected as overdue before a ran, so it still fires in this sweep; a is re-armed for later.
  t.deepEqual(log, ['a', 'b']);
  clock.advance(1000);
  m.sweep();
  t.deepEqual(log, ['a', 'b', 'a']);
  m.close();
});

test('the real timer sweeps by itself (unref\'d: it never keeps the process alive)', async (t) => {
  const m = new TimeoutManager(20);
  // The sweeper is unref'd, so hold the event loop open with a timer of our own while we wait for it.
  const keepAlive = setTimeout(() => {}, 10_000);
  try {
    await new Promise<void>((resolve) => {
      const h: TimeoutHandle = { deadline: Infinity, slot: -1, onTimeout: resolve };
      m.add(h);
      m.arm(h, 0);
    });
    t.pass();
  } finally {
    clearTimeout(keepAlive);
    m.close();
  }
});

test('close forgets every handle', (t) => {
  const clock = fakeClock();
  const m = new TimeoutManager(1000, clock.now);
  const log: string[] = [];
  const h = handle(log, 'a');
  m.add(h);
  m.arm(h, 1);
  m.close();
  clock.advance(10);
  m.sweep();
  t.deepEqual(log, []);
  m.close();
});

test('handles keep their slots dense: removing one moves the last into its place, and forEach sees each once', (t) => {
  const m = new TimeoutManager(1000, fakeClock().now);
  const log: string[] = [];
  const hs = ['a', 'b', 'c', 'd'].map((n) => handle(log, n));
  for (const h of hs) m.add(h);
  m.add(hs[0]!);
  t.is(m.size, 4, 'adding a tracked handle again does nothing');
  m.remove(hs[1]!);
  t.is(hs[1]!.slot, -1);
  t.is(hs[3]!.slot, 1, 'the last handle took the freed slot');
  m.remove(hs[1]!);
  t.is(m.size, 3, 'removing an untracked handle does nothing');
  const seen: number[] = [];
  m.forEach((h) => {
    seen.push(h.slot);
    m.remove(h);
  });
  t.is(seen.length, 3, 'forEach walks a copy: removing during the walk skips nothing');
  t.is(m.size, 0);
  m.close();
});
