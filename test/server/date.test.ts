import test from 'ava';
import { DATE_VALUE_LENGTH, DateCache, formatHttpDate, parseHttpDate } from '../../src/server/date.js';

/** A fake clock and one-shot scheduler: time moves only when the test says so. */
function fakeTime(start: number) {
  const state = { now: start, pending: [] as Array<{ fn: () => void; at: number }>, scheduled: [] as number[] };
  return {
    state,
    clock: () => state.now,
    schedule: (fn: () => void, ms: number) => {
      state.scheduled.push(ms);
      state.pending.push({ fn, at: state.now + ms });
    },
    advance(ms: number) {
      state.now += ms;
      const due = state.pending.filter((p) => p.at <= state.now);
      state.pending = state.pending.filter((p) => p.at > state.now);
      for (const p of due) p.fn();
    },
  };
}

const T0 = Date.UTC(1994, 10, 6, 8, 49, 37, 250); // Sun, 06 Nov 1994 08:49:37.250 GMT

test('DateCache renders an IMF-fixdate of DATE_VALUE_LENGTH chars as string and bytes', (t) => {
  const time = fakeTime(T0);
  const cache = new DateCache(time.clock, time.schedule);
  t.is(cache.now(), 'Sun, 06 Nov 1994 08:49:37 GMT');
  t.is(cache.now().length, DATE_VALUE_LENGTH);
  t.is(cache.bytes().length, DATE_VALUE_LENGTH);
  t.is(Buffer.from(cache.bytes()).toString('latin1'), cache.now());
});

test('DateCache renders at most once per second and re-renders after the second boundary', (t) => {
  const time = fakeTime(T0);
  let reads = 0;
  const cache = new DateCache(() => (reads++, time.clock()), time.schedule);
  const first = cache.bytes();
  cache.now();
  time.advance(700); // 08:49:37.950, still the same second, timer not due
  t.is(cache.now(), 'Sun, 06 Nov 1994 08:49:37 GMT');
  t.is(cache.bytes(), first, 'same array within the second');
  t.is(reads, 1);
  t.deepEqual(time.state.scheduled, [750], 'stale exactly at the next second boundary');
  time.advance(50); // 08:49:38.000: timer fires
  t.is(cache.now(), 'Sun, 06 Nov 1994 08:49:38 GMT');
  t.not(cache.bytes(), first, 'a new array, the old one is never mutated');
  t.is(Buffer.from(first).toString('latin1'), 'Sun, 06 Nov 1994 08:49:37 GMT');
  t.is(reads, 2);
});

test('DateCache schedules nothing while nobody asks (idle costs nothing)', (t) => {
  const time = fakeTime(T0);
  const cache = new DateCache(time.clock, time.schedule);
  t.is(time.state.scheduled.length, 0);
  cache.now();
  time.advance(10_000);
  t.is(time.state.scheduled.length, 1);
  t.is(cache.now(), 'Sun, 06 Nov 1994 08:49:47 GMT');
  t.is(time.state.scheduled.length, 2);
});

test('DateCache with the real clock gives the current time and does not hold the process', (t) => {
  const cache = new DateCache();
  const parsed = parseHttpDate(cache.now());
  t.not(parsed, null);
  t.true(Math.abs(parsed! - Date.now()) < 5_000);
});

test('formatHttpDate formats the RFC 9110 example', (t) => {
  t.is(formatHttpDate(Date.UTC(1994, 10, 6, 8, 49, 37)), 'Sun, 06 Nov 1994 08:49:37 GMT');
});

const parses = test.macro({
  exec(t, value: string, expected: number | null) {
    t.is(parseHttpDate(value, Date.UTC(2025, 0, 1)), expected);
  },
  title: (_p, value, expected) => `parseHttpDate(${JSON.stringify(value)}) is ${String(expected)}`,
});
const EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37);
test(parses, 'Sun, 06 Nov 1994 08:49:37 GMT', EXAMPLE);
test(parses, 'Sunday, 06-Nov-94 08:49:37 GMT', EXAMPLE);
test(parses, 'Sun Nov  6 08:49:37 1994', EXAMPLE);
test(parses, 'Sun Nov 16 08:49:37 1994', Date.UTC(1994, 10, 16, 8, 49, 37));
test(parses, 'Monday, 06-Jan-25 00:00:00 GMT', Date.UTC(2025, 0, 6));
test(parses, 'Tuesday, 06-Jan-70 00:00:00 GMT', Date.UTC(2070, 0, 6));
test(parses, 'Wednesday, 06-Jan-76 00:00:00 GMT', Date.UTC(1976, 0, 6));
test(parses, 'Thu, 01 Jan 0050 00:00:00 GMT', new Date('0050-01-01T00:00:00Z').getTime()); // not 1950
test(parses, 'Sun, 06 Nov 1994 08:49:37 UTC', null);
test(parses, 'Sun, 6 Nov 1994 08:49:37 GMT', null);
test(parses, 'Sun, 31 Feb 1994 08:49:37 GMT', null);
test(parses, 'Sun, 06 Nov 1994 24:00:00 GMT', null);
test(parses, 'Sun, 06 Nov 1994 08:60:00 GMT', null);
test(parses, 'Sun, 06 Foo 1994 08:49:37 GMT', null);
test(parses, ' Sun, 06 Nov 1994 08:49:37 GMT', null);
test(parses, '', null);
