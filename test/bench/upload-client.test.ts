import test from 'ava';
import { makePattern, matchesPattern, PATTERN_PERIOD, quantileSorted } from '../../bench/upload-client.js';

const pattern = makePattern();
const stream = (from: number, length: number): Buffer => Buffer.from(Array.from({ length }, (_, i) => pattern[(from + i) % PATTERN_PERIOD]!));

test('makePattern is one deterministic period', (t) => {
  t.is(pattern.length, PATTERN_PERIOD);
  t.true(makePattern().equals(pattern));
});

test('matchesPattern accepts chunks that cross the period boundary', (t) => {
  t.true(matchesPattern(pattern, stream(PATTERN_PERIOD - 10, 30), PATTERN_PERIOD - 10));
  t.true(matchesPattern(pattern, stream(3 * PATTERN_PERIOD + 5, 2 * PATTERN_PERIOD + 7), 3 * PATTERN_PERIOD + 5));
});

test('matchesPattern rejects a chunk at the wrong offset', (t) => {
  t.false(matchesPattern(pattern, stream(100, 50), 101));
});

test('matchesPattern rejects one flipped byte after the boundary', (t) => {
  const chunk = stream(PATTERN_PERIOD - 4, 8);
  chunk[6] = chunk[6]! ^ 0xff;
  t.false(matchesPattern(pattern, chunk, PATTERN_PERIOD - 4));
});

test('matchesPattern accepts an empty chunk', (t) => t.true(matchesPattern(pattern, Buffer.alloc(0), 12345)));

test('quantileSorted uses the nearest rank', (t) => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(quantileSorted(v, 0.5), 50);
  t.is(quantileSorted(v, 0.99), 99);
  t.is(quantileSorted([7], 0.99), 7);
  t.is(quantileSorted([], 0.5), 0);
});
