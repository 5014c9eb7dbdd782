// Reactor writes against a fake NativeBinding: corked writes leave in one native flush per wave, partial sends become
// an ordered backlog drained on EV_WRITABLE, large writes go direct, and send errors fail only their connection.
import test from 'ava';
import { EV_WRITABLE } from '../../src/native/index.js';
import { afterFlush } from './support/fake-native.js';
import { reactorSetup } from './support/test-connection.js';

const ECONNRESET = 104;
const EAGAIN = 11;

const setup = reactorSetup;

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

test('a write that is not contiguous with the connection\'s corked bytes is chained to them: one flush, order kept', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const b = conn(11);
  reactor.write(a, bytes('a1'));
  reactor.write(b, bytes('b1'));
  reactor.write(a, bytes('a2'));
  await afterFlush();
  t.is(native.wire.get(10), 'a1a2');
  t.is(native.wire.get(11), 'b1');
  t.is(native.callsOf('flush').length, 1);
});

test('a chained record after a short send is queued behind the first one\'s tail, in order', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const b = conn(11);
  native.accept = (fd, n) => (fd === 10 ? Math.min(n, 1) : n);
  reactor.write(a, bytes('a1'));
  reactor.write(b, bytes('b1'));
  reactor.write(a, bytes('a2'));
  await afterFlush();
  t.is(native.wire.get(10), 'a');
  t.is(a.backlogBytes, 3);
  native.accept = (_fd, n) => n;
  native.deliver([{ fd: 10, kind: EV_WRITABLE }]);
  t.is(native.wire.get(10), 'a1a2');
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
  const conns = Array.from({ length: 120 }, (_, i) => conn(100 + i));
  const piece = 'p'.repeat(10_000);
  for (const c of conns) reactor.write(c, bytes(piece));
  await afterFlush();
  t.true(native.callsOf('flush').length >= 2, '1.2 MB does not fit one 1 MiB cork');
  t.true(conns.every((c) => native.wire.get(c.fd) === piece));
});

test('one connection\'s corked bytes flush at 256 KiB even while the wave\'s buffer has room, order kept', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const b = conn(11);
  reactor.write(b, bytes('b'));
  const pieces = Array.from({ length: 30 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(10_000));
  for (const p of pieces) reactor.write(a, bytes(p));
  t.is(native.callsOf('flush').length, 1, '300 KB for one connection is flushed before the wave ends');
  await afterFlush();
  t.is(native.callsOf('flush').length, 2);
  t.is(native.wire.get(10), pieces.join(''));
  t.is(native.wire.get(11), 'b');
});

test('a publish-sized wave (8 frames of 66 bytes to each of 1,000 connections) leaves in one flush, in order', async (t) => {
  const { native, reactor, conn } = setup();
  const conns = Array.from({ length: 1000 }, (_, i) => conn(2000 + i));
  for (let m = 0; m < 8; m++) {
    const frame = bytes(String(m).repeat(66));
    for (const c of conns) reactor.write(c, frame);
  }
  await afterFlush();
  t.is(native.callsOf('flush').length, 1);
  const all = [0, 1, 2, 3, 4, 5, 6, 7].map((m) => String(m).repeat(66)).join('');
  t.true(conns.every((c) => native.wire.get(c.fd) === all));
});

test('more connections in one wave than a flush has records for (16,384) are all flushed', async (t) => {
  const { native, reactor, conn } = setup();
  const conns = Array.from({ length: 17_000 }, (_, i) => conn(1000 + i));
  for (const c of conns) reactor.write(c, bytes(`r${c.fd}`));
  await afterFlush();
  t.true(conns.every((c) => native.wire.get(c.fd) === `r${c.fd}`));
});

test('writePair sends corked bytes first, then header and large body in one writev; a short writev queues the rest in order', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  const body = 'b'.repeat(20 * 1024);
  reactor.write(a, bytes('x'));
  native.accept = (_fd, n) => (n > 100 ? 1 : n);
  reactor.writePair(a, bytes('HH'), bytes(body));
  t.deepEqual(native.calls.map((c) => c.op), ['flush', 'writev', 'wantWritable']);
  t.is(native.wire.get(10), 'xH');
  t.is(a.backlogBytes, 1 + body.length);
  native.accept = (_fd, n) => n;
  native.deliver([{ fd: 10, kind: EV_WRITABLE }]);
  t.is(native.wire.get(10), 'xHH' + body);
});

test('writePair with a small body corks header and body together', async (t) => {
  const { native, reactor, conn } = setup();
  const a = conn(10);
  reactor.writePair(a, bytes('HH'), bytes('small'));
  await afterFlush();
  t.deepEqual(native.calls.map((c) => c.op), ['flush']);
  t.is(native.wire.get(10), 'HHsmall');
});
