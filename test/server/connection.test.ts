// Connection against a fake host: received chunks in order, read backpressure at the high-water mark, EOF and
// failure, a close that happens exactly once, the abort signal, and drain/writable waiters.
import test from 'ava';
import { DONE, SUSPEND, sinkList } from '../../src/conduit/index.js';
import { Connection, type ConnectionHost } from '../../src/server/connection.js';
import { FakeNative } from './support/fake-native.js';

function setup(): { native: FakeNative; host: ConnectionHost & { log: string[] }; conn: Connection; received: number[] } {
  const native = new FakeNative();
  const log: string[] = [];
  const host = {
    native,
    log,
    detach: () => void log.push('detach'),
    beforeClose: () => void log.push('beforeClose'),
  };
  const received: number[] = [];
  const conn = new Connection(7, host, () => log.push('timeout'), (_c, n) => received.push(n));
  return { native, host, conn, received };
}

const text = (x: unknown): string => Buffer.from(x as Uint8Array).toString('latin1');

test('pushed chunks are read in order, then the reader suspends until more arrive', async (t) => {
  const { conn, received } = setup();
  conn.pushData(Buffer.from('ab'));
  conn.pushData(Buffer.from('cd'));
  t.deepEqual(received, [2, 2], 'every chunk tickles onData with its size');
  t.true(conn.hasBuffered());
  t.is(text(conn.read()), 'ab');
  t.is(text(conn.read()), 'cd');
  t.false(conn.hasBuffered());
  t.is(conn.read(), SUSPEND);
  t.is(conn.read(), SUSPEND, 'a second read while waiting is still a suspension');
  conn.pushData(Buffer.from('ef'));
  t.is(text(conn.read()), 'ef');
});

test('EOF ends reading after the buffered bytes and aborts the signal', (t) => {
  const { conn } = setup();
  const signal = conn.signal;
  conn.pushData(Buffer.from('last'));
  conn.pushEof();
  t.true(conn.peerGone);
  t.false(conn.failed);
  t.true(signal.aborted);
  t.is(text(conn.read()), 'last');
  t.is(conn.read(), DONE);
});

test('fail wakes the reader with the error, rejects waiters, aborts the signal, and keeps the first error', async (t) => {
  const { conn } = setup();
  const signal = conn.signal;
  const waiting = conn.whenWritable();
  conn.fail(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
  conn.fail(new Error('second'));
  t.true(conn.failed);
  t.throws(() => conn.read(), { code: 'ECONNRESET' });
  await t.throwsAsync(waiting, { code: 'ECONNRESET' });
  await t.throwsAsync(conn.whenDrained(), { code: 'ECONNRESET' });
  await t.throwsAsync(conn.whenWritable(), { code: 'ECONNRESET' });
  t.true(signal.aborted);
  t.is((signal.reason as Error).message, 'reset');
});

test('destroy flushes, closes the fd and detaches exactly once', async (t) => {
  const { conn, native, host } = setup();
  const drained = conn.whenDrained();
  conn.destroy();
  conn.destroy();
  t.deepEqual(host.log, ['beforeClose', 'detach']);
  t.deepEqual(native.callsOf('close'), [{ op: 'close', fd: 7 }]);
  t.true(conn.closed);
  t.true(conn.peerGone);
  t.is(conn.read(), DONE);
  await drained;
  await t.throwsAsync(conn.whenDrained());
  await t.throwsAsync(conn.whenWritable());
});

test('destroy rejects pending waiters and aborts the signal', async (t) => {
  const { conn } = setup();
  conn.backlogBytes = 10;
  const drained = conn.whenDrained();
  const signal = conn.signal;
  conn.destroy();
  await t.throwsAsync(drained, { code: 'ECONNRESET' });
  t.true(signal.aborted);
});

test('a signal asked for after the close is already aborted', (t) => {
  const { conn } = setup();
  conn.destroy();
  t.true(conn.signal.aborted);
});

test('reading stops at 256 KiB unconsumed and resumes below half of it', (t) => {
  const { conn, native } = setup();
  const piece = Buffer.alloc(64 * 1024);
  for (let i = 0; i < 4; i++) conn.pushData(piece);
  t.deepEqual(native.callsOf('setReading'), [{ op: 'setReading', fd: 7, on: false }]);
  conn.pushData(piece);
  t.is(native.callsOf('setReading').length, 1, 'paused once');
  conn.read();
  conn.read();
  conn.read();
  t.is(native.callsOf('setReading').length, 1, '128 KiB left (exactly half): still paused');
  conn.read();
  t.deepEqual(native.callsOf('setReading')[1], { op: 'setReading', fd: 7, on: true });
});

test('whenDrained resolves at once without a backlog and on notifyWritable with one', async (t) => {
  const { conn, native } = setup();
  await conn.whenDrained();
  conn.backlogBytes = 5;
  let done = false;
  const p = conn.whenDrained().then(() => (done = true));
  await Promise.resolve();
  t.false(done);
  conn.backlogBytes = 0;
  conn.notifyWritable();
  await p;
  t.true(done);
  const w = conn.whenWritable();
  t.deepEqual(native.callsOf('wantWritable'), [{ op: 'wantWritable', fd: 7 }]);
  conn.notifyWritable();
  await w;
});

test('source() yields the received bytes and closing its run closes the connection', async (t) => {
  const { conn, native } = setup();
  conn.pushData(Buffer.from('one'));
  conn.pushData(Buffer.from('two'));
  conn.pushEof();
  const chunks = await conn.source().runAsync(sinkList());
  t.deepEqual(chunks.map(text), ['one', 'two']);
  t.true(conn.closed, 'the end of the source releases the socket');
  t.is(native.callsOf('close').length, 1);
});

test('sysError names the syscall and the errno', (t) => {
  const { conn } = setup();
  t.like(conn.sysError(-32, 'send'), { code: 'EPIPE', syscall: 'send', errno: -32 });
});
