// Server-sent events through gzip over a real socket: event N is decoded by the client (a gunzip fed incrementally,
// sync-flush mode) before the app produces event N+1, because the app waits for the client's ack of event N. A
// gzip that buffered until its 16 KiB block filled would deadlock here. Also: a client that goes away releases the
// zlib engine and the app's Source, once each, newest first.
import test from './transport.js';
import type { IncomingMessage } from 'node:http';
import { constants, createGunzip } from 'node:zlib';
import { FLUSH, respond, source, type Application, type BodySource } from '../../src/index.js';
import { gzip } from '../../src/middleware/gzip.js';
import { createEnginePool, type EnginePool } from '../../src/conduit/zlib/pool.js';
import { httpRequest, withServer } from './helpers.js';

/** Gates the test opens one by one: event i is produced only after gate i opens. */
class Acks {
  private readonly opens: Array<() => void> = [];
  readonly gates: Array<Promise<void>> = [];
  constructor(n: number) {
    for (let i = 0; i < n; i++) this.gates.push(new Promise((r) => this.opens.push(r)));
  }
  open(i: number): void {
    this.opens[i]!();
  }
}

function events(acks: Acks, count: number, log: string[] = []): BodySource {
  return source<Uint8Array | typeof FLUSH>(function* (io) {
    yield* io.bracket(() => log.push('+source'), () => void log.push('-source'));
    for (let i = 0; i < count; i++) {
      yield* io.await(acks.gates[i]!);
      log.push(`produce ${i}`);
      yield* io.emit(Buffer.from(`id: ${i}\ndata: ${'payload '.repeat(i + 1)}\n\n`));
      yield* io.emit(FLUSH);
    }
  });
}

function get(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/events', agent: false, headers: { 'accept-encoding': 'gzip' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Fails instead of hanging if the awaited thing never happens (a deadlock guard, not a timing assertion). */
function guard<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`never happened: ${what}`)), 10_000)))])
    .finally(() => clearTimeout(timer));
}

test('each gzipped event is decodable by the client before the next is produced', async (t) => {
  const count = 6;
  const acks = new Acks(count);
  const log: string[] = [];
  const app: Application = () => respond.stream(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, events(acks, count, log));
  await withServer(gzip()(app), {}, async (port) => {
    acks.open(0);
    const res = await get(port);
    t.is(res.headers['content-encoding'], 'gzip');
    t.is(res.headers['transfer-encoding'], 'chunked');
    t.is(res.headers.vary, 'Accept-Encoding');
    const gunzip = createGunzip({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH });
    res.pipe(gunzip);
    let text = '';
    const waiters: Array<{ needle: string; resolve: () => void }> = [];
    gunzip.on('data', (d: Buffer) => {
      text += d.toString();
      for (const w of waiters.splice(0)) (text.includes(w.needle) ? w.resolve() : waiters.push(w));
    });
    const seen = (needle: string): Promise<void> => new Promise((resolve) => (text.includes(needle) ? resolve() : waiters.push({ needle, resolve })));
    for (let i = 0; i < count; i++) {
      await guard(seen(`id: ${i}\n`), `event ${i} decoded`);
      // Event i+1 cannot have been produced: its gate is still shut.
      t.false(log.includes(`produce ${i + 1}`));
      t.true(text.endsWith('\n\n'));
      if (i + 1 < count) acks.open(i + 1);
    }
    await guard(new Promise((r) => gunzip.on('end', r)), 'end of the gzip member');
    t.is(text.split('\n\n').length - 1, count);
  });
});

/** A pool that records acquisitions and releases, and resolves `released` on the first release. */
function recordingPool(log: string[]): EnginePool & { released: Promise<void> } {
  const pool = createEnginePool();
  let onRelease: () => void = () => {};
  const released = new Promise<void>((r) => (onRelease = r));
  return {
    released,
    acquire(spec) {
      log.push(`+${spec.kind}`);
      return pool.acquire(spec);
    },
    release(engine, reusable) {
      log.push(`-${engine.spec.kind}`);
      pool.release(engine, reusable);
      onRelease();
    },
  };
}

test('a client that disconnects mid-stream releases the zlib engine and the app source promptly', async (t) => {
  const acks = new Acks(3);
  const log: string[] = [];
  const pool = recordingPool(log);
  let sourceReleased: () => void = () => {};
  const sourceDone = new Promise<void>((r) => (sourceReleased = r));
  const body = source<Uint8Array | typeof FLUSH>(function* (io) {
    yield* io.bracket(() => log.push('+source'), () => {
      log.push('-source');
      sourceReleased();
    });
    yield* io.emit(Buffer.from('data: first\n\n'));
    yield* io.emit(FLUSH);
    yield* io.await(acks.gates[1]!); // never opened: only the disconnect ends this stream
    yield* io.emit(Buffer.from('data: never\n\n'));
  });
  const app: Application = () => respond.stream(200, { 'content-type': 'text/event-stream' }, body);
  await withServer(gzip({ pool })(app), {}, async (port) => {
    const res = await get(port);
    const gunzip = createGunzip({ flush: constants.Z_SYNC_FLUSH });
    res.pipe(gunzip);
    await guard(new Promise<void>((r) => gunzip.on('data', (d: Buffer) => d.toString().includes('first') && r())), 'first event');
    res.destroy();
    await guard(Promise.all([pool.released, sourceDone]), 'release after disconnect');
    t.deepEqual(log, ['+source', '+gzip', '-gzip', '-source']);
  });
});
