// Connection against a fake host: received chunks in order, read backpressure at the high-water mark, EOF and
// failure, a close that happens exactly once, the abort signal, and drain/writable waiters.
import test from 'ava';
import { DONE, SUSPEND, sinkList, takeBytes } from '../../src/conduit/index.js';
import { Connection, type ConnectionHost, type ConnectionOwner } from '../../src/server/connection.js';
import { Phase, LINGER_MS } from '../../src/server/phase.js';
import { resolveSettings } from '../../src/server/settings.js';
import { TimeoutManager } from '../../src/server/timeout.js';
import { TCP } from '../../src/server/transport.js';
import { FakeNative } from './support/fake-native.js';

interface Setup {
  native: FakeNative;
  host: ConnectionHost & { log: string[] };
  owner: ConnectionOwner & { log: string[]; clock: { t: number }; timeouts: TimeoutManager };
  conn: Connection;
}

function setup(settings = resolveSettings({ port: 0 })): Setup {
  const native = new FakeNative();
  const log: string[] = [];
  const host = {
    native,
    log,
    detach: () => void log.push('detach'),
    beforeClose: () => void log.push('beforeClose'),
    closeAfterFlush: () => void log.push('closeAfterFlush'),
    markReady: (c: Connection) => {
      log.push('ready');
      const fn = c.onReadable;
      c.onReadable = null;
      fn?.(c);
    },
    write: (_c: Connection, bytes: Uint8Array) => void log.push(`write ${Buffer.from(bytes).toString('latin1')}`),
  };
  const clock = { t: 1_000_000 };
  const ownerLog: string[] = [];
  const owner = {
    settings,
    timeouts: new TimeoutManager(1000, () => clock.t),
    log: ownerLog,
    clock,
    timedOut: () => void ownerLog.push('timedOut'),
    released: () => void ownerLog.push('released'),
  };
  const conn = new Connection(7, host, owner, TCP);
  return { native, host, owner, conn };
}

const text = (x: unknown): string => Buffer.from(x as Uint8Array).toString('latin1');

test('pushed chunks are read in order, then the reader suspends until more arrive', async (t) => {
  const { conn } = setup();
  conn.pushData(Buffer.from('ab'));
  conn.pushData(Buffer.from('cd'));
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

test('destroy flushes, closes the fd, detaches and reports the release exactly once', async (t) => {
  const { conn, native, host, owner } = setup();
  const drained = conn.whenDrained();
  conn.destroy();
  conn.destroy();
  t.deepEqual(host.log, ['beforeClose', 'detach']);
  t.deepEqual(owner.log, ['released']);
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

test('peek, shift and unread keep one order: leftovers go back in front of the queue', (t) => {
  const { conn } = setup();
  t.is(conn.peek(), null);
  t.is(conn.shift(), null);
  conn.pushData(Buffer.from('abc'));
  conn.pushData(Buffer.from('def'));
  t.is(text(conn.peek()), 'abc');
  t.is(text(conn.shift()), 'abc');
  conn.unread(Buffer.from('bc'));
  conn.unread(new Uint8Array(0));
  t.is(text(conn.read()), 'bc');
  t.is(text(conn.read()), 'def');
  conn.unread(Buffer.from('x'));
  t.is(text(conn.read()), 'x', 'an unread into an empty queue works too');
});

test('consume walks heads through the oldest chunk in place; shift and unread respect what was consumed', (t) => {
  const { conn } = setup();
  conn.pushData(Buffer.from('GET1GET2rest'));
  t.is(conn.headOffset, 0);
  conn.consume(4);
  t.is(conn.headOffset, 4);
  t.is(text(conn.peek()), 'GET1GET2rest', 'peek gives the whole chunk: the caller reads from headOffset');
  conn.consume(4);
  conn.unread(Buffer.from('back'));
  t.is(conn.headOffset, 0);
  t.is(text(conn.shift()), 'back');
  t.is(text(conn.shift()), 'rest');
  conn.pushData(Buffer.from('abc'));
  conn.consume(3);
  t.false(conn.hasBuffered(), 'a chunk consumed to its end is dropped');
  conn.pushData(Buffer.from('xyz'));
  conn.consume(1);
  t.is(text(conn.read()), 'yz');
});

test('input() is one resumable source over the queue: the leftovers of a sink are what the next read sees', (t) => {
  const { conn } = setup();
  conn.pushData(Buffer.from('head|rest'));
  const input = conn.input();
  t.is(conn.input(), input, 'made once');
  const first = input.connect(takeBytes(5).into(sinkList()));
  t.deepEqual((first as Uint8Array[]).map(text), ['head|']);
  t.is(text(conn.peek()), 'rest', 'takeBytes left the rest in the connection queue');
  t.is(text(conn.read()), 'rest');
});

test('waitReadable parks a continuation that runs once when bytes, EOF or a close arrive', (t) => {
  const { conn, host } = setup();
  const seen: string[] = [];
  conn.waitReadable(() => seen.push('woken'));
  t.deepEqual(seen, []);
  conn.pushData(Buffer.from('x'));
  t.deepEqual(seen, ['woken']);
  conn.pushData(Buffer.from('y'));
  t.deepEqual(seen, ['woken'], 'once');
  conn.waitReadable(() => seen.push('again'));
  t.deepEqual(seen, ['woken', 'again'], 'already readable: marked ready at once');
  conn.shift();
  conn.shift();
  conn.waitReadable(() => seen.push('eof'));
  conn.pushEof();
  t.deepEqual(seen, ['woken', 'again', 'eof']);
  t.true(host.log.filter((l) => l === 'ready').length >= 3);
});

test('enter arms the deadline of each phase from the one table; App pauses it', (t) => {
  const settings = resolveSettings({ port: 0, headerTimeoutMs: 100, idleTimeoutMs: 200, bodyTimeoutMs: 300, sendTimeoutMs: 400 });
  const { conn, owner } = setup(settings);
  const now = owner.clock.t;
  const cases: Array<[Phase, number]> = [
    [Phase.Fresh, 100], [Phase.Head, 100], [Phase.Idle, 200], [Phase.Body, 300], [Phase.Send, 400], [Phase.Linger, LINGER_MS],
  ];
  for (const [phase, ms] of cases) {
    conn.enter(phase);
    t.is(conn.phase, phase);
    t.is(conn.deadline, now + ms, `phase ${phase}`);
  }
  conn.enter(Phase.App);
  t.is(conn.deadline, Infinity);
  conn.enter(Phase.Upgraded);
  t.is(conn.deadline, Infinity, 'an upgraded protocol without its own idle timeout has none');
  conn.upgradedTimeoutMs = 50;
  conn.enter(Phase.Upgraded);
  t.is(conn.deadline, now + 50);
});

test('a head on a fresh connection keeps the deadline from accept; on a kept-alive one it starts now', (t) => {
  const { conn, owner } = setup(resolveSettings({ port: 0, headerTimeoutMs: 100 }));
  conn.enter(Phase.Fresh);
  const fromAccept = conn.deadline;
  owner.clock.t += 60;
  conn.enterHead();
  t.is(conn.phase, Phase.Head);
  t.is(conn.deadline, fromAccept, 'slowloris: the first byte does not buy more time');
  conn.enter(Phase.Idle);
  conn.enterHead();
  t.is(conn.deadline, owner.clock.t + 100);
});

test('shortenDeadline only ever brings the deadline forward', (t) => {
  const { conn, owner } = setup(resolveSettings({ port: 0, headerTimeoutMs: 5000 }));
  conn.enter(Phase.Fresh);
  conn.shortenDeadline(1000);
  t.is(conn.deadline, owner.clock.t + 1000);
  conn.shortenDeadline(3000);
  t.is(conn.deadline, owner.clock.t + 1000);
});

test('body chunks re-arm the body deadline, and a rate under the minimum times the connection out', (t) => {
  const { conn, owner } = setup(resolveSettings({ port: 0, bodyTimeoutMs: 1000, minBodyBytesPerSecond: 100 }));
  conn.setWaiting(true);
  t.is(conn.phase, Phase.Body);
  owner.clock.t += 500;
  conn.pushData(Buffer.alloc(10));
  t.is(conn.deadline, owner.clock.t + 1000, 're-armed by the chunk');
  t.deepEqual(owner.log, []);
  owner.clock.t += 1500;
  owner.timeouts.sweep();
  conn.pushData(Buffer.alloc(10));
  t.deepEqual(owner.log, ['timedOut'], '20 bytes in 2 s is under 100 B/s');
  conn.setWaiting(false);
  t.is(conn.phase, Phase.App);
});

test('closeWhenSent closes at once when nothing is queued, else once the backlog drains', (t) => {
  const { conn, native, owner } = setup();
  conn.enqueue(Buffer.from('tail'));
  conn.closeWhenSent();
  t.false(conn.closed);
  t.is(conn.phase, Phase.Send, 'the send timeout guards the wait');
  conn.backlog = null;
  conn.backlogBytes = 0;
  conn.notifyWritable();
  t.true(conn.closed);
  t.is(native.callsOf('close').length, 1);
  t.deepEqual(owner.log, ['released']);
  const other = setup();
  other.conn.closeWhenSent();
  t.true(other.conn.closed);
});

test('closing after corked bytes arms the send timeout only once a short send leaves a backlog', (t) => {
  const { conn } = setup();
  conn.corkDesc = 0; // as if the reactor held corked bytes for it
  conn.closeWhenSent();
  t.false(conn.closed);
  t.is(conn.deadline, Infinity, 'no clock read while the bytes are only corked');
  conn.corkDesc = -1;
  conn.requeue(Buffer.from('rest'));
  t.is(conn.phase, Phase.Send);
  t.true(conn.deadline < Infinity);
});

test('a connection waiting to close after its last bytes closes at once when it fails', (t) => {
  const { conn } = setup();
  conn.enqueue(Buffer.from('tail'));
  conn.closeWhenSent();
  conn.fail(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
  t.true(conn.closed);
});

test('writeInterim goes through the host; remoteAddress asks native until the close', (t) => {
  const { conn, host } = setup();
  conn.writeInterim(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'));
  t.true(host.log.some((l) => l.startsWith('write HTTP/1.1 100')));
  t.is(conn.remoteAddress(), '127.0.0.1:40000');
  conn.destroy();
  t.is(conn.remoteAddress(), null);
});
