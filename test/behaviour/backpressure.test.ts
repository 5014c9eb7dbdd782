// Backpressure over real sockets: a client that stops reading stops the response Source (bounded memory) and is
// cut off after sendTimeoutMs; an upload the app is not reading stops being read from the socket.
import test from './transport.js';
import { bracketSource, respond, source, type Application, type BodySource } from '../../src/index.js';
import { connectClient, get, withServer } from './helpers.js';

const MIB = 1024 * 1024;

/** An endless stream of 1 MiB pieces that counts what it produced. */
function counted(produced: { n: number }, onRelease: () => void = () => {}): BodySource {
  const piece = Buffer.alloc(MIB, 'p');
  return bracketSource(() => undefined, () => source<Uint8Array>(function* (io) {
    for (;;) {
      produced.n++;
      yield* io.emit(piece);
    }
  }), onRelease);
}

/** Resolves once `read()` has stopped changing for `quietMs` (checked every 50 ms, at most `maxMs`). */
async function settle(read: () => number, quietMs = 300, maxMs = 10_000): Promise<number> {
  let last = read();
  let stableFor = 0;
  for (let waited = 0; waited < maxMs && stableFor < quietMs; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    const now = read();
    stableFor = now === last ? stableFor + 50 : 0;
    last = now;
  }
  return last;
}

test('a client that stops reading stops the response stream after a bounded amount', async (t) => {
  const produced = { n: 0 };
  const app: Application = () => respond(200, {}, counted(produced));
  await withServer(app, {}, async (port) => {
    const socket = connectClient(port);
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(get('/'));
      // Read the head and a little, then stop reading altogether.
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.pause();
      const rssBefore = process.memoryUsage().rss;
      const n = await settle(() => produced.n);
      t.log(`produced ${n} MiB while the client was not reading`);
      t.true(n < 64, `the stream kept producing: ${n} MiB`);
      t.true(process.memoryUsage().rss - rssBefore < 128 * MIB);
    } finally {
      socket.destroy();
    }
  });
});

test('a client that never reads is cut off after sendTimeoutMs and the stream is released', async (t) => {
  let released = 0;
  const produced = { n: 0 };
  let done!: () => void;
  const whenReleased = new Promise<void>((r) => (done = r));
  const app: Application = () => respond(200, {}, counted(produced, () => {
    released++;
    done();
  }));
  await withServer(app, { sendTimeoutMs: 1000 }, async (port) => {
    const socket = connectClient(port);
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.pause();
      socket.write(get('/'));
      await whenReleased;
      t.is(released, 1);
      socket.resume();
      for (let i = 0; i < 200 && !closed; i++) await new Promise((r) => setTimeout(r, 50));
      t.true(closed, 'the server closed the connection');
    } finally {
      socket.destroy();
    }
  });
});

test('an upload the app is not reading stops being read: the client\'s writes back up, server memory stays flat', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let called!: () => void;
  const inApp = new Promise<void>((r) => (called = r));
  const app: Application = async () => {
    called();
    await gate;
    return respond(200, {}, 'done');
  };
  await withServer(app, { bodyTimeoutMs: 60_000 }, async (port) => {
    const socket = connectClient(port);
    socket.on('error', () => {});
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${512 * MIB}\r\n\r\n`);
      await inApp;
      const rssBefore = process.memoryUsage().rss;
      const piece = Buffer.alloc(MIB, 'u');
      // Write with backpressure until the pipe stays blocked for half a second (the server stopped reading).
      for (let sent = 0; sent < 512; sent++) {
        if (socket.write(piece)) continue;
        const drained = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 500);
          socket.once('drain', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (!drained) break;
      }
      const taken = (socket.bytesWritten - socket.writableLength) / MIB;
      t.log(`the kernel and the server took ${taken.toFixed(1)} MiB of a 512 MiB upload nobody reads`);
      t.true(taken < 64, `the server kept reading an unread body: ${taken.toFixed(1)} MiB`);
      t.true(process.memoryUsage().rss - rssBefore < 128 * MIB);
    } finally {
      release();
      socket.destroy();
    }
  });
});
