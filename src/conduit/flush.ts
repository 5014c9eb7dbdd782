// Flush: an in-band marker in byte streams. Every buffering stage emits what it holds when one arrives, then passes it on.

/** The flush marker's type. */
export interface Flush {
  readonly kind: 'flush';
}

/** The one flush marker: "send what you have now". */
export const FLUSH: Flush = Object.freeze({ kind: 'flush' as const });

/** An element of a response body stream: bytes, or a flush marker. */
export type Flushable<T = Uint8Array> = T | Flush;

/** Whether x is the flush marker. */
export function isFlush(x: unknown): x is Flush {
  return x === FLUSH;
}
