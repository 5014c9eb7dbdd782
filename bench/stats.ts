// Summary statistics over repetitions: median and spread (min and max relative to the median).
// Medians, not means: single runs on these shared 2-core machines swing by ±30% (PERFORMANCE.md §8).

/** Median and spread of a set of repetitions. */
export interface Spread {
  n: number;
  median: number;
  min: number;
  max: number;
  /** (min - median) / median and (max - median) / median; 0 when the median is 0. */
  lowFraction: number;
  highFraction: number;
}

/** Median of the values (mean of the middle two for an even count); NaN for none. */
export function computeMedian(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median and spread; null for no values. */
export function computeSpread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const median = computeMedian(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const rel = (v: number): number => (median === 0 ? 0 : (v - median) / median);
  return { n: values.length, median, min, max, lowFraction: rel(min), highFraction: rel(max) };
}

/** Median of the non-null values, or null when there are none. */
export function computeMedianOrNull(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length > 0 ? computeMedian(present) : null;
}
