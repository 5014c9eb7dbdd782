// Test helpers for conduit tests: event-logged resources and every way to split a byte input into chunks.
import { bracketSource, fromArray, Source } from '../../src/conduit/index.js';

/** An event log: tests assert its exact order. */
export type Log = string[];

/** A source of `items` that logs `+name` when it acquires and `-name` when it releases. */
export function logged<O>(log: Log, name: string, items: readonly O[]): Source<O> {
  return bracketSource(() => log.push(`+${name}`), () => fromArray(items), () => {
    log.push(`-${name}`);
  });
}

/** Like logged(), with an async release that logs `-name` only after a macrotask. */
export function loggedAsync<O>(log: Log, name: string, items: readonly O[]): Source<O> {
  return bracketSource(() => log.push(`+${name}`), () => fromArray(items), async () => {
    await new Promise((r) => setImmediate(r));
    log.push(`-${name}`);
  });
}

/** Buffer from latin1 text. */
export function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** Every split of `data` into chunks: whole, at each single offset, in two cuts around each offset, and byte by byte. */
export function* splits(data: Uint8Array): Generator<{ name: string; chunks: Uint8Array[] }> {
  yield { name: 'whole', chunks: [data] };
  for (let i = 0; i <= data.length; i++) {
    yield { name: `split at ${i}`, chunks: [data.subarray(0, i), data.subarray(i)] };
  }
  for (let i = 1; i < data.length - 1; i++) {
    yield { name: `three pieces at ${i}`, chunks: [data.subarray(0, i), data.subarray(i, i + 1), data.subarray(i + 1)] };
  }
  const ones: Uint8Array[] = [];
  for (let i = 0; i < data.length; i++) ones.push(data.subarray(i, i + 1));
  yield { name: 'one byte at a time', chunks: ones };
}

/** Latin1 text of a list of chunks. */
export function text(chunks: readonly Uint8Array[]): string {
  return Buffer.concat(chunks).toString('latin1');
}

/** Waits one macrotask (lets pending promises and releases run). */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** The result of a run that must have stayed synchronous (fails the test otherwise). */
export function sync<R>(r: R | Promise<R>): R {
  if (r instanceof Promise) throw new Error('expected a synchronous result, got a Promise');
  return r;
}
