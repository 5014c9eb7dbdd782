import test from 'ava';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { SHUT_WR } from '../../src/native/index.js';
import { useHub, waitTurns, checkFdLeaks } from './support/event-hub.js';

const { EAGAIN, EBADF, EINVAL, EPIPE } = constants.errno;
const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

const pair = (): [number, number] => hub.pair();

function fill(fd: number): number {
  const chunk = new Uint8Array(65536);
  let total = 0;
  for (;;) {
    const n = native.send(fd, chunk, 0, chunk.length, false);
    if (n < 0) return n === -EAGAIN ? total : n;
    total += n;
  }
}

test('send and recv move bytes at the given offsets', (t) => {
  const [a, b] = pair();
  const out = Buffer.from('xxhelloxx');
  t.is(native.send(a, out, 2, 5, false), 5);
  const into = Buffer.alloc(10, 0x2e);
  t.is(native.recv(b, into, 3, 7), 5);
  t.is(into.toString(), '...hello..');
  native.close(a);
  native.close(b);
});

test('recv returns -EAGAIN when nothing is queued', (t) => {
  const [a, b] = pair();
  t.is(native.recv(b, new Uint8Array(8), 0, 8), -EAGAIN);
  native.close(a);
  native.close(b);
});

test('recv returns 0 at EOF after the peer closes', (t) => {
  const [a, b] = pair();
  native.send(a, Buffer.from('last'), 0, 4, false);
  native.close(a);
  const into = new Uint8Array(16);
  t.is(native.recv(b, into, 0, 16), 4);
  t.is(native.recv(b, into, 0, 16), 0);
  native.close(b);
});

test('shutdown SHUT_WR gives the peer EOF but keeps the other direction open', (t) => {
  const [a, b] = pair();
  t.is(native.shutdown(a, SHUT_WR), 0);
  t.is(native.recv(b, new Uint8Array(4), 0, 4), 0);
  t.is(native.send(b, Buffer.from('back'), 0, 4, false), 4);
  t.is(native.recv(a, new Uint8Array(4), 0, 4), 4);
  t.is(native.shutdown(a, 99), -EINVAL);
  native.close(a);
  native.close(b);
});

test('send to a closed peer returns -EPIPE instead of raising SIGPIPE', async (t) => {
  // Node ignores SIGPIPE by default; a listener makes a stray SIGPIPE observable instead of silently ignored.
  let sigpipes = 0;
  const onSigpipe = (): void => {
    sigpipes++;
  };
  process.on('SIGPIPE', onSigpipe);
  const [a, b] = pair();
  native.close(b);
  t.is(native.send(a, Buffer.from('x'), 0, 1, false), -EPIPE);
  t.is(native.writev(a, [Buffer.from('x')], true), -EPIPE);
  native.close(a);
  await waitTurns(5);
  process.off('SIGPIPE', onSigpipe);
  t.is(sigpipes, 0);
});

test('send on a full socket writes what fits, then returns -EAGAIN', (t) => {
  const [a, b] = pair();
  const sent = fill(a);
  t.true(sent > 0);
  t.is(native.send(a, new Uint8Array(1), 0, 1, false), -EAGAIN);
  native.close(a);
  native.close(b);
});

test('send with more (MSG_MORE) still delivers the bytes', (t) => {
  const [a, b] = pair();
  t.is(native.send(a, Buffer.from('head'), 0, 4, true), 4);
  t.is(native.send(a, Buffer.from('body'), 0, 4, false), 4);
  const into = Buffer.alloc(8);
  t.is(native.recv(b, into, 0, 8), 8);
  t.is(into.toString(), 'headbody');
  native.close(a);
  native.close(b);
});

test('writev sends several buffers in order in one call', (t) => {
  const [a, b] = pair();
  const parts = [Buffer.from('HTTP/1.1 '), new Uint8Array(0), Buffer.from('200 OK\r\n'), Buffer.from('body')];
  t.is(native.writev(a, parts, false), 21);
  const into = Buffer.alloc(32);
  t.is(native.recv(b, into, 0, 32), 21);
  t.is(into.subarray(0, 21).toString(), 'HTTP/1.1 200 OK\r\nbody');
  native.close(a);
  native.close(b);
});

test('writev sends at most IOV_MAX (1,024) buffers per call and says how far it got', (t) => {
  const [a, b] = pair();
  const parts = Array.from({ length: 1100 }, (_, i) => Buffer.from([i & 0xff]));
  t.is(native.writev(a, parts, false), 1024);
  const into = Buffer.alloc(2048);
  t.is(native.recv(b, into, 0, 2048), 1024);
  t.is(into[1023], 1023 & 0xff);
  native.close(a);
  native.close(b);
});

test('writev on a full socket returns -EAGAIN', (t) => {
  const [a, b] = pair();
  fill(a);
  t.is(native.writev(a, [Buffer.from('x')], false), -EAGAIN);
  native.close(a);
  native.close(b);
});

const badArguments: Array<[string, () => number]> = [
  ['recv past the end of the buffer', () => native.recv(0, new Uint8Array(4), 2, 3)],
  ['recv at a negative offset', () => native.recv(0, new Uint8Array(4), -1, 1)],
  ['recv into a non-Uint8Array', () => native.recv(0, new Int32Array(4) as unknown as Uint8Array, 0, 1)],
  ['recv with a non-number fd', () => native.recv('3' as unknown as number, new Uint8Array(4), 0, 1)],
  ['send past the end of the buffer', () => native.send(0, new Uint8Array(4), 4, 1, false)],
  ['send a non-Uint8Array', () => native.send(0, 'text' as unknown as Uint8Array, 0, 1, false)],
  ['writev of a non-array', () => native.writev(0, Buffer.from('x') as unknown as Uint8Array[], false)],
  ['writev of an array holding a string', () => native.writev(0, ['x'] as unknown as Uint8Array[], false)],
  ['writev with a non-number fd', () => native.writev(null as unknown as number, [], false)],
  ['shutdown with a non-number how', () => native.shutdown(0, undefined as unknown as number)],
];
for (const [name, call] of badArguments) {
  test(`${name} returns -EINVAL without throwing`, (t) => {
    t.is(call(), -EINVAL);
  });
}

test('calls on a bad fd return -EBADF', (t) => {
  t.is(native.recv(987654, new Uint8Array(1), 0, 1), -EBADF);
  t.is(native.send(987654, new Uint8Array(1), 0, 1, false), -EBADF);
  t.is(native.shutdown(987654, SHUT_WR), -EBADF);
});

test('close twice is harmless and never closes a reused fd number', (t) => {
  const [a, b] = pair();
  t.is(native.close(a), 0);
  const file = openSync('/dev/null', 'r'); // the lowest free number: usually a's
  t.is(native.close(a), -EBADF);
  t.is(native.close(file), -EBADF); // never tracked by the native layer
  t.notThrows(() => fstatSync(file));
  closeSync(file);
  t.is(native.close(b), 0);
  t.is(native.close(b), -EBADF);
});

test('close of a non-number fd returns -EINVAL', (t) => {
  t.is(native.close('1' as unknown as number), -EINVAL);
});
