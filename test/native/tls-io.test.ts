// Data over native TLS both ways, in small and large pieces: EV_DATA is plaintext, send/writev/flush/sendfile
// encrypt, and a short write's rest, resubmitted on EV_WRITABLE, arrives once and in order (no byte encrypted twice).
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants } from 'node:os';
import { EV_EOF, EV_WRITABLE, FLUSH_RECORD_INT32 } from '../../src/native/index.js';
import { checkFdLeaks, useHub } from './support/event-hub.js';
import { collect, connectRaw, connectTls, Dispatcher, echo, useTlsListener } from './support/tls-harness.js';

const { EAGAIN } = constants.errno;
const hub = useHub();
const native = hub.native;
checkFdLeaks(test);
const dispatcher = new Dispatcher(hub);

const { listener } = useTlsListener(test, hub);
const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-io-'));

test.after.always(() => {
  rmSync(dir, { recursive: true, force: true });
});

function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function accept(): Promise<number> {
  const event = await hub.next(listener.fd);
  return event.fd;
}

test.serial('many small writes are echoed back in order', async (t) => {
  const client = await connectTls(listener.port);
  const fd = await accept();
  const { ended } = echo(hub, dispatcher, fd);
  const received: Buffer[] = [];
  client.on('data', (chunk: Buffer) => received.push(chunk));
  let expected = '';
  for (let i = 0; i < 200; i++) {
    const piece = `piece ${i};`;
    expected += piece;
    client.write(piece);
  }
  while (Buffer.concat(received).length < expected.length) await once(client, 'data');
  t.is(Buffer.concat(received).toString(), expected);
  client.end();
  t.is(await ended, EV_EOF, "the client's close_notify reads as EV_EOF");
  dispatcher.off(fd);
  native.close(fd);
  await once(client, 'close');
});

test.serial('8 MiB each way at once: echoed intact while both sides are busy', async (t) => {
  const client = await connectTls(listener.port);
  const fd = await accept();
  const { writer } = echo(hub, dispatcher, fd);
  const payload = randomBytes(8 << 20);
  const received: Buffer[] = [];
  let length = 0;
  const done = new Promise<void>((resolve) => {
    client.on('data', (chunk: Buffer) => {
      received.push(chunk);
      length += chunk.length;
      if (length >= payload.length) resolve();
    });
  });
  for (let at = 0; at < payload.length; at += 100_000) client.write(payload.subarray(at, at + 100_000));
  await done;
  t.is(sha(Buffer.concat(received)), sha(payload));
  t.is(writer.error, 0);
  dispatcher.off(fd);
  client.destroy();
  native.close(fd);
});

test.serial('a paused reader makes sends short; resubmitting the rest on EV_WRITABLE delivers every byte once', async (t) => {
  const client = await connectTls(listener.port);
  const fd = await accept();
  client.pause();
  const { writer } = echo(hub, dispatcher, fd);
  const payload = randomBytes(6 << 20);
  writer.write(payload);
  // Wait until the socket is full: the writer is holding bytes back, and native holds ciphertext for them.
  while (writer.queued === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  t.true(writer.results.some((n) => n >= 0 && n < payload.length) || writer.results.includes(-EAGAIN));
  t.true(native.tlsStats().pendingBytes > 0, 'ciphertext the kernel refused waits natively');
  const all = collect(client);
  client.resume();
  await writer.drained();
  t.is(native.tlsStats().pendingBytes, 0);
  native.shutdown(fd, 1);
  const { data } = await all;
  t.is(data.length, payload.length);
  t.is(sha(data), sha(payload));
  dispatcher.off(fd);
  native.close(fd);
});

test.serial('writev encrypts several buffers as one stream', async (t) => {
  const client = await connectTls(listener.port);
  const fd = await accept();
  const parts = [Buffer.from('alpha-'), randomBytes(300_000), Buffer.from('-omega')];
  const all = collect(client);
  let sent = native.writev(fd, parts, false);
  const whole = Buffer.concat(parts);
  while (sent < whole.length) {
    native.wantWritable(fd);
    const event = await hub.next(fd);
    t.is(event.kind, EV_WRITABLE);
    const n = native.send(fd, whole, sent, whole.length - sent, false);
    if (n > 0) sent += n;
  }
  native.shutdown(fd, 1);
  const { data } = await all;
  t.is(sha(data), sha(whole));
  native.close(fd);
});

test.serial('flush encrypts each record for its own connection in one crossing', async (t) => {
  const a = await connectTls(listener.port);
  const fdA = await accept();
  const b = await connectTls(listener.port);
  const fdB = await accept();
  const out = Buffer.from('to-a|to-b|more-a');
  const desc = new Int32Array(3 * FLUSH_RECORD_INT32);
  desc.set([fdA, 0, 5, 0, -1, 0, fdB, 5, 5, 0, -1, 0, fdA, 10, 6, 0, -1, 0]);
  const fromA = collect(a);
  const fromB = collect(b);
  t.is(native.flush(out, desc, 3), 0);
  t.deepEqual([desc[3], desc[9], desc[15]], [5, 5, 6]);
  native.shutdown(fdA, 1);
  native.shutdown(fdB, 1);
  t.is((await fromA).data.toString(), 'to-a|more-a');
  t.is((await fromB).data.toString(), 'to-b|');
  native.close(fdA);
  native.close(fdB);
});

test.serial('sendfile over TLS sends a file range intact, waiting on EAGAIN like sendfile(2)', async (t) => {
  const file = randomBytes(5 * 1024 * 1024 + 123);
  const path = join(dir, 'file.bin');
  writeFileSync(path, file);
  const inFd = openSync(path, 'r');
  const client = await connectTls(listener.port);
  const fd = await accept();
  client.pause();
  const all = collect(client);
  const start = 1000;
  const end = file.length - 77;
  let pos = start;
  let sawAgain = false;
  while (pos < end) {
    const n = native.sendfile(fd, inFd, pos, end - pos);
    if (n > 0) {
      t.true(n <= 1024 * 1024, 'at most 1 MiB per call');
      pos += n;
    } else if (n === -EAGAIN) {
      sawAgain = true;
      client.resume();
      native.wantWritable(fd);
      t.is((await hub.next(fd)).kind, EV_WRITABLE);
    } else {
      t.fail(`sendfile returned ${n}`);
      break;
    }
  }
  t.true(sawAgain, 'the paused client filled the socket');
  t.is(native.sendfile(fd, inFd, file.length, 10), 0, 'at EOF: 0');
  native.shutdown(fd, 1);
  const { data } = await all;
  t.is(sha(data), sha(file.subarray(start, end)));
  closeSync(inFd);
  native.close(fd);
});

test.serial('a send after the peer reset the connection fails with an errno, never a crash', async (t) => {
  const tcp = await connectRaw(listener.port);
  const client = await connectTls(listener.port, { socket: tcp });
  const fd = await accept();
  tcp.resetAndDestroy();
  await once(client, 'close');
  const big = randomBytes(1 << 20);
  let result = 0;
  for (let i = 0; i < 20 && result >= 0; i++) {
    result = native.send(fd, big, 0, big.length, false);
    if (result === -EAGAIN) result = 0;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  t.true(result < 0, `send failed (${result})`);
  native.close(fd);
});
