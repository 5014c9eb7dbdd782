// A client that goes away mid-response (or mid-upload) releases every resource the app acquired, exactly once,
// and aborts req.signal; the server stays healthy for the next client.
import test from './transport.js';
import { bracketSource, concatBytes, FLUSH, respond, source, type Application, type BodySource } from '../../src/index.js';
import { get, withClient, withServer } from './helpers.js';

/** A latch resolved by an event. */
function latch(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A never-ending body: a tick every few ms, each flushed, inside a bracket that logs acquire/release. */
function endlessTicks(events: string[], released: () => void): BodySource {
  return bracketSource(
    () => events.push('acquire'),
    () => source<Uint8Array | typeof FLUSH>(function* (io) {
      for (let i = 0; ; i++) {
        yield* io.await(new Promise((r) => setTimeout(r, 2)));
        yield* io.emit(Buffer.from(`tick ${i}\n`));
        yield* io.emit(FLUSH);
      }
    }),
    () => {
      events.push('release');
      released();
    },
  );
}

test('a client that disconnects mid-stream releases the app\'s resource exactly once', async (t) => {
  const events: string[] = [];
  const released = latch();
  const app: Application = () => respond(200, { 'content-type': 'text/plain' }, endlessTicks(events, released.resolve));
  await withServer(app, {}, async (port, server) => {
    await withClient(port, async (c) => {
      c.write(get('/ticks'));
      await c.read((d) => d.includes('tick 3\n'));
    });
    await released.promise;
    // Keep serving: a fresh client is answered (and the endless stream is released again when it leaves).
    await withClient(port, async (c) => {
      c.write(get('/ticks'));
      await c.read((d) => d.includes('tick 1\n'));
    });
    t.true(server.connections <= 1);
  });
  // server.close() has resolved: every connection is gone, so every release that will ever run has run.
  t.deepEqual(events, ['acquire', 'release', 'acquire', 'release']);
});

test('req.signal aborts when the client disconnects while the app is still computing', async (t) => {
  const aborted = latch();
  const called = latch();
  let sawAbort = false;
  const app: Application = async (req) => {
    called.resolve();
    await new Promise<void>((resolve) => req.signal.addEventListener('abort', () => {
      sawAbort = true;
      aborted.resolve();
      resolve();
    }, { once: true }));
    return respond(200, {}, 'too late');
  };
  await withServer(app, {}, async (port) => {
    await withClient(port, async (c) => {
      c.write(get('/slow'));
      await called.promise;
    });
    await aborted.promise;
  });
  t.true(sawAbort);
});

test('a client that disconnects mid-upload makes the app\'s body read fail and releases what the app held', async (t) => {
  const events: string[] = [];
  const failed = latch();
  const called = latch();
  const app: Application = async (req) => {
    called.resolve();
    const body = bracketSource(() => events.push('acquire'), () => req.body, () => void events.push('release'));
    try {
      await body.runAsync(concatBytes());
      events.push('read all');
    } catch {
      events.push('read failed');
    } finally {
      failed.resolve();
    }
    return respond(200, {}, 'ok');
  };
  await withServer(app, {}, async (port) => {
    await withClient(port, async (c) => {
      c.write('POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n' + 'x'.repeat(1000));
      await called.promise;
    });
    await failed.promise;
  });
  t.deepEqual(events, ['acquire', 'release', 'read failed']);
});

test('many clients aborting mid-stream leave no connection and no unreleased resource behind', async (t) => {
  const events: string[] = [];
  const app: Application = () => respond(200, {}, endlessTicks(events, () => {}));
  await withServer(app, {}, async (port) => {
    await Promise.all(Array.from({ length: 20 }, () => withClient(port, async (c) => {
      c.write(get('/ticks'));
      await c.read((d) => d.includes('tick 2\n'));
    })));
  });
  t.is(events.filter((e) => e === 'acquire').length, 20);
  t.is(events.filter((e) => e === 'release').length, 20);
});
