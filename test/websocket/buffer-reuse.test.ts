// Who owns a large message's bytes: by default a binary message is the app's to keep, whatever arrives later; a text
// message's frame buffer is reused; with reuseMessageBuffers a binary message is lent until its hook returns, and its
// buffer is reused only when nothing queued (on this socket or others) can still refer to it. Serial: the pool is
// process-wide, so a test running beside these would take the buffers they watch.
import test from 'ava';
import { Topics, type ServerWebSocket } from '../../src/websocket/index.js';
import { OP_BINARY, OP_TEXT } from '../../src/websocket/frame.js';
import { allocFrame, pooledFrameBytes, recycleFrame } from '../../src/websocket/frame-pool.js';
import { settle } from './support/fake-io.js';
import { start } from './support/session.js';
import { clientFrame } from './support/wire.js';

const SIZE = 8 * 1024;
const filled = (byte: number): Buffer => Buffer.alloc(SIZE, byte);

test.serial('a binary message an app keeps still holds its bytes after later large messages, text and binary', async (t) => {
  const kept: Buffer[] = [];
  const h = start({ message: (_ws, m) => void (typeof m !== 'string' && kept.push(m)) });
  h.io.push(clientFrame(OP_BINARY, filled(1)));
  await settle();
  for (let i = 0; i < 4; i++) h.io.push(clientFrame(OP_TEXT, 'x'.repeat(SIZE)), clientFrame(OP_BINARY, filled(2 + i)));
  await settle();
  t.is(kept.length, 5);
  kept.forEach((m, i) => t.true(m.equals(filled(i + 1)), `message ${i} intact`));
});

test.serial('the buffer of a large text message is reused for a later frame', async (t) => {
  const bytes: string[] = [];
  const h = start({ message: (_ws, m) => void bytes.push(String(m).slice(0, 3)) });
  h.io.push(clientFrame(OP_TEXT, 'a'.repeat(SIZE)));
  await settle();
  const pooled = pooledFrameBytes();
  t.true(pooled > 0, 'the decoded text left its frame buffer in the pool');
  for (const c of 'bcd') {
    h.io.push(clientFrame(OP_TEXT, c.repeat(SIZE)));
    await settle();
  }
  t.is(pooledFrameBytes(), pooled, 'each later frame took that buffer and gave it back: the pool did not grow');
  t.deepEqual(bytes, ['aaa', 'bbb', 'ccc', 'ddd']);
});

test.serial('reuseMessageBuffers: a lent message echoed while the socket is backlogged is never overwritten', async (t) => {
  const h = start({ reuseMessageBuffers: true, message: (ws, m) => void ws.send(m) });
  h.io.bufferedAmount = 1;
  h.io.push(clientFrame(OP_BINARY, filled(7)));
  await settle();
  const queued = h.io.refs.find((r) => r.length === SIZE)!;
  t.true(Buffer.from(queued).equals(filled(7)));
  h.io.push(clientFrame(OP_BINARY, filled(8)), clientFrame(OP_BINARY, filled(9)));
  await settle();
  t.true(Buffer.from(queued).equals(filled(7)), 'the queued payload kept its bytes');
});

test.serial('reuseMessageBuffers: without a backlog the next large message reuses the lent memory', async (t) => {
  const seen: ArrayBufferLike[] = [];
  const h = start({ reuseMessageBuffers: true, message: (ws, m) => void (typeof m !== 'string' && seen.push(m.buffer) && ws.send(m)) });
  h.io.push(clientFrame(OP_BINARY, filled(1)));
  await settle();
  h.io.push(clientFrame(OP_BINARY, filled(2)));
  await settle();
  t.is(seen.length, 2);
  t.is(seen[0], seen[1], 'one buffer served both messages');
  t.deepEqual(h.frames().map((f) => f.payload[0]), [1, 2]);
});

test.serial('reuseMessageBuffers: a lent message published to other sockets is never reused', async (t) => {
  const topics = new Topics();
  const sub = start({ topics, open: (ws) => ws.subscribe('t') });
  sub.io.bufferedAmount = 1;
  const pub = start({ topics, reuseMessageBuffers: true, message: (ws: ServerWebSocket, m) => void ws.publish('t', m) });
  pub.io.push(clientFrame(OP_BINARY, filled(3)));
  await settle();
  const delivered = sub.io.refs.find((r) => r.length === SIZE)!;
  pub.io.push(clientFrame(OP_BINARY, filled(4)), clientFrame(OP_BINARY, filled(5)));
  await settle();
  t.true(Buffer.from(delivered).equals(filled(3)), "the subscriber's queued payload kept its bytes");
});

test.serial('the frame pool takes back only whole buffers of its own sizes, once each', (t) => {
  const a = allocFrame(5000);
  t.is(a.length, 5000);
  const before = pooledFrameBytes();
  recycleFrame(a.subarray(1));
  recycleFrame(Buffer.allocUnsafe(100));
  recycleFrame(Buffer.alloc(5000));
  recycleFrame(Buffer.from(new ArrayBuffer(8192 + 64), 0, 100));
  t.is(pooledFrameBytes(), before, 'views that do not start the buffer or fill half of it, and other sizes, stay out');
  recycleFrame(a);
  recycleFrame(a);
  t.is(pooledFrameBytes(), before + a.buffer.byteLength, 'taken back once');
  const b = allocFrame(6000);
  t.is(b.buffer, a.buffer, 'the next frame of that class reuses it');
  t.is(pooledFrameBytes(), before);
});
