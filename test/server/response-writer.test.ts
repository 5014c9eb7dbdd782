// Response writer over a Reactor with a fake native layer: heads composed into the cork (small bodies in the same
// write), bodies framed by length, chunked or close, FLUSH sent before the next element is pulled, backpressure.
import test from 'ava';
import { FLUSH, fromArray, source, type Flushable } from '../../src/conduit/index.js';
import { Connection } from '../../src/server/connection.js';
import { Phase } from '../../src/server/phase.js';
import { resolveSettings } from '../../src/server/settings.js';
import { TCP } from '../../src/server/transport.js';
import { DateCache } from '../../src/server/date.js';
import { ResponseError } from '../../src/server/errors.js';
import { Reactor } from '../../src/server/reactor.js';
import { bodyWriter, engineHeaders, SEND_HIGH_WATER, whenWritableEnough, writeHead, type Framing, type WriterContext } from '../../src/server/response-writer.js';
import { TimeoutManager } from '../../src/server/timeout.js';
import { afterFlush, FakeNative } from './support/fake-native.js';

const FIXED_DATE = Date.UTC(2024, 0, 2, 3, 4, 5);
const DATE = 'Tue, 02 Jan 2024 03:04:05 GMT';

function setup(): { native: FakeNative; ctx: WriterContext; conn: Connection; timeouts: TimeoutManager } {
  const native = new FakeNative();
  const reactor = new Reactor(native);
  const timeouts = new TimeoutManager(1000, () => 5000);
  const ctx: WriterContext = { reactor, date: new DateCache(() => FIXED_DATE), serverName: 'Sluice' };
  const owner = { settings: resolveSettings({ port: 0, sendTimeoutMs: 60_000 }), timeouts, timedOut: () => {}, released: () => {} };
  const conn = new Connection(9, reactor, owner, TCP);
  reactor.attach(conn);
  return { native, ctx, conn, timeouts };
}

async function wireAfterFlush(native: FakeNative, fd = 9): Promise<string> {
  await afterFlush();
  return native.wire.get(fd) ?? '';
}

test('engineHeaders carries the cached date, server name and framing decisions', (t) => {
  const { ctx } = setup();
  const e = engineHeaders(ctx, 12, false, true);
  t.is(Buffer.from(e.date!).toString('latin1'), DATE);
  t.like(e, { server: 'Sluice', contentLength: 12, chunked: false, close: true });
});

test('writeHead puts a small head and body in one corked write', async (t) => {
  const { native, ctx, conn } = setup();
  writeHead(ctx, conn, 200, { 'content-type': 'text/plain' }, engineHeaders(ctx, 5, false, false), Buffer.from('hello'));
  const flushes = () => native.callsOf('flush');
  t.is(flushes().length, 0);
  const wire = await wireAfterFlush(native);
  t.is(flushes().length, 1);
  t.is(wire, `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ndate: ${DATE}\r\nserver: Sluice\r\ncontent-length: 5\r\n\r\nhello`);
});

test('writeHead with an injected header value throws before writing anything', async (t) => {
  const { native, ctx, conn } = setup();
  writeHead(ctx, conn, 200, {}, engineHeaders(ctx, 1, false, false), Buffer.from('a'));
  const e = t.throws(() => writeHead(ctx, conn, 200, { 'x-a': 'v\r\nx-b: injected' }, engineHeaders(ctx, 1, false, false), Buffer.from('b')));
  t.true(e instanceof ResponseError);
  const wire = await wireAfterFlush(native);
  t.false(wire.includes('injected'));
  t.true(wire.endsWith('\r\n\r\na'), 'the earlier response is intact and nothing follows it');
});

test('writeHead with a large body writes head and body in order outside the cork', async (t) => {
  const { native, ctx, conn } = setup();
  const big = Buffer.alloc(40_000, 'z');
  writeHead(ctx, conn, 200, {}, engineHeaders(ctx, big.length, false, true), big);
  const wire = await wireAfterFlush(native);
  t.true(wire.startsWith('HTTP/1.1 200 OK\r\n'));
  t.true(wire.includes('connection: close\r\n'));
  t.true(wire.endsWith('\r\n\r\n' + big.toString('latin1')));
});

test('writeHead behind a backlog queues after it', async (t) => {
  const { native, ctx, conn } = setup();
  native.accept = () => -11;
  ctx.reactor.write(conn, Buffer.from('earlier;'));
  await afterFlush();
  writeHead(ctx, conn, 204, {}, engineHeaders(ctx, -1, false, false), null);
  native.accept = (_fd, n) => n;
  native.deliver([{ fd: 9, kind: 4 }]);
  t.true((native.wire.get(9) ?? '').startsWith('earlier;HTTP/1.1 204 No Content\r\n'));
});

async function writeBody(ctx: WriterContext, conn: Connection, framing: Framing, items: Array<Flushable<Uint8Array>>): Promise<number> {
  return fromArray(items).runAsync(bodyWriter(ctx, conn, framing));
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

test('a chunked body is framed chunk by chunk and ended with the last chunk', async (t) => {
  const { native, ctx, conn } = setup();
  const n = await writeBody(ctx, conn, { kind: 'chunked' }, [b('hello'), b(''), b('0123456789abcdef!')]);
  t.is(n, 22);
  t.is(await wireAfterFlush(native), '5\r\nhello\r\n11\r\n0123456789abcdef!\r\n0\r\n\r\n');
});

test('a large chunk is framed with its size line outside the cork', async (t) => {
  const { native, ctx, conn } = setup();
  const big = 'q'.repeat(20_000);
  await writeBody(ctx, conn, { kind: 'chunked' }, [b(big)]);
  t.is(await wireAfterFlush(native), `4e20\r\n${big}\r\n0\r\n\r\n`);
});

test('a length-framed body is written raw and must match its length', async (t) => {
  const { native, ctx, conn } = setup();
  t.is(await writeBody(ctx, conn, { kind: 'length', length: 6 }, [b('abc'), b('def')]), 6);
  t.is(await wireAfterFlush(native), 'abcdef');
});

test('a length-framed body that ends short is a RangeError', async (t) => {
  const { ctx, conn } = setup();
  await t.throwsAsync(writeBody(ctx, conn, { kind: 'length', length: 10 }, [b('abc')]), { instanceOf: RangeError });
});

test('a length-framed body that overruns is a RangeError and the overrun is not written', async (t) => {
  const { native, ctx, conn } = setup();
  await t.throwsAsync(writeBody(ctx, conn, { kind: 'length', length: 4 }, [b('abc'), b('de')]), { instanceOf: RangeError });
  t.is(await wireAfterFlush(native), 'abc');
});

test('a close-delimited body is written raw with no terminator', async (t) => {
  const { native, ctx, conn } = setup();
  t.is(await writeBody(ctx, conn, { kind: 'close' }, [b('raw'), b(' bytes')]), 9);
  t.is(await wireAfterFlush(native), 'raw bytes');
});

test('FLUSH sends what is corked before the next element is pulled', async (t) => {
  const { native, ctx, conn } = setup();
  const seenAtPull: string[] = [];
  const body = source<Flushable<Uint8Array>>(function* (io) {
    yield* io.emit(b('first'));
    yield* io.emit(FLUSH);
    seenAtPull.push(native.wire.get(9) ?? '');
    yield* io.emit(b('second'));
    seenAtPull.push(native.wire.get(9) ?? '');
  });
  await body.runAsync(bodyWriter(ctx, conn, { kind: 'chunked' }));
  t.deepEqual(seenAtPull, ['5\r\nfirst\r\n', '5\r\nfirst\r\n'], 'flushed at FLUSH, and not before the next FLUSH or end');
  t.is(await wireAfterFlush(native), '5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n');
});

test('a slow client makes the writer wait (send timeout armed) and resume once drained', async (t) => {
  const { native, ctx, conn, timeouts } = setup();
  conn.enter(Phase.App);
  native.accept = () => -11;
  const piece = Buffer.alloc(100_000, 'x');
  let produced = 0;
  const body = source<Flushable<Uint8Array>>(function* (io) {
    for (let i = 0; i < 5; i++) {
      produced++;
      yield* io.emit(piece);
    }
  });
  const run = body.runAsync(bodyWriter(ctx, conn, { kind: 'close' }));
  await afterFlush();
  t.is(produced, 3, 'stops pulling once more than the high-water mark is queued');
  t.true(conn.backlogBytes > SEND_HIGH_WATER);
  t.is(conn.phase, Phase.Send);
  t.is(conn.deadline, timeouts.now + 60_000);
  native.accept = (_fd, n) => n;
  native.deliver([{ fd: 9, kind: 4 }]);
  t.is(await run, 500_000);
  t.is(produced, 5);
  t.is(conn.deadline, Infinity, 'no timeout while not waiting on the client');
  t.is(native.wire.get(9)!.length, 500_000);
});

test('whenWritableEnough is null below the high-water mark', (t) => {
  const { conn } = setup();
  conn.backlogBytes = SEND_HIGH_WATER;
  t.is(whenWritableEnough(conn), null);
});

test('a connection closed mid-body stops the writer with ECONNRESET', async (t) => {
  const { ctx, conn } = setup();
  const body = source<Flushable<Uint8Array>>(function* (io) {
    yield* io.emit(b('a'));
    conn.destroy();
    yield* io.emit(b('b'));
  });
  await t.throwsAsync(body.runAsync(bodyWriter(ctx, conn, { kind: 'chunked' })), { code: 'ECONNRESET' });
});
