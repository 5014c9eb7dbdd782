// Reactor against a fake NativeBinding: corked writes leave in one native flush per wave, partial sends become an
// ordered backlog drained on EV_WRITABLE, errors fail the connection, and every EV_* kind reaches its target.
import test from 'ava';
import { DONE, SUSPEND } from '../../src/conduit/index.js';
import { EV_ACCEPT, EV_ACCEPT_ERROR, EV_DATA, EV_EOF, EV_ERROR, EV_WRITABLE } from '../../src/native/index.js';
import { Connection } from '../../src/server/connection.js';
import { Reactor } from '../../src/server/reactor.js';
import { afterFlush, FakeNative } from './support/fake-native.js';

const ECONNRESET = 104;
const EAGAIN = 11;
const EMFILE = 24;

function setup(): { native: FakeNative; reactor: Reactor; conn: (fd: number) => Connection } {
  const native = new FakeNative();
  const reactor = new Reactor(native);
  const conn = (fd: number): Connection => {
    const c = new Connection(fd, reactor, () => {}, () => {});
    reactor.attach(c);
    return c;
  };
  return { native, reactor, conn };
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

test('writes of one wave leave in one native flush, one record per connection', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const b = conn(11);
  reactor.write(a, bytes('a1'));
  reactor.write(a, bytes('a2'));
  reactor.write(b, bytes('b1'));
  t.is(native.callsOf('flush').length, 0, 'nothing is sent synchronously');
  await afterFlush();
  t.deepEqual(native.callsOf('flush'), [{ op: 'flush', records: [{ fd: 10, data: 'a1a2' }, { fd: 11, data: 'b1' }] }]);
  t.is(native.wire.get(10), 'a1a2');
});

test('a write that is not contiguous with the connection\'s corked bytes flushes first, keeping order', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const b = conn(11);
  reactor.write(a, bytes('a1'));
  reactor.write(b, bytes('b1'));
  reactor.write(a, bytes('a2'));
  await afterFlush();
  t.is(native.wire.get(10), 'a1a2');
  t.is(native.wire.get(11), 'b1');
  t.is(native.callsOf('flush').length, 2);
});

test('an empty write or a write to a closed connection sends nothing', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  reactor.write(a, bytes(''));
  a.destroy();
  reactor.write(a, bytes('late'));
  await afterFlush();
  t.deepEqual(native.callsOf('flush'), []);
  t.is(native.wire.get(10), undefined);
});

test('a partially sent record becomes a backlog that later writes queue behind, drained on EV_WRITABLE', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  native.accept = (_fd, n) => Math.min(n, 3);
  reactor.write(a, bytes('hello world'));
  await afterFlush();
  t.is(native.wire.get(10), 'hel');
  t.is(a.backlogBytes, 8);
  reactor.write(a, bytes('!'));
  await afterFlush();
  t.is(native.wire.get(10), 'hel', 'queued behind the backlog, not corked past it');
  t.is(a.backlogBytes, 9);
  let drained = false;
  const whenDrained = a.whenDrained().then(() => (drained = true));
  native.accept = (_fd, n) => n;
  native.deliver([{ fd: 10, kind: EV_WRITABLE }]);
  await whenDrained;
  t.true(drained);
  t.is(native.wire.get(10), 'hello world!');
  t.is(a.backlogBytes, 0);
  t.is(native.callsOf('writev').length, 1, 'several backlog pieces go out in one writev');
});

test('a backlog drained only partly re-arms writability and keeps the rest in order', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  native.accept = () => -EAGAIN;
  reactor.write(a, bytes('abcdef'));
  await afterFlush();
  t.is(a.backlogBytes, 6);
  // The kernel takes 2 bytes, then is full again.
  let budget = 2;
  native.accept = (_fd, n) => {
    if (budget === 0) return -EAGAIN;
    const k = Math.min(n, budget);
    budget -= k;
    return k;
  };
  const wantBefore = native.callsOf('wantWritable').length;
  native.deliver([{ fd: 10, kind: EV_WRITABLE }]);
  t.is(native.wire.get(10), 'ab');
  t.is(a.backlogBytes, 4);
  t.is(native.callsOf('wantWritable').length, wantBefore + 1, 'writability re-armed for the rest');
  native.accept = (_fd, n) => n;
  native.deliver([{ fd: 10, kind: EV_WRITABLE }]);
  t.is(native.wire.get(10), 'abcdef');
});

test('an EAGAIN flush keeps the whole record as backlog', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  native.accept = () => -EAGAIN;
  reactor.write(a, bytes('xyz'));
  await afterFlush();
  t.is(a.backlogBytes, 3);
  t.false(a.failed);
});

test('a flush error fails only that connection, with a SysError', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const b = conn(11);
  native.accept = (fd, n) => (fd === 10 ? -ECONNRESET : n);
  reactor.write(a, bytes('to a'));
  reactor.write(b, bytes('to b'));
  await afterFlush();
  t.true(a.failed);
  t.false(b.failed);
  t.is(native.wire.get(11), 'to b');
  const e = t.throws(() => a.read());
  t.like(e, { code: 'ECONNRESET', syscall: 'send' });
});

test('a large write flushes the connection\'s corked bytes first, then is sent directly', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const big = 'B'.repeat(20_000);
  reactor.write(a, bytes('head;'));
  reactor.write(a, bytes(big));
  t.is(native.wire.get(10), 'head;' + big, 'sent at once, in order');
  t.deepEqual(native.calls.map((c) => c.op), ['flush', 'send']);
});

test('a large direct write that is cut short queues the rest and asks for writability', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  native.accept = (_fd, n) => Math.min(n, 1000);
  reactor.write(a, bytes('C'.repeat(20_000)));
  t.is(a.backlogBytes, 19_000);
  t.deepEqual(native.callsOf('wantWritable'), [{ op: 'wantWritable', fd: 10 }]);
  native.accept = (_fd, n) => n;
  native.deliver([{ fd: 10, kind: EV_WRITABLE }]);
  t.is(native.wire.get(10)!.length, 20_000);
});

test('a large direct write that fails fails the connection', (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  native.accept = () => -32;
  reactor.write(a, bytes('D'.repeat(20_000)));
  t.true(a.failed);
});

test('a backlog send that fails on EV_WRITABLE fails the connection and rejects whenDrained', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  native.accept = () => -EAGAIN;
  reactor.write(a, bytes('abc'));
  await afterFlush();
  const drained = a.whenDrained();
  native.accept = () => -ECONNRESET;
  native.deliver([{ fd: 10, kind: EV_WRITABLE }]);
  await t.throwsAsync(drained, { code: 'ECONNRESET' });
  t.true(a.failed);
});

test('EV_DATA delivers an owned copy of the received bytes to the connection', (t) => {
  const { native, conn } = setup();
  const a = conn(10);
  const b = conn(11);
  native.deliver([{ fd: 10, kind: EV_DATA, data: 'GET / ' }, { fd: 11, kind: EV_DATA, data: 'other' }, { fd: 10, kind: EV_DATA, data: 'HTTP/1.1' }]);
  // Overwrite the shared receive buffer: the delivered chunks must not change.
  native.deliver([{ fd: 99, kind: EV_DATA, data: 'XXXXXXXXXXXXXXXXXXXX' }]);
  const first = a.read() as Uint8Array;
  const second = a.read() as Uint8Array;
  t.is(Buffer.from(first).toString(), 'GET / ');
  t.is(Buffer.from(second).toString(), 'HTTP/1.1');
  t.is(Buffer.from(b.read() as Uint8Array).toString(), 'other');
  t.is(a.read(), SUSPEND);
});

test('EV_EOF ends the connection\'s input; EV_ERROR fails it with the errno', (t) => {
  const { native, conn } = setup();
  const a = conn(10);
  const b = conn(11);
  native.deliver([{ fd: 10, kind: EV_DATA, data: 'x' }, { fd: 10, kind: EV_EOF }, { fd: 11, kind: EV_ERROR, a: -ECONNRESET }]);
  t.is(Buffer.from(a.read() as Uint8Array).toString(), 'x', 'bytes before the EOF are still read');
  t.is(a.read(), DONE);
  t.true(a.peerGone);
  t.throws(() => b.read(), { code: 'ECONNRESET' });
});

test('events for an fd with no connection (closed, detached) are ignored', (t) => {
  const { native, conn } = setup();
  const a = conn(10);
  a.destroy();
  t.notThrows(() => native.deliver([
    { fd: 10, kind: EV_DATA, data: 'late' }, { fd: 10, kind: EV_EOF }, { fd: 10, kind: EV_ERROR, a: -ECONNRESET },
    { fd: 10, kind: EV_WRITABLE }, { fd: 77, kind: EV_DATA, data: 'never attached' },
  ]));
});

test('EV_ACCEPT hands the fd to the listener of its listening fd; an unknown listener\'s fd is closed', (t) => {
  const { native, reactor } = setup();
  const accepted: number[] = [];
  reactor.listen(5, { onAccept: (fd) => accepted.push(fd), onAcceptError: () => {} });
  native.deliver([{ fd: 20, kind: EV_ACCEPT, a: 5 }, { fd: 21, kind: EV_ACCEPT, a: 6 }, { fd: 22, kind: EV_ACCEPT, a: 5 }]);
  t.deepEqual(accepted, [20, 22]);
  t.deepEqual(native.callsOf('close'), [{ op: 'close', fd: 21 }]);
});

test('EV_ACCEPT_ERROR reaches the listener as an accept4 SysError', (t) => {
  const { native, reactor } = setup();
  const errors: Error[] = [];
  reactor.listen(5, { onAccept: () => {}, onAcceptError: (e) => errors.push(e) });
  native.deliver([{ fd: 5, kind: EV_ACCEPT_ERROR, a: -EMFILE }, { fd: 6, kind: EV_ACCEPT_ERROR, a: -EMFILE }]);
  t.is(errors.length, 1);
  t.like(errors[0], { code: 'EMFILE', syscall: 'accept4' });
});

test('listen throws when native cannot start accepting; unlisten stops and closes once', (t) => {
  const { native, reactor } = setup();
  native.startAcceptingResult = -9;
  t.throws(() => reactor.listen(5, { onAccept: () => {}, onAcceptError: () => {} }), { code: 'EBADF' });
  native.startAcceptingResult = 0;
  reactor.listen(7, { onAccept: () => {}, onAcceptError: () => {} });
  reactor.unlisten(7);
  reactor.unlisten(7);
  t.deepEqual(native.calls.filter((c) => c.op === 'stopAccepting' || c.op === 'close'), [
    { op: 'stopAccepting', fd: 7 }, { op: 'close', fd: 7 },
  ]);
});

test('closing a connection sends its corked bytes before the fd is closed', (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  reactor.write(a, bytes('HTTP/1.1 400 Bad Request\r\n\r\n'));
  a.destroy();
  t.deepEqual(native.calls.map((c) => c.op), ['flush', 'close']);
  t.is(native.wire.get(10), 'HTTP/1.1 400 Bad Request\r\n\r\n');
});

test('corked bytes of a connection closed mid-wave are dropped from the flush without harming others', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const b = conn(11);
  reactor.write(b, bytes('for b'));
  reactor.detach(b);
  reactor.write(a, bytes('for a'));
  await afterFlush();
  t.is(native.wire.get(10), 'for a');
});

test('reserve writes straight into the cork buffer; unreserve takes the bytes back', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const at = reactor.reserve(a, 5);
  reactor.corkBuffer.write('12345', at, 'latin1');
  const at2 = reactor.reserve(a, 3);
  reactor.corkBuffer.write('678', at2, 'latin1');
  reactor.unreserve(a, at2, 3);
  await afterFlush();
  t.is(native.wire.get(10), '12345');
  const at3 = reactor.reserve(a, 4);
  reactor.unreserve(a, at3, 4);
  await afterFlush();
  t.is(native.callsOf('flush').length, 1, 'a fully taken-back reservation sends nothing');
});

test('reserve returns -1 for a connection with a backlog, and canCork says no', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  native.accept = () => -EAGAIN;
  reactor.write(a, bytes('x'));
  await afterFlush();
  t.false(reactor.canCork(a));
  t.is(reactor.reserve(a, 4), -1);
});

test('filling the cork buffer flushes it and keeps going', async (t) => {
  const { native, reactor, conn } = setup();
  const conns = Array.from({ length: 40 }, (_, i) => conn(100 + i));
  const piece = 'p'.repeat(10_000);
  for (const c of conns) reactor.write(c, bytes(piece));
  await afterFlush();
  t.true(native.callsOf('flush').length >= 2, '400 KB does not fit one 256 KiB cork');
  t.true(conns.every((c) => native.wire.get(c.fd) === piece));
});

test('more than 1024 connections in one wave are all flushed', async (t) => {
  const { native, reactor, conn } = setup();
  const conns = Array.from({ length: 1100 }, (_, i) => conn(1000 + i));
  for (const c of conns) reactor.write(c, bytes(`r${c.fd}`));
  await afterFlush();
  t.true(conns.every((c) => native.wire.get(c.fd) === `r${c.fd}`));
});

test('the reactor installs its event sink once through init', (t) => {
  const native = new FakeNative();
  new Reactor(native);
  t.throws(() => new Reactor(native), { code: 'ERR_SLUICE_INIT_TWICE' });
});
