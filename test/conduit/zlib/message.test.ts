// Deflater and Inflater: raw deflate a message at a time, as WebSocket's permessage-deflate (RFC 7692) uses it:
// the 00 00 ff ff tail, context takeover and its reset, every window size, fragments, limits and the RFC's examples.
import test from 'ava';
import * as zlib from 'node:zlib';
import { ConduitError, Deflater, Inflater, SYNC_FLUSH_TAIL, ZlibError } from '../../../src/conduit/index.js';
import { noise, recordingPool, sample } from './fixtures.js';

const TAIL = Buffer.from(SYNC_FLUSH_TAIL);

/** What a permessage-deflate sender puts on the wire: the message without its 00 00 ff ff tail (RFC 7692 §7.2.1). */
function payloadOf(deflated: Buffer): Buffer {
  return deflated.subarray(0, deflated.byteLength - 4);
}

test('a deflated message ends in 00 00 ff ff, and node inflates it with that tail', (t) => {
  const tx = new Deflater();
  for (const m of ['Hello', '', 'Hello', sample(100_000).toString()]) {
    const out = tx.deflateMessage(Buffer.from(m));
    t.deepEqual(out.subarray(-4), TAIL, JSON.stringify(m.slice(0, 10)));
  }
  const fresh = new Deflater();
  const one = fresh.deflateMessage(Buffer.from('abc'));
  t.is(zlib.inflateRawSync(one, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString(), 'abc');
  tx.close();
  fresh.close();
});

test('RFC 7692 §7.2.3: "Hello" compresses to the example bytes, and the second one reuses the window', (t) => {
  const tx = new Deflater();
  t.deepEqual([...payloadOf(tx.deflateMessage(Buffer.from('Hello')))], [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
  t.deepEqual([...payloadOf(tx.deflateMessage(Buffer.from('Hello')))], [0xf2, 0x00, 0x11, 0x00, 0x00]);
  const rx = new Inflater();
  t.is(rx.inflateMessage(Buffer.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])).toString(), 'Hello');
  t.is(rx.inflateMessage(Buffer.from([0xf2, 0x00, 0x11, 0x00, 0x00])).toString(), 'Hello');
  // §7.2.3.3: a message in a stored (uncompressed) block; §7.2.3.6: the empty message as a single 0x00.
  t.is(new Inflater().inflateMessage(Buffer.from([0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00])).toString(), 'Hello');
  t.is(new Inflater().inflateMessage(Buffer.from([0x00])).byteLength, 0);
});

test('an empty message is the single byte 00 on the wire, whether or not anything went before', (t) => {
  const tx = new Deflater();
  const rx = new Inflater();
  for (const m of ['', 'x', '', '']) {
    const payload = payloadOf(tx.deflateMessage(Buffer.from(m)));
    if (m === '') t.deepEqual([...payload], [0x00]);
    t.is(rx.inflateMessage(payload).toString(), m);
  }
});

for (let windowBits = 8; windowBits <= 15; windowBits++) {
  test(`windowBits ${windowBits}: messages round-trip under context takeover, and repeats shrink`, (t) => {
    const tx = new Deflater({ windowBits });
    const rx = new Inflater({ windowBits });
    const message = sample(3000, windowBits);
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const payload = payloadOf(tx.deflateMessage(message));
      sizes.push(payload.byteLength);
      t.true(rx.inflateMessage(payload).equals(message));
    }
    // Taking over the context pays off once the message fits the window.
    if (windowBits >= 12) t.true(sizes[1]! < sizes[0]! / 4, String(sizes));
    tx.close();
    rx.close();
  });
}

test('noContextTakeover: every message compresses alone and decodes with a fresh inflater', (t) => {
  const tx = new Deflater({ noContextTakeover: true });
  const message = sample(2000);
  const payloads = [0, 1, 2].map(() => payloadOf(tx.deflateMessage(message)));
  t.deepEqual(payloads[1], payloads[0]);
  t.deepEqual(payloads[2], payloads[0]);
  for (const p of payloads) t.true(new Inflater().inflateMessage(p).equals(message));
  const rx = new Inflater({ noContextTakeover: true });
  for (const p of payloads) t.true(rx.inflateMessage(p).equals(message));
});

test('reset() forgets the context on demand, on both sides', (t) => {
  const tx = new Deflater();
  const message = sample(2000);
  const first = payloadOf(tx.deflateMessage(message));
  tx.reset();
  t.deepEqual(payloadOf(tx.deflateMessage(message)), first);
  const rx = new Inflater();
  t.true(rx.inflateMessage(first).equals(message));
  rx.reset();
  t.true(rx.inflateMessage(first).equals(message));
});

test('a message written in fragments, and inflated in fragments, comes out whole', (t) => {
  const tx = new Deflater();
  const message = noise(50_000);
  const parts = [tx.write(message.subarray(0, 20_000)), tx.write(message.subarray(20_000)), tx.write(new Uint8Array(0)), tx.flush()];
  const deflated = Buffer.concat(parts);
  t.deepEqual(deflated.subarray(-4), TAIL);
  const rx = new Inflater();
  const payload = payloadOf(deflated);
  const out = Buffer.concat([rx.write(payload.subarray(0, 7)), rx.write(payload.subarray(7, 30_000)), rx.write(payload.subarray(30_000)), rx.endMessage()]);
  t.true(out.equals(message));
  t.deepEqual([...payloadOf(tx.flush())], [0x00]);
});

test('maxBytes caps each message\'s decoded size with ConduitError TOO_LARGE, rethrown until reset()', (t) => {
  const tx = new Deflater();
  const rx = new Inflater({ maxBytes: 10_000 });
  t.is(rx.inflateMessage(payloadOf(tx.deflateMessage(Buffer.alloc(6000)))).byteLength, 6000);
  t.is(rx.inflateMessage(payloadOf(tx.deflateMessage(Buffer.alloc(6000)))).byteLength, 6000); // the cap is per message
  const bomb = payloadOf(tx.deflateMessage(Buffer.alloc(10 << 20)));
  t.true(bomb.byteLength < 20_000);
  const e = t.throws(() => rx.inflateMessage(bomb), { instanceOf: ConduitError });
  t.is(e?.code, 'TOO_LARGE');
  t.throws(() => rx.write(Buffer.from([0x00])), { is: e });
  rx.reset();
  t.is(rx.inflateMessage(payloadOf(new Deflater().deflateMessage(Buffer.from('ok')))).toString(), 'ok');
});

test('a corrupt payload throws ZlibError, rethrown until reset() gives the inflater a fresh stream', (t) => {
  const rx = new Inflater();
  const e = t.throws(() => rx.inflateMessage(Buffer.from([0xff, 0xff, 0xff])), { instanceOf: ZlibError });
  t.is(e?.code, 'Z_DATA_ERROR');
  t.throws(() => rx.inflateMessage(Buffer.from([0x00])), { is: e });
  rx.reset();
  t.is(rx.inflateMessage(payloadOf(new Deflater().deflateMessage(Buffer.from('again')))).toString(), 'again');
});

test('without context takeover, a pool lends each message an engine and takes it back at its end', (t) => {
  const log: string[] = [];
  const pool = recordingPool(log);
  const tx = new Deflater({ noContextTakeover: true, pool });
  const rx = new Inflater({ noContextTakeover: true, pool });
  t.deepEqual(log, []); // an idle connection holds no zlib state
  for (const m of ['one', 'two']) t.is(rx.inflateMessage(payloadOf(tx.deflateMessage(Buffer.from(m)))).toString(), m);
  t.deepEqual(log, ['+deflate', '-deflate', '+inflate-raw', '-inflate-raw', '+deflate', '-deflate', '+inflate-raw', '-inflate-raw']);
  log.length = 0;
  tx.write(Buffer.from('fragment'));
  tx.close();
  rx.write(payloadOf(new Deflater().deflateMessage(Buffer.from('half'))));
  rx.reset();
  rx.close();
  t.deepEqual(log, ['+deflate', '-deflate', '+inflate-raw', '-inflate-raw']);
  // With context takeover the history must persist: the pool is not used.
  const kept = new Deflater({ pool });
  kept.deflateMessage(Buffer.from('x'));
  kept.close();
  t.is(log.length, 4);
});

test('a peer that ends a message with a final block (BFINAL) starts a new stream with the next one', (t) => {
  const rx = new Inflater();
  t.is(rx.inflateMessage(zlib.deflateRawSync('first message')).toString(), 'first message');
  t.is(rx.inflateMessage(zlib.deflateRawSync('second message')).toString(), 'second message');
  const tx = new Deflater();
  t.is(rx.inflateMessage(payloadOf(tx.deflateMessage(Buffer.from('then a flushed one')))).toString(), 'then a flushed one');
});

test('options are checked', (t) => {
  t.throws(() => new Deflater({ windowBits: 16 }), { instanceOf: RangeError });
  t.throws(() => new Deflater({ level: -1 }), { instanceOf: RangeError });
  t.throws(() => new Inflater({ windowBits: 7 }), { instanceOf: RangeError });
});
