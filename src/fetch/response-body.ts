// A fetch Response's ReadableStream as the engine's body Source: each chunk is followed by FLUSH, so it leaves as soon
// as it is enqueued (SSE, through gzip too), and the stream is pulled only as fast as the client reads. An early stop
// (the client went away, a write failed) cancels the stream, which runs its cancel().
import { concatMap, FLUSH, fromReadableStream, withCleanup, type Flushable, type Source } from '../conduit/index.js';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { isErrored as isStreamErrored, Readable } from 'node:stream';

/** Whether a stream has been read from or cancelled (the Fetch "disturbed" flag; undici's bodyUsed). */
export function isDisturbed(stream: ReadableStream<unknown>): boolean {
  return Readable.isDisturbed(stream as unknown as NodeJS.ReadableStream);
}

/** Whether a stream has failed (errored); its reads reject with the error. */
export function isErrored(stream: ReadableStream<unknown>): boolean {
  return isStreamErrored(stream as unknown as NodeJS.ReadableStream);
}

/** One chunk as bytes: strings are UTF-8 (as Bun and node:http write them), views and buffers are taken as they are. */
export function chunkBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError(`a response body chunk must be a string, an ArrayBuffer or a view of one, got ${chunk === null ? 'null' : typeof chunk}`);
}

const flushEach = concatMap((chunk: unknown): Flushable<Uint8Array>[] => [chunkBytes(chunk), FLUSH]);

/** The stream as a body Source; `done` runs once when the body ends, fails or is stopped early. */
export function streamSource(stream: ReadableStream<unknown>, done: () => void): Source<Flushable<Uint8Array>> {
  return withCleanup(fromReadableStream(stream as unknown as NodeReadableStream<unknown>).pipe(flushEach), done);
}
