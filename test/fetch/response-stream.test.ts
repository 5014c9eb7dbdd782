// Streamed response bodies over a real socket: each chunk leaves when it is enqueued (SSE, through gzip too), the
// head goes out before the first chunk, a client that leaves cancels the stream, and a stream that errors ends the
// connection without a last chunk (the client sees a truncated body, never a complete one).
import test from 'ava';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { compose, fromFetch, gzip } from '../../src/index.js';
import { withServer } from '../behaviour/helpers.js';
import { deferred, withFetchServer, withRaw } from './support.js';

const enc = new TextEncoder();

/** A stream whose chunks are enqueued one at a time, each only when `next()` is called. */
function steppedStream(): { stream: ReadableStream<Uint8Array>; next: (text: string) => void; close: () => void; cancelled: Promise<unknown> } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const cancelled = deferred<unknown>();
  const stream = new ReadableStream<Uint8Array>({
    start(c) { controller = c; },
    cancel(reason) { cancelled.resolve(reason); },
  });
  return { stream, next: (text) => controller.enqueue(enc.encode(text)), close: () => controller.close(), cancelled: cancelled.promise };
}

test('the head goes out before the first chunk, and each chunk as soon as it is enqueued', async (t) => {
  const s = steppedStream();
  await withFetchServer(() => new Response(s.stream, { headers: { 'content-type': 'text/event-stream' } }), (base) => withRaw(base, async (c) => {
    c.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    const head = await c.readUntil((d) => d.includes('\r\n\r\n'));
    t.regex(head.toString('latin1'), /transfer-encoding: chunked/);
    s.next('data: one\n\n');
    t.regex((await c.readUntil((d) => d.includes('data: one'))).toString(), /data: one/);
    s.next('data: two\n\n');
    t.regex((await c.readUntil((d) => d.includes('data: two'))).toString(), /data: two/);
    s.close();
    t.regex((await c.readUntil((d) => d.includes('0\r\n\r\n'))).toString(), /0\r\n\r\n$/);
  }));
});

test('through gzip, each event is flushed as soon as it is enqueued', async (t) => {
  const s = steppedStream();
  const app = compose(gzip())(fromFetch(() => new Response(s.stream, { headers: { 'content-type': 'text/event-stream' } })));
  await withServer(app, {}, (port) => new Promise<void>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/', headers: { 'accept-encoding': 'gzip' } }, (res) => {
      t.is(res.headers['content-encoding'], 'gzip');
      const parts: Buffer[] = [];
      let step = 0;
      res.on('data', (d: Buffer) => {
        parts.push(d);
        const text = gunzipSync(Buffer.concat(parts), { finishFlush: 2 /* Z_SYNC_FLUSH: a stream cut mid-way */ }).toString();
        // Each event is readable before the next is even enqueued: the flush after every chunk reached the socket.
        if (step === 0 && text === 'data: 1\n\n') {
          step = 1;
          s.next('data: 2\n\n');
        } else if (step === 1 && text === 'data: 1\n\ndata: 2\n\n') {
          step = 2;
          s.close();
        }
      });
      res.on('end', () => {
        t.is(step, 2);
        t.is(gunzipSync(Buffer.concat(parts)).toString(), 'data: 1\n\ndata: 2\n\n');
        resolve();
      });
      res.on('error', reject);
    });
    req.end();
    s.next('data: 1\n\n');
  }));
});

test('a client that goes away cancels the stream (its cancel() runs) and aborts request.signal', async (t) => {
  const s = steppedStream();
  let signal: AbortSignal | null = null;
  await withFetchServer((req) => {
    signal = req.signal;
    return new Response(s.stream);
  }, (base) => withRaw(base, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    s.next('first');
    await c.readUntil((d) => d.includes('first'));
    c.destroy();
    await s.cancelled;
    t.true(signal!.aborted);
    t.is((signal!.reason as { code?: string }).code, 'ECONNRESET');
  }));
});

test('a stream that errors mid-way ends the connection without a last chunk', async (t) => {
  await withFetchServer(() => new Response(new ReadableStream({
    async pull(c) {
      c.enqueue(enc.encode('chunk1\n'));
      await new Promise((r) => setTimeout(r, 20));
      c.error(new Error('stream broke'));
    },
  })), (base) => withRaw(base, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const data = await c.readUntil(() => false);
    t.true(c.closed);
    t.regex(data.toString(), /chunk1/);
    t.notRegex(data.toString(), /\r\n0\r\n\r\n$/);
  }));
});

test('a chunk that is not bytes or a string fails the response instead of sending garbage', async (t) => {
  const errors: unknown[] = [];
  await withFetchServer({
    fetch: () => new Response(new ReadableStream<unknown>({ start(c) { c.enqueue(42); c.close(); } }) as ReadableStream<Uint8Array>),
    onException: (e) => errors.push(e),
  }, (base) => withRaw(base, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.readUntil(() => false);
    t.true(c.closed);
  }));
  t.regex(String(errors[0]), /response body chunk must be/);
});

test('a body already read cannot be sent: 500', async (t) => {
  await withFetchServer(async () => {
    const r = new Response('used');
    await r.text();
    return r;
  }, async (base) => {
    t.is((await fetch(base)).status, 500);
  });
});
