import test from 'ava';
import { constants } from 'node:os';
import { EV_DATA, EV_EOF, EV_ERROR, EV_NONE, EV_WRITABLE } from '../../src/native/index.js';
import { useHub, waitTurns, checkFdLeaks } from './support/event-hub.js';

const { EAGAIN, EBADF, EINVAL } = constants.errno;
const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

const pair = (): [number, number] => hub.pair();

test('watch delivers received bytes as EV_DATA without a recv call from JS', async (t) => {
  const [a, b] = pair();
  t.is(native.watch(b), 0);
  native.send(a, Buffer.from('ping'), 0, 4, false);
  const event = await hub.next(b);
  t.is(event.kind, EV_DATA);
  t.is(event.b, 4);
  t.is(event.data?.toString(), 'ping');
  native.close(a);
  native.close(b);
});

test('EV_EOF arrives once when the peer closes, and reading stops', async (t) => {
  const [a, b] = pair();
  native.watch(b);
  native.close(a);
  const event = await hub.next(b);
  t.is(event.kind, EV_EOF);
  await waitTurns(5);
  t.is(hub.pending(b), 0); // level-triggered EOF would repeat every turn if reading went on
  native.close(b);
});

test('data queued before the peer closed arrives before EV_EOF', async (t) => {
  const [a, b] = pair();
  native.send(a, Buffer.from('bye'), 0, 3, false);
  native.close(a);
  native.watch(b);
  const { data, end } = await hub.read(b, 100);
  t.is(data.toString(), 'bye');
  t.is(end?.kind, EV_EOF);
  native.close(b);
});

test('a peer that resets the connection gives EV_ERROR with -ECONNRESET', async (t) => {
  const [a, b] = pair();
  native.watch(b);
  // Unread bytes on close make an AF_UNIX stream reset its peer.
  native.send(b, Buffer.from('unread'), 0, 6, false);
  native.send(a, Buffer.from('x'), 0, 1, false);
  await hub.next(b); // the 'x'
  native.close(a);
  const event = await hub.next(b);
  t.is(event.kind, EV_ERROR);
  t.is(event.a, -constants.errno.ECONNRESET);
  native.close(b);
});

test('setReading(false) holds data back until setReading(true)', async (t) => {
  const [a, b] = pair();
  native.watch(b);
  t.is(native.setReading(b, false), 0);
  native.send(a, Buffer.from('held'), 0, 4, false);
  await waitTurns(5);
  t.is(hub.pending(b), 0);
  t.is(native.setReading(b, true), 0);
  const event = await hub.next(b);
  t.is(event.data?.toString(), 'held');
  native.close(a);
  native.close(b);
});

test('wantWritable delivers one EV_WRITABLE after the peer drains a full socket', async (t) => {
  const [a, b] = pair();
  const chunk = new Uint8Array(65536);
  let queued = 0;
  for (let n = 0; n >= 0; n = native.send(a, chunk, 0, chunk.length, false)) queued += n;
  t.is(native.wantWritable(a), 0);
  await waitTurns(3);
  t.is(hub.pending(a), 0); // still full: no event yet
  const sink = new Uint8Array(1 << 20);
  for (let n = 1; n > 0; ) n = native.recv(b, sink, 0, sink.length);
  const event = await hub.next(a);
  t.is(event.kind, EV_WRITABLE);
  t.true(native.send(a, chunk, 0, 1, false) === 1);
  await waitTurns(3);
  t.is(hub.pending(a), 0); // one-shot
  t.true(queued > 0);
  native.close(a);
  native.close(b);
});

test('wantWritable on a writable socket fires on the next turn', async (t) => {
  const [a, b] = pair();
  native.wantWritable(a);
  const event = await hub.next(a);
  t.is(event.kind, EV_WRITABLE);
  native.close(a);
  native.close(b);
});

test('data and EV_WRITABLE for one fd can arrive in the same turn', async (t) => {
  const [a, b] = pair();
  native.watch(a);
  native.send(b, Buffer.from('in'), 0, 2, false);
  native.wantWritable(a);
  const kinds = [(await hub.next(a)).kind, (await hub.next(a)).kind].sort();
  t.deepEqual(kinds, [EV_DATA, EV_WRITABLE].sort());
  native.close(a);
  native.close(b);
});

test('watch twice on the same fd is harmless', (t) => {
  const [a, b] = pair();
  t.is(native.watch(a), 0);
  t.is(native.watch(a), 0); // already watched: same state
  t.is(native.recv(a, new Uint8Array(1), 0, 1), -EAGAIN);
  native.close(a);
  native.close(b);
});

test('per-fd calls on untracked fds return -EBADF', (t) => {
  t.is(native.setReading(987654, true), -EBADF);
  t.is(native.wantWritable(987654), -EBADF);
  t.is(native.setRef(987654, false), -EBADF);
  t.is(native.close(987654), -EBADF);
  t.is(native.stopAccepting(987654), -EBADF);
});

test('per-fd calls with a non-number fd return -EINVAL', (t) => {
  t.is(native.watch('x' as unknown as number), -EINVAL);
  t.is(native.watch(-1), -EINVAL);
  t.is(native.setReading(undefined as unknown as number, true), -EINVAL);
  t.is(native.startAccepting(-1), -EINVAL);
  t.is(native.stopAccepting('x' as unknown as number), -EINVAL);
});

test('watch on a bad fd number fails with -EBADF and leaves nothing tracked', (t) => {
  t.is(native.watch(987654), -EBADF);
  t.is(native.close(987654), -EBADF);
});

test('setRef toggles on a tracked fd', (t) => {
  const [a, b] = pair();
  native.watch(a);
  t.is(native.setRef(a, false), 0);
  t.is(native.setRef(a, true), 0);
  native.close(a);
  native.close(b);
});

test('a second init in the same JS environment throws ERR_SLUICE_INIT_TWICE', (t) => {
  const error = t.throws(() => native.init(() => undefined, new Int32Array(4), new Uint8Array(1)));
  t.is((error as NodeJS.ErrnoException).code, 'ERR_SLUICE_INIT_TWICE');
});

test.serial('close during a batch voids the rest of that batch for the fd', async (t) => {
  const [a, b] = pair();
  native.watch(a);
  native.send(b, Buffer.from('in'), 0, 2, false);
  native.wantWritable(a); // writable and readable: two records for a in one batch
  hub.onRecord = (event) => {
    if (event.fd === a && event.kind !== EV_NONE) {
      hub.onRecord = null;
      t.is(native.close(a), 0);
    }
  };
  const first = await hub.next(a);
  const second = await hub.next(a);
  t.is(first.kind, EV_WRITABLE);
  t.is(second.kind, EV_NONE);
  native.close(b);
});
