// HTTP-date helpers for conditional requests (RFC 9110 §5.6.7, §13.1). Formatting and parsing live once, in the
// server's date.ts; this adds what validators need on top: the second resolution Last-Modified can carry.
export { formatHttpDate, parseHttpDate, DATE_VALUE_LENGTH as HTTP_DATE_LENGTH } from '../../server/index.js';

/** Truncate epoch ms to whole seconds, the resolution Last-Modified can carry. */
export function truncateToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
