import test from 'ava';
import { computeMedian, computeMedianOrNull, computeSpread } from '../../bench/stats.js';

const median = test.macro((t, values: number[], expected: number) => t.is(computeMedian(values), expected));
test('computeMedian of an odd count is the middle value', median, [30, 10, 20], 20);
test('computeMedian of an even count averages the middle two', median, [4, 1, 3, 2], 2.5);
test('computeMedian of one value is that value', median, [7], 7);

test('computeMedian of nothing is NaN', (t) => t.true(Number.isNaN(computeMedian([]))));

test('computeMedian does not reorder its input', (t) => {
  const v = [3, 1, 2];
  computeMedian(v);
  t.deepEqual(v, [3, 1, 2]);
});

test('computeSpread gives min and max relative to the median', (t) => {
  t.deepEqual(computeSpread([75, 100, 114]), { n: 3, median: 100, min: 75, max: 114, lowFraction: -0.25, highFraction: 0.14 });
});

test('computeSpread of a zero median has zero fractions', (t) => {
  const s = computeSpread([0, 0, 5])!;
  t.is(s.lowFraction, 0);
  t.is(s.highFraction, 0);
});

test('computeSpread of nothing is null', (t) => t.is(computeSpread([]), null));

test('computeMedianOrNull skips nulls and non-finite values', (t) => {
  t.is(computeMedianOrNull([null, 5, Number.NaN, 7]), 6);
  t.is(computeMedianOrNull([null, null]), null);
});
