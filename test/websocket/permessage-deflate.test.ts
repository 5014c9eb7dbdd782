// permessage-deflate's per-message compression (RFC 7692 §7.2): interop with zlib, context takeover and its absence,
// the decompression limit (a small frame cannot inflate past maxPayloadLength), corrupt data, and pooled streams.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { constants, deflateRawSync } from 'node:zlib';
import { WebSocketError } from '../../src/websocket/close.js';
import {
  compressMessage, idleStreams, MessageCompressor, MessageDecompressor,
} from '../../src/websocket/permessage-deflate.js';
import { clientDeflater, inflateMessage } from './support/wire.js';

const TUNING = { level: 6, memLevel: 8 };
const TEXT = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(40));

function inflateAll(d: MessageDecompressor, pieces: Uint8Array[], limit = 1 << 30): Buffer {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const p of pieces) total += d.push(p, 0, p.length, parts, total, limit);
  total += d.finish(parts, total, limit);
  return Buffer.concat(parts, total);
}

test('a compressed message inflates with zlib once the tail is put back', (t) => {
  const c = new MessageCompressor(15, false, TUNING);
  const data = c.compress(TEXT);
  t.true(data.length < TEXT.length / 5);
  t.false(Buffer.from(data.subarray(-4)).equals(Buffer.from([0, 0, 0xff, 0xff])));
  t.true(inflateMessage(data).equals(TEXT));
});

test('without context takeover every message is compressed alone', (t) => {
  const c = new MessageCompressor(15, false, TUNING);
  const first = c.compress(TEXT);
  const second = c.compress(TEXT);
  t.true(Buffer.from(first).equals(Buffer.from(second)));
  t.true(inflateMessage(second).equals(TEXT));
});

test('with context takeover the second message refers back to the first', (t) => {
  const c = new MessageCompressor(15, true, TUNING);
  const first = c.compress(TEXT);
  const second = c.compress(TEXT);
  t.true(second.length < first.length / 2);
  // A client inflater that kept its window decodes both in sequence.
  const d = new MessageDecompressor(15, true);
  t.true(inflateAll(d, [first]).equals(TEXT));
  t.true(inflateAll(d, [second]).equals(TEXT));
  c.close();
  d.close();
});

test('an empty message compresses to a byte a client inflates to nothing', (t) => {
  const data = compressMessage(new Uint8Array(0), { kind: 'deflate', windowBits: 15, level: 6, memLevel: 8 });
  t.is(inflateMessage(data).length, 0);
});

test('the decompressor inflates a client stream with context takeover, message after message, in any pieces', async (t) => {
  const client = clientDeflater();
  const d = new MessageDecompressor(15, true);
  for (let i = 0; i < 4; i++) {
    const payload = await client.message(Buffer.concat([TEXT, Buffer.from(String(i))]));
    const pieces = [payload.subarray(0, 3), payload.subarray(3, 10), payload.subarray(10)];
    t.true(inflateAll(d, pieces).equals(Buffer.concat([TEXT, Buffer.from(String(i))])), `message ${i}`);
  }
  client.close();
  d.close();
});

test('without client context takeover the decompressor borrows a pooled stream per message', (t) => {
  const before = idleStreams();
  const d = new MessageDecompressor(15, false);
  const msg = deflateRawSync(TEXT, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
  t.true(inflateAll(d, [msg]).equals(TEXT));
  t.true(inflateAll(d, [msg]).equals(TEXT));
  t.true(idleStreams() >= Math.max(before, 1));
});

test('a message that inflates past the limit fails with 1009 before more than the limit is produced', (t) => {
  // 16 MiB of zeros deflates to ~16 KiB: a zip bomb against a 1 MiB limit.
  const bomb = deflateRawSync(Buffer.alloc(16 * 1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
  t.true(bomb.length < 20_000);
  const d = new MessageDecompressor(15, true);
  const parts: Uint8Array[] = [];
  const e = t.throws(() => d.push(bomb, 0, bomb.length, parts, 0, 1024 * 1024), { instanceOf: WebSocketError });
  t.is(e?.closeCode, 1009);
  t.true(parts.reduce((n, p) => n + p.length, 0) <= 1024 * 1024);
  d.close();
});

test('a message of exactly the limit inflates', (t) => {
  const data = randomBytes(100_000);
  const msg = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
  t.true(inflateAll(new MessageDecompressor(15, false), [msg], 100_000).equals(data));
  t.throws(() => inflateAll(new MessageDecompressor(15, false), [msg], 99_999), { instanceOf: WebSocketError });
});

test('corrupt compressed data fails with 1007 and the stream is not pooled again', (t) => {
  const d = new MessageDecompressor(15, false);
  const e = t.throws(() => inflateAll(d, [Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00])]), { instanceOf: WebSocketError });
  t.is(e?.code, 'BAD_COMPRESSED_DATA');
  t.is(e?.closeCode, 1007);
  d.close();
  // A fresh stream from the pool still works.
  const msg = deflateRawSync(TEXT, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
  t.true(inflateAll(new MessageDecompressor(15, false), [msg]).equals(TEXT));
});

test('a client stream that ends with a final block is restarted for the next message', (t) => {
  // deflateRawSync with Z_FINISH sets BFINAL: legal (RFC 7692 §7.2.3.4 allows any block type), and the stream ends.
  const d = new MessageDecompressor(15, true);
  const finished = deflateRawSync(TEXT);
  t.true(inflateAll(d, [finished]).equals(TEXT));
  t.true(inflateAll(d, [deflateRawSync(Buffer.from('next'))]).equals(Buffer.from('next')));
  d.close();
});

test('a smaller negotiated window still round-trips', (t) => {
  const c = new MessageCompressor(9, true, TUNING);
  const d = new MessageDecompressor(9, true);
  const big = Buffer.concat([randomBytes(2000), randomBytes(2000)]);
  t.true(inflateAll(d, [c.compress(big)]).equals(big));
  t.true(inflateAll(d, [c.compress(TEXT)]).equals(TEXT));
  c.close();
  d.close();
});
