// Closing after a response never cuts it short: whatever the kernel would not take yet is sent before the close,
// for a client that reads slowly, and a streamed echo that reads its whole upload keeps the connection alive.
import test from './transport.js';
import { createHash, randomBytes } from 'node:crypto';
import { respond, source, type Application } from '../../src/index.js';
import { connectClient, delay, parseResponses, withClient, withServer } from './helpers.js';

const MIB = 1024 * 1024;

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * A 32 MiB piece, then a 100 KiB one. The first outgrows the socket buffers, so the engine waits for the client until
 * the kernel has taken it all: the buffers are then full, and the second piece mostly waits in the engine's queue
 * as the stream ends.
 */
function bigThenSmall(big: Buffer, small: Buffer): Application {
  return () => respond(200, { 'content-type': 'application/octet-stream' }, source<Uint8Array>(function* (io) {
    yield* io.emit(big);
    yield* io.emit(small);
  }));
}

/** Sends `request`, reads nothing for `pauseMs`, then reads until the server closes; returns every byte. */
function readAfterPause(port: number, request: string, pauseMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connectClient(port);
    const chunks: Buffer[] = [];
    socket.pause();
    socket.on('connect', () => {
      socket.write(request);
      setTimeout(() => socket.resume(), pauseMs);
    });
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

for (const [name, request] of [
  ['Connection: close', 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'],
  ['HTTP/1.0 (close-delimited)', 'GET / HTTP/1.0\r\n\r\n'],
] as const) {
  test(`a streamed response to a slow reader is delivered whole before the close (${name})`, async (t) => {
    const big = randomBytes(32 * MIB);
    const small = randomBytes(100 * 1024);
    await withServer(bigThenSmall(big, small), {}, async (port) => {
      const [res] = parseResponses(await readAfterPause(port, request, 300));
      t.is(res!.status, 200);
      t.is(res!.body.length, big.length + small.length);
      t.is(sha(res!.body.subarray(big.length)), sha(small));
    });
  });
}

test('an echo that reads its whole upload keeps the connection alive, even past maxBodyFlush', async (t) => {
  const data = randomBytes(2 * MIB);
  const echo: Application = (req) => respond(200, { 'content-length': req.head.contentLength }, req.body);
  await withServer(echo, { maxBodyFlush: 8 * 1024 }, async (port) => withClient(port, async (c) => {
    for (let round = 0; round < 2; round++) {
      c.write(`POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: ${data.length}\r\n\r\n`);
      for (let i = 0; i < data.length; i += 256 * 1024) c.write(data.subarray(i, i + 256 * 1024));
      const [res] = await c.readResponses(round + 1, { timeoutMs: 30_000 }).then((r) => r.slice(round));
      t.is(res!.headers.connection, undefined, `round ${round}: the response announced a close`);
      t.is(sha(res!.body), sha(data));
    }
    await delay(50);
    t.false(c.closed);
  }));
});

test('a streamed response that leaves a large upload unread still closes, and says so only if it can', async (t) => {
  // The app answers without reading: the engine cannot drain 1 MiB cheaply, so the connection ends after the response.
  const app: Application = () => respond(200, {}, source<Uint8Array>(function* (io) {
    yield* io.emit(Buffer.from('ignored your upload'));
  }));
  await withServer(app, { maxBodyFlush: 8 * 1024 }, async (port) => withClient(port, async (c) => {
    c.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${MIB}\r\n\r\n`);
    c.write(Buffer.alloc(64 * 1024));
    const [res] = await c.readResponses(1);
    t.is(res!.body.toString(), 'ignored your upload');
    t.true(await c.whenClosed(5000));
  }));
});
