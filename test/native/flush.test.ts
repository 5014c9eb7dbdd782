import test from 'ava';
import { constants } from 'node:os';
import { EV_WRITABLE, FLUSH_CLOSE, FLUSH_CLOSED, FLUSH_RECORD_INT32 } from '../../src/native/index.js';
import { useHub, checkFdLeaks } from './support/event-hub.js';

const { EBADF, EINVAL, EPIPE } = constants.errno;
const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

const pair = (): [number, number] => hub.pair();

function records(...rows: Array<[number, number, number]>): Int32Array {
  const desc = new Int32Array(rows.length * FLUSH_RECORD_INT32);
  rows.forEach(([fd, offset, length], i) => desc.set([fd, offset, length, 0x7eadbeef, -1, 0], i * FLUSH_RECORD_INT32));
  return desc;
}

function drain(fd: number): Buffer {
  const into = Buffer.alloc(1 << 20);
  const chunks: Buffer[] = [];
  for (let n = native.recv(fd, into, 0, into.length); n > 0; n = native.recv(fd, into, 0, into.length)) {
    chunks.push(Buffer.from(into.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

test('flush sends every record of one buffer to its fd and writes back the bytes sent', (t) => {
  const [a1, b1] = pair();
  const [a2, b2] = pair();
  const buf = Buffer.from('AAABBBBcc');
  const desc = records([a1, 0, 3], [a2, 3, 4], [a1, 7, 2]);
  t.is(native.flush(buf, desc, 3), 0);
  t.deepEqual([desc[3], desc[9], desc[15]], [3, 4, 2]);
  t.is(drain(b1).toString(), 'AAAcc');
  t.is(drain(b2).toString(), 'BBBB');
  for (const fd of [a1, b1, a2, b2]) native.close(fd);
});

test('a lone record marked FLUSH_CLOSE is sent whole, then its fd is closed in the same call (peer: bytes, then EOF)', (t) => {
  const [a1, b1] = pair();
  const [a2, b2] = pair();
  const buf = Buffer.from('last responseother');
  const desc = records([a1, 0, 13], [a2, 13, 5]);
  desc[5] = FLUSH_CLOSE;
  t.is(native.flush(buf, desc, 2), 0);
  t.deepEqual([desc[3], desc[5], desc[9], desc[11]], [13, FLUSH_CLOSED, 5, 0]);
  t.is(drain(b1).toString(), 'last response');
  t.is(native.recv(b1, Buffer.alloc(8), 0, 8), 0, 'EOF: a1 is closed');
  t.is(native.close(a1), -EBADF, 'already closed natively: never closed twice');
  t.is(drain(b2).toString(), 'other');
  for (const fd of [b1, a2, b2]) native.close(fd);
});

test('FLUSH_CLOSE on a chain head is ignored: the fd stays open', (t) => {
  const [a1, b1] = pair();
  const buf = Buffer.from('AAB');
  const desc = records([a1, 0, 2], [a1, 2, 1]);
  desc.set([1, FLUSH_CLOSE], 4);
  desc.set([-1, 1], FLUSH_RECORD_INT32 + 4);
  t.is(native.flush(buf, desc, 2), 0);
  t.not(desc[5], FLUSH_CLOSED);
  t.is(drain(b1).toString(), 'AAB');
  t.is(native.close(a1), 0);
  native.close(b1);
});

test('a chain of one fd\'s records goes out in order with its head, each record getting its own count', (t) => {
  const [a1, b1] = pair();
  const [a2, b2] = pair();
  const buf = Buffer.from('AAABBBBccD');
  // a1's records 0, 2 and 3 chained (next, follows), a2's record 1 alone.
  const desc = records([a1, 0, 3], [a2, 3, 4], [a1, 7, 2], [a1, 9, 1]);
  desc.set([2, 0], 4);
  desc.set([3, 1], 2 * FLUSH_RECORD_INT32 + 4);
  desc.set([-1, 2], 3 * FLUSH_RECORD_INT32 + 4);
  t.is(native.flush(buf, desc, 4), 0);
  t.deepEqual([desc[3], desc[9], desc[15], desc[21]], [3, 4, 2, 1]);
  t.is(drain(b1).toString(), 'AAAccD');
  t.is(drain(b2).toString(), 'BBBB');
  for (const fd of [a1, b1, a2, b2]) native.close(fd);
});

test('flush reports bad records in their result slot and still sends the good ones', (t) => {
  const [a, b] = pair();
  const [c, d] = pair();
  native.close(d);
  const buf = Buffer.from('hello');
  const desc = records([a, 3, 9], [987654, 0, 1], [c, 0, 1], [a, 0, 5]);
  t.is(native.flush(buf, desc, 4), 3);
  t.deepEqual([desc[3], desc[9], desc[15], desc[21]], [-EINVAL, -EBADF, -EPIPE, 5]);
  t.is(drain(b).toString(), 'hello');
  for (const fd of [a, b, c]) native.close(fd);
});

test('flush only looks at the first count records', (t) => {
  const [a, b] = pair();
  const desc = records([a, 0, 1], [a, 1, 1]);
  t.is(native.flush(Buffer.from('xy'), desc, 1), 0);
  t.is(desc[9], 0x7eadbeef);
  t.is(drain(b).toString(), 'x');
  t.is(native.flush(Buffer.from('xy'), desc, 0), 0);
  native.close(a);
  native.close(b);
});

test('a short flush record arms EV_WRITABLE by itself', async (t) => {
  const [a, b] = pair();
  const big = new Uint8Array(4 << 20);
  const desc = records([a, 0, big.length]);
  t.is(native.flush(big, desc, 1), 1);
  const sent = desc[3]!;
  t.true(sent > 0 && sent < big.length, `sent ${sent}`);
  // Full now: a second record sends nothing, which is reported as 0 (EAGAIN), not an error.
  const again = records([a, sent, big.length - sent]);
  t.is(native.flush(big, again, 1), 1);
  t.is(again[3], 0);
  t.is(drain(b).length, sent);
  const event = await hub.next(a);
  t.is(event.kind, EV_WRITABLE);
  native.close(a);
  native.close(b);
});

test('a FLUSH_CLOSE record the socket cannot take whole leaves the fd open and armed, for the rest to follow', async (t) => {
  const [a, b] = pair();
  const big = new Uint8Array(4 << 20).fill(7);
  const desc = records([a, 0, big.length]);
  desc[5] = FLUSH_CLOSE;
  t.is(native.flush(big, desc, 1), 1);
  const sent = desc[3]!;
  t.true(sent > 0 && sent < big.length, `sent ${sent}`);
  t.not(desc[5], FLUSH_CLOSED);
  t.is(drain(b).length, sent);
  t.is((await hub.next(a)).kind, EV_WRITABLE, 'still open and waiting to send the rest');
  t.is(native.close(a), 0);
  native.close(b);
});

const badFlushes: Array<[string, () => number]> = [
  ['a count larger than the records', () => native.flush(Buffer.alloc(1), new Int32Array(FLUSH_RECORD_INT32), 2)],
  ['a negative count', () => native.flush(Buffer.alloc(1), new Int32Array(4), -1)],
  ['a Uint32Array of records', () => native.flush(Buffer.alloc(1), new Uint32Array(4) as unknown as Int32Array, 1)],
  ['a non-Uint8Array buffer', () => native.flush([] as unknown as Uint8Array, new Int32Array(4), 1)],
  ['a non-number count', () => native.flush(Buffer.alloc(1), new Int32Array(4), null as unknown as number)],
];
for (const [name, call] of badFlushes) {
  test(`flush rejects ${name} with -EINVAL`, (t) => {
    t.is(call(), -EINVAL);
  });
}
