// The frame copier: received bytes out of the receive buffer into chunks, each large frame whole in one buffer (its
// payload unmasked on the way, its key then 0), split at every offset across receives.
import test from 'ava';
import { FrameCopier, frameLengthAt, OWN_FRAME_MIN } from '../../src/websocket/frame-copier.js';
import { OP_BINARY, OP_PING, OP_TEXT } from '../../src/websocket/frame.js';
import { receive } from './support/receive.js';
import { clientFrame } from './support/wire.js';

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Runs `pieces` (each as its own receive) through one copier; returns the chunks it pushed. */
function copyAll(pieces: readonly Buffer[], maxFrame = 1 << 24): Buffer[] {
  const out: Buffer[] = [];
  const copier = new FrameCopier(maxFrame);
  for (const p of pieces) copier.copy(p, 0, p.length, { pushData: (c) => void out.push(Buffer.from(c)) });
  return out;
}

test('frameLengthAt reads the 7-, 16- and 64-bit lengths, masked or not, and wants the whole length field', (t) => {
  for (const [payload, masked] of [[5, true], [125, false], [126, true], [65535, false], [65536, true], [70000, false]] as const) {
    const frame = clientFrame(OP_BINARY, bytes(payload), { masked });
    const header = frame.length - payload;
    t.is(frameLengthAt(frame, 0, frame.length), frame.length);
    const field = payload < 126 ? 2 : payload <= 0xffff ? 4 : 10;
    for (let cut = 0; cut < field; cut++) t.is(frameLengthAt(frame, 0, cut), -1, `cut at ${cut}`);
    t.is(frameLengthAt(frame, 0, field), frame.length, `${payload} bytes, header ${header}`);
  }
});

const STREAM_PARTS = [
  clientFrame(OP_TEXT, 'hi'),
  clientFrame(OP_BINARY, bytes(OWN_FRAME_MIN + 10)),
  clientFrame(OP_PING, 'p'),
  clientFrame(OP_BINARY, bytes(300, 7)),
  clientFrame(OP_BINARY, bytes(OWN_FRAME_MIN, 3)),
];
const STREAM = Buffer.concat(STREAM_PARTS);
const LARGE = [STREAM_PARTS[1]!, STREAM_PARTS[4]!];

/** A client frame as the copier leaves a large one it unmasked: the same header with a key of 0, the payload in clear. */
function unmaskedForm(frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  const size = frame[1]! & 0x7f;
  const header = (size === 126 ? 4 : size === 127 ? 10 : 2) + 4;
  for (let i = header; i < frame.length; i++) out[i] = frame[i]! ^ frame[header - 4 + ((i - header) & 3)]!;
  out.fill(0, header - 4, header);
  return out;
}

/** Whether `got` is the stream's bytes, each large frame as sent or in its unmasked form (small ones always as sent). */
function sameStream(got: Buffer): boolean {
  if (got.length !== STREAM.length) return false;
  let at = 0;
  for (const frame of STREAM_PARTS) {
    const part = got.subarray(at, at + frame.length);
    if (!part.equals(frame) && !(LARGE.includes(frame) && part.equals(unmaskedForm(frame)))) return false;
    at += frame.length;
  }
  return true;
}

test('a stream split in two at every offset comes out byte for byte, each large frame whole in one chunk when its header was', (t) => {
  const expected = receive([STREAM]).events;
  for (let cut = 0; cut <= STREAM.length; cut++) {
    const chunks = copyAll([STREAM.subarray(0, cut), STREAM.subarray(cut)]);
    if (!sameStream(Buffer.concat(chunks))) return t.fail(`bytes differ for a cut at ${cut}`);
    let at = 0;
    for (const frame of STREAM_PARTS) {
      // A frame whose length field was all in one receive is copied whole: exactly one chunk holds it.
      const lengthField = frame.length > 0xffff ? 10 : frame.length >= 126 + 6 ? 4 : 2;
      const headerWhole = cut <= at || cut >= at + lengthField;
      // It is unmasked on the way when its key was in that receive too.
      const keyWhole = cut <= at || cut >= at + lengthField + 4;
      const whole = keyWhole ? unmaskedForm(frame) : frame;
      if (LARGE.includes(frame) && headerWhole && !chunks.some((c) => c.equals(whole))) return t.fail(`large frame at ${at} not whole for a cut at ${cut}`);
      at += frame.length;
    }
    const got = receive(chunks).events;
    if (JSON.stringify(got) !== JSON.stringify(expected)) return t.fail(`messages differ for a cut at ${cut}`);
  }
  t.pass();
});

test('a stream fed one byte per receive comes out byte for byte and reads as the same messages', (t) => {
  const pieces = Array.from(STREAM, (b) => Buffer.from([b]));
  const chunks = copyAll(pieces);
  t.true(Buffer.concat(chunks).equals(STREAM), 'a header trickling in byte by byte: every frame passes as sent');
  t.deepEqual(receive(chunks).events, receive([STREAM]).events);
});

test('a 64 KiB frame over many receives is pushed once, when complete, as one buffer of exactly its length', (t) => {
  const frame = clientFrame(OP_BINARY, bytes(64 * 1024));
  const pieces = [frame.subarray(0, 5000), frame.subarray(5000, 40_000), frame.subarray(40_000)];
  const pushed: number[] = [];
  const copier = new FrameCopier(1 << 24);
  for (const p of pieces) copier.copy(p, 0, p.length, { pushData: (c) => void pushed.push(c.length) });
  t.deepEqual(pushed, [frame.length]);
  t.true(Buffer.concat(copyAll(pieces)).equals(unmaskedForm(frame)), 'unmasked while copied, the key left as 0');
  const events = receive(copyAll(pieces)).events;
  t.deepEqual(events, [bytes(64 * 1024)]);
});

test('a frame over maxFrame is not held back: its header goes to the receiver with the first bytes (1009 at once)', (t) => {
  const frame = clientFrame(OP_BINARY, bytes(10_000));
  const first = copyAll([frame.subarray(0, 100)], 8000);
  t.is(Buffer.concat(first).length, 100);
  const r = receive(first, { maxPayloadLength: 8000 });
  t.is(r.error?.closeCode, 1009);
});

test('a large frame whose masking key is cut off between receives is copied as sent and read the same', (t) => {
  const payload = bytes(20_000, 5);
  const frame = clientFrame(OP_BINARY, payload, { mask: 0x01020304 });
  // 4 header bytes (16-bit length) are in, the key is not.
  for (const cut of [4, 5, 7]) {
    const chunks = copyAll([frame.subarray(0, cut), frame.subarray(cut)]);
    t.is(chunks.length, 1);
    t.true(chunks[0]!.equals(frame), `cut at ${cut}`);
    t.deepEqual(receive(chunks).events, [payload]);
  }
});

test('large text frames unmasked while copied are still checked as UTF-8 (1007), fragments too', (t) => {
  const bad = Buffer.alloc(OWN_FRAME_MIN + 100, 0x61);
  bad[OWN_FRAME_MIN + 50] = 0xff;
  const r = receive(copyAll([clientFrame(OP_TEXT, bad)]));
  t.is(r.error?.closeCode, 1007);
  const text = 'é'.repeat(OWN_FRAME_MIN);
  const all = Buffer.from(text);
  const cutAt = OWN_FRAME_MIN + 1; // inside a 2-byte character
  const stream = Buffer.concat([clientFrame(OP_TEXT, all.subarray(0, cutAt), { fin: false }), clientFrame(0, all.subarray(cutAt))]);
  t.deepEqual(receive(copyAll([stream.subarray(0, 3000), stream.subarray(3000)])).events, [text]);
});
