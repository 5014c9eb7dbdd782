// Reactor event dispatch against a fake NativeBinding: every EV_* kind in a native batch reaches its connection or
// listener (data as an owned copy), events for forgotten fds are dropped, and listening starts and stops once.
import test from 'ava';
import { DONE, SUSPEND } from '../../src/conduit/index.js';
import { EV_ACCEPT, EV_ACCEPT_ERROR, EV_DATA, EV_EOF, EV_ERROR, EV_WRITABLE } from '../../src/native/index.js';
import { Reactor } from '../../src/server/reactor.js';
import { FakeNative } from './support/fake-native.js';
import { reactorSetup } from './support/test-connection.js';

const ECONNRESET = 104;
const EMFILE = 24;

const setup = reactorSetup;

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

test('a large receive reaches the connection as chunks of at most 64 KiB, in order', (t) => {
  const { native, conn } = setup();
  const a = conn(10);
  const data = Array.from({ length: 200 * 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
  native.deliver([{ fd: 10, kind: EV_DATA, data }]);
  const sizes: number[] = [];
  let got = '';
  for (let x = a.read(); x !== SUSPEND; x = a.read()) {
    const chunk = x as Uint8Array;
    sizes.push(chunk.length);
    got += Buffer.from(chunk).toString('latin1');
  }
  t.deepEqual(sizes, [65536, 65536, 65536, 8192]);
  t.is(got, data);
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

test('the reactor installs its event sink once through init', (t) => {
  const native = new FakeNative();
  new Reactor(native);
  t.throws(() => new Reactor(native), { code: 'ERR_SLUICE_INIT_TWICE' });
});
