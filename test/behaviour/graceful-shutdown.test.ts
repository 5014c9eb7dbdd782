// Graceful shutdown (server.ts close()): stop accepting, close idle keep-alive connections at once, let in-flight
// requests finish with Connection: close, force-close the rest after gracefulShutdownMs, resolve when all are gone.
import test from './transport.js';
import { bracketSource, FLUSH, respond, source, type Application } from '../../src/index.js';
import { connectClient, get, RawClient, withClient, withServer } from './helpers.js';

function latch(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('close() closes an idle keep-alive connection at once and lets an in-flight response finish with connection: close', async (t) => {
  const order: string[] = [];
  const inApp = latch();
  const finish = latch();
  const app: Application = async (req) => {
    if (req.path === '/slow') {
      inApp.resolve();
      await finish.promise;
      return respond(200, {}, 'slow done');
    }
    return respond(200, {}, 'fast');
  };
  await withServer(app, {}, async (port, server) => {
    const idle = await RawClient.open(port);
    const busy = await RawClient.open(port);
    try {
      idle.write(get('/fast'));
      await idle.readResponses(1);
      busy.write(get('/slow'));
      await inApp.promise;
      const closing = server.close().then(() => order.push('close resolved'));
      t.true(await idle.whenClosed(), 'the idle connection is closed at once');
      order.push('idle closed');
      t.false(busy.closed);
      order.push('app answers');
      finish.resolve();
      const [res] = await busy.readResponses(1);
      t.is(res!.body.toString(), 'slow done');
      t.is(res!.headers['connection'], 'close');
      t.true(await busy.whenClosed());
      await closing;
      t.deepEqual(order, ['idle closed', 'app answers', 'close resolved']);
      t.is(server.connections, 0);
    } finally {
      idle.destroy();
      busy.destroy();
    }
  });
});

test('close() does not resolve while a request is in flight', async (t) => {
  const inApp = latch();
  const finish = latch();
  const app: Application = async () => {
    inApp.resolve();
    await finish.promise;
    return respond(200, {}, 'ok');
  };
  await withServer(app, {}, async (port, server) => withClient(port, async (c) => {
    c.write(get('/'));
    await inApp.promise;
    let resolved = false;
    const closing = server.close().then(() => (resolved = true));
    // Several loop turns pass with the app still holding its response: close() must still be pending.
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    t.false(resolved);
    finish.resolve();
    await closing;
    t.true(resolved);
    const [res] = await c.readResponses(1);
    t.is(res!.status, 200);
  }));
});

test('after close() new connections are refused', async (t) => {
  await withServer(() => respond(200, {}, 'ok'), {}, async (port, server) => {
    await server.close();
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const s = connectClient(port);
      s.on('connect', () => {
        s.destroy();
        resolve(null);
      });
      s.on('error', resolve);
    });
    t.is(error?.code, 'ECONNREFUSED');
  });
});

test('close() resolves at once when there are no connections, and twice returns the same promise', async (t) => {
  await withServer(() => respond(200, {}, 'ok'), {}, async (_port, server) => {
    const a = server.close();
    const b = server.close();
    t.is(a, b);
    await a;
    t.is(server.connections, 0);
  });
});

test('a streamed in-flight response finishes during shutdown, then the connection closes', async (t) => {
  const started = latch();
  const more = latch();
  const app: Application = () => respond(200, {}, source<Uint8Array | typeof FLUSH>(function* (io) {
    yield* io.emit(Buffer.from('part one;'));
    yield* io.emit(FLUSH);
    started.resolve();
    yield* io.await(more.promise);
    yield* io.emit(Buffer.from('part two'));
  }));
  await withServer(app, {}, async (port, server) => withClient(port, async (c) => {
    c.write(get('/stream'));
    await started.promise;
    const closing = server.close();
    more.resolve();
    const [res] = await c.readResponses(1);
    t.is(res!.body.toString(), 'part one;part two');
    t.is(res!.headers['transfer-encoding'], 'chunked');
    // Its head went out before close() was called, so it could not say close; the connection closes after it.
    t.true(await c.whenClosed());
    await closing;
  }));
});

test('a response that outlives gracefulShutdownMs is force-closed and its resources released', async (t) => {
  const events: string[] = [];
  const started = latch();
  const app: Application = () => respond(200, {}, bracketSource(
    () => events.push('acquire'),
    () => source<Uint8Array>(function* (io) {
      yield* io.emit(Buffer.from('forever'));
      started.resolve();
      yield* io.await(new Promise(() => {}));
    }),
    () => void events.push('release'),
  ));
  await withServer(app, { gracefulShutdownMs: 300 }, async (port, server) => withClient(port, async (c) => {
    c.write(get('/'));
    await started.promise;
    await server.close();
    t.true(await c.whenClosed());
    t.is(server.connections, 0);
  }));
  t.deepEqual(events, ['acquire', 'release']);
});

test('a connection accepted just before close() still gets its first request answered, with connection: close', async (t) => {
  await withServer(() => respond(200, {}, 'first and last'), {}, async (port, server) => {
    const fresh = await RawClient.open(port);
    try {
      for (let i = 0; i < 200 && server.connections === 0; i++) await new Promise((r) => setTimeout(r, 5));
      t.is(server.connections, 1);
      const closing = server.close();
      fresh.write(get('/'));
      const [res] = await fresh.readResponses(1);
      t.is(res!.body.toString(), 'first and last');
      t.is(res!.headers['connection'], 'close');
      t.true(await fresh.whenClosed());
      await closing;
    } finally {
      fresh.destroy();
    }
  });
});
