import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EV_WRITABLE, SHUT_WR } from '../../src/native/index.js';
import { countOpenFds, useHub } from './support/event-hub.js';

const { EAGAIN, EBADF, EINVAL } = constants.errno;
const hub = useHub();
const native = hub.native;
const dir = mkdtempSync(join(tmpdir(), 'sluice-sendfile-'));
let fdsBefore = 0;

test.before(() => {
  fdsBefore = countOpenFds();
});
test.after.always('no fd leaks', (t) => {
  t.is(countOpenFds(), fdsBefore);
  rmSync(dir, { recursive: true, force: true });
});

const pair = (): [number, number] => hub.pair();

function fileWith(name: string, text: string): number {
  const fd = openSync(join(dir, name), 'w+');
  writeSync(fd, text);
  return fd;
}

test('sendfile sends count bytes from the offset', (t) => {
  const [a, b] = pair();
  const file = fileWith('small', 'abcdefghij');
  t.is(native.sendfile(a, file, 3, 4), 4);
  const into = Buffer.alloc(16);
  t.is(native.recv(b, into, 0, 16), 4);
  t.is(into.subarray(0, 4).toString(), 'defg');
  t.is(native.sendfile(a, file, 8, 100), 2); // stops at EOF
  t.is(native.sendfile(a, file, 0, 0), 0);
  closeSync(file);
  native.close(a);
  native.close(b);
});

test('sendfile at or past EOF returns 0, also for offsets past 2^32', (t) => {
  const [a, b] = pair();
  const file = fileWith('eof', 'abc');
  t.is(native.sendfile(a, file, 3, 10), 0);
  t.is(native.sendfile(a, file, 100, 10), 0);
  t.is(native.sendfile(a, file, 2 ** 33, 10), 0);
  closeSync(file);
  native.close(a);
  native.close(b);
});

test('sendfile rejects negative numbers and non-numbers with -EINVAL and bad fds with -EBADF', (t) => {
  const [a, b] = pair();
  const file = fileWith('bad', 'abc');
  t.is(native.sendfile(a, file, -1, 1), -EINVAL);
  t.is(native.sendfile(a, file, 0, -1), -EINVAL);
  t.is(native.sendfile(a, file, '0' as unknown as number, 1), -EINVAL);
  t.is(native.sendfile(a, 987654, 0, 1), -EBADF);
  closeSync(file);
  native.close(a);
  native.close(b);
});

test('a 100 MiB sendfile to a slow reader delivers every byte', async (t) => {
  const size = 100 << 20;
  const path = join(dir, 'big');
  const expected = createHash('sha256');
  const writer = openSync(path, 'w');
  for (let written = 0; written < size; written += 1 << 20) {
    const block = randomBytes(1 << 20);
    expected.update(block);
    writeSync(writer, block);
  }
  closeSync(writer);

  const listener = native.listen('127.0.0.1', 0, 0, false);
  native.startAccepting(listener);
  const client = connect({ host: '127.0.0.1', port: native.localPort(listener) });
  const received = createHash('sha256');
  let receivedBytes = 0;
  let chunks = 0;
  client.on('data', (chunk: Buffer) => {
    received.update(chunk);
    receivedBytes += chunk.length;
    if (++chunks % 16 === 0) {
      client.pause(); // a slow reader: the server must see EAGAIN and wait for writability
      setTimeout(() => client.resume(), 1);
    }
  });
  const ended = once(client, 'end');
  const conn = (await hub.next(listener)).fd;

  const file = openSync(path, 'r');
  let offset = 0;
  let waits = 0;
  while (offset < size) {
    const n = native.sendfile(conn, file, offset, size - offset);
    if (n > 0) {
      offset += n;
    } else if (n === -EAGAIN) {
      waits++;
      native.wantWritable(conn);
      t.is((await hub.next(conn)).kind, EV_WRITABLE);
    } else {
      t.fail(`sendfile returned ${n} at ${offset}`);
      break;
    }
  }
  native.shutdown(conn, SHUT_WR);
  await ended;
  t.true(waits > 0, 'the reader was slow enough to fill the socket');
  t.is(receivedBytes, size);
  t.is(received.digest('hex'), expected.digest('hex'));
  closeSync(file);
  client.destroy();
  native.close(conn);
  native.close(listener);
});
