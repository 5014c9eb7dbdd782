// The receiving conduit (RFC 6455 §5-§6): messages, fragmentation with control frames between fragments, the
// control-frame rules, masking, limits and UTF-8, each failing at the first chunk that shows the problem.
import test from 'ava';
import { constants, deflateRawSync } from 'node:zlib';
import { OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT } from '../../src/websocket/frame.js';
import { MessageDecompressor } from '../../src/websocket/permessage-deflate.js';
import { receive } from './support/receive.js';
import { clientFrame, closePayload } from './support/wire.js';

const cat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);

test('a text frame and a binary frame become a string and a Buffer', (t) => {
  const r = receive([cat(clientFrame(OP_TEXT, 'héllo'), clientFrame(OP_BINARY, Buffer.from([1, 2, 3])))]);
  t.is(r.error, null);
  t.deepEqual(r.events, ['héllo', Buffer.from([1, 2, 3])]);
});

test('empty messages are an empty string and an empty Buffer', (t) => {
  t.deepEqual(receive([clientFrame(OP_TEXT, ''), clientFrame(OP_BINARY, '')]).events, ['', Buffer.alloc(0)]);
});

test('a message that arrived whole is a view of the received chunk, not a copy', (t) => {
  const chunk = Uint8Array.from(clientFrame(OP_BINARY, Buffer.alloc(300, 7)));
  let message: Buffer | null = null;
  const r = receive([chunk]);
  message = r.events[0] as Buffer;
  t.is(message.length, 300);
  t.is(message.byteOffset % 1, 0);
  t.true(message.buffer.byteLength >= chunk.length);
  t.true(message.every((b) => b === 7));
});

test('fragments join into one message, with a ping and a pong between them', (t) => {
  const r = receive([cat(
    clientFrame(OP_TEXT, 'frag', { fin: false }),
    clientFrame(OP_PING, 'p1'),
    clientFrame(OP_CONTINUATION, 'men', { fin: false }),
    clientFrame(OP_PONG, 'p2'),
    clientFrame(OP_CONTINUATION, 'ted'),
  )]);
  t.deepEqual(r.events, [
    { kind: 'ping', data: Buffer.from('p1') },
    { kind: 'pong', data: Buffer.from('p2') },
    'fragmented',
  ]);
});

test('a multi-byte character split between fragments is valid', (t) => {
  const euro = Buffer.from('€');
  const r = receive([cat(clientFrame(OP_TEXT, euro.subarray(0, 1), { fin: false }), clientFrame(OP_CONTINUATION, euro.subarray(1)))]);
  t.deepEqual(r.events, ['€']);
});

test('empty fragments are allowed anywhere in a message', (t) => {
  const r = receive([cat(clientFrame(OP_BINARY, '', { fin: false }), clientFrame(OP_CONTINUATION, 'ab', { fin: false }), clientFrame(OP_CONTINUATION, ''))]);
  t.deepEqual(r.events, [Buffer.from('ab')]);
});

test('a close frame comes out and nothing after it is read', (t) => {
  const r = receive([clientFrame(OP_CLOSE, closePayload(1000, 'done')), clientFrame(OP_TEXT, 'late')]);
  t.deepEqual(r.events, [{ kind: 'close', code: 1000, reason: 'done' }]);
  t.is(r.pulled, 1);
});

test('a close frame in the middle of a fragmented message ends the reading', (t) => {
  const r = receive([cat(clientFrame(OP_TEXT, 'a', { fin: false }), clientFrame(OP_CLOSE, ''))]);
  t.deepEqual(r.events, [{ kind: 'close', code: 1005, reason: '' }]);
});

const failures: Array<[string, Uint8Array[], string, number]> = [
  ['an unmasked frame', [clientFrame(OP_TEXT, 'x', { masked: false })], 'UNMASKED_FRAME', 1002],
  ['a continuation with no message', [clientFrame(OP_CONTINUATION, 'x')], 'UNEXPECTED_CONTINUATION', 1002],
  ['a new message inside a fragmented one', [clientFrame(OP_TEXT, 'a', { fin: false }), clientFrame(OP_BINARY, 'b')], 'EXPECTED_CONTINUATION', 1002],
  ['a fragmented ping', [clientFrame(OP_PING, 'x', { fin: false })], 'CONTROL_FRAGMENTED', 1002],
  ['a 126-byte ping', [clientFrame(OP_PING, Buffer.alloc(126))], 'CONTROL_TOO_LONG', 1002],
  ['reserved opcode 5', [clientFrame(5, 'x')], 'RESERVED_OPCODE', 1002],
  ['RSV1 without permessage-deflate', [clientFrame(OP_TEXT, 'x', { rsv1: true })], 'RESERVED_BITS', 1002],
  ['a close with a 1-byte payload', [clientFrame(OP_CLOSE, Buffer.from([3]))], 'BAD_CLOSE_PAYLOAD', 1002],
  ['a close with code 1006', [clientFrame(OP_CLOSE, closePayload(1006))], 'BAD_CLOSE_PAYLOAD', 1002],
  ['a close reason that is not UTF-8', [clientFrame(OP_CLOSE, cat(closePayload(1000), Buffer.from([0xff])))], 'INVALID_UTF8', 1007],
  ['invalid UTF-8 in a whole text message', [clientFrame(OP_TEXT, Buffer.from([0x61, 0xc0, 0xaf]))], 'INVALID_UTF8', 1007],
  ['a text message that ends inside a character', [clientFrame(OP_TEXT, Buffer.from([0xe2, 0x82]), { fin: false }), clientFrame(OP_CONTINUATION, '')], 'INVALID_UTF8', 1007],
];

for (const [name, frames, code, closeCode] of failures) {
  test(`the receiver fails on ${name} with ${closeCode}`, (t) => {
    const r = receive(frames);
    t.is(r.error?.code, code as never);
    t.is(r.error?.closeCode as number | undefined, closeCode);
  });
}

test('invalid UTF-8 in the first fragment fails before the next fragment is read', (t) => {
  const r = receive([clientFrame(OP_TEXT, Buffer.from([0xce, 0xba, 0xf4, 0x90, 0x80]), { fin: false }), clientFrame(OP_CONTINUATION, 'more')]);
  t.is(r.error?.code, 'INVALID_UTF8');
  t.is(r.pulled, 1);
});

test('invalid UTF-8 inside one frame fails at the chunk that carries it, before the rest of the frame', (t) => {
  const frame = clientFrame(OP_TEXT, cat(Buffer.from('valid '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.alloc(100, 0x61)));
  // Header 6 bytes, 'valid ' 6 bytes, then ED at 12: a valid start; A0 at 13 makes it a surrogate.
  const r = receive([frame.subarray(0, 13), frame.subarray(13, 20), frame.subarray(20, 40), frame.subarray(40)]);
  t.is(r.error?.code, 'INVALID_UTF8');
  t.is(r.pulled, 2);
});

test('a message of exactly maxPayloadLength passes; one byte more fails before its payload is read', (t) => {
  t.deepEqual(receive([clientFrame(OP_BINARY, Buffer.alloc(1000))], { maxPayloadLength: 1000 }).events.length, 1);
  const frame = clientFrame(OP_BINARY, Buffer.alloc(1001));
  const r = receive([frame.subarray(0, 8), frame.subarray(8)], { maxPayloadLength: 1000 });
  t.is(r.error?.code, 'MESSAGE_TOO_LARGE');
  t.is(r.error?.closeCode, 1009);
  t.is(r.pulled, 1);
});

test('fragments that together pass maxPayloadLength fail at the frame that crosses it', (t) => {
  const r = receive([clientFrame(OP_TEXT, 'x'.repeat(600), { fin: false }), clientFrame(OP_CONTINUATION, 'y'.repeat(600))], { maxPayloadLength: 1000 });
  t.is(r.error?.code, 'MESSAGE_TOO_LARGE');
});

test('frames with 16- and 64-bit lengths', (t) => {
  const big = Buffer.alloc(70_000, 0x62);
  const r = receive([cat(clientFrame(OP_BINARY, Buffer.alloc(300, 1)), clientFrame(OP_TEXT, big))]);
  t.is((r.events[0] as Buffer).length, 300);
  t.is(r.events[1], big.toString());
});

/** A conversation of every kind of frame, for the split tests. */
const CONVERSATION = cat(
  clientFrame(OP_TEXT, 'héllo'),
  clientFrame(OP_BINARY, Buffer.alloc(200, 9)),
  clientFrame(OP_TEXT, Buffer.from('ab€'.slice(0, 2)), { fin: false }),
  clientFrame(OP_PING, 'ping!'),
  clientFrame(OP_CONTINUATION, Buffer.from('€').subarray(0, 2), { fin: false }),
  clientFrame(OP_CONTINUATION, Buffer.from('€').subarray(2)),
  clientFrame(OP_BINARY, Buffer.alloc(0)),
  clientFrame(OP_CLOSE, closePayload(1001, 'bye')),
);

test('the receiver gives the same messages at every split of the input and one byte at a time', (t) => {
  const whole = receive([CONVERSATION]);
  t.is(whole.error, null);
  t.deepEqual(whole.events, ['héllo', Buffer.alloc(200, 9), { kind: 'ping', data: Buffer.from('ping!') }, 'ab€', Buffer.alloc(0), { kind: 'close', code: 1001, reason: 'bye' }]);
  for (let i = 0; i <= CONVERSATION.length; i++) {
    for (const j of [i + 1, i + 7]) {
      const r = receive([CONVERSATION.subarray(0, i), CONVERSATION.subarray(i, j), CONVERSATION.subarray(j)]);
      if (r.error !== null) return t.fail(`split at ${i}, ${j}: ${r.error.message}`);
      t.deepEqual(r.events, whole.events, `split at ${i}, ${j}`);
    }
  }
  const ones = [...CONVERSATION].map((b) => Uint8Array.of(b));
  t.deepEqual(receive(ones).events, whole.events);
});

const deflated = (data: string | Buffer): Buffer => deflateRawSync(typeof data === 'string' ? Buffer.from(data) : data, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);

test('compressed messages inflate, whole or fragmented, beside uncompressed ones', (t) => {
  const payload = deflated('compressed text '.repeat(20));
  const r = receive([cat(
    clientFrame(OP_TEXT, payload, { rsv1: true }),
    clientFrame(OP_TEXT, 'plain'),
    clientFrame(OP_BINARY, payload.subarray(0, 5), { rsv1: true, fin: false }),
    clientFrame(OP_CONTINUATION, payload.subarray(5)),
  )], { decompressor: new MessageDecompressor(15, false) });
  t.is(r.error, null);
  t.deepEqual(r.events, ['compressed text '.repeat(20), 'plain', Buffer.from('compressed text '.repeat(20))]);
});

test('RSV1 on a continuation frame fails even with permessage-deflate', (t) => {
  const r = receive([cat(clientFrame(OP_TEXT, deflated('a'), { rsv1: true, fin: false }), clientFrame(OP_CONTINUATION, 'b', { rsv1: true }))], { decompressor: new MessageDecompressor(15, false) });
  t.is(r.error?.code, 'RESERVED_BITS');
});

test('a small compressed frame that inflates past maxPayloadLength fails with 1009', (t) => {
  const bomb = deflated(Buffer.alloc(1 << 20));
  const r = receive([clientFrame(OP_BINARY, bomb, { rsv1: true })], { maxPayloadLength: 64 * 1024, decompressor: new MessageDecompressor(15, false) });
  t.is(r.error?.code, 'MESSAGE_TOO_LARGE');
});

test('compressed text that inflates to invalid UTF-8 fails with 1007', (t) => {
  const r = receive([clientFrame(OP_TEXT, deflated(Buffer.from([0x61, 0xff, 0x62])), { rsv1: true })], { decompressor: new MessageDecompressor(15, false) });
  t.is(r.error?.code, 'INVALID_UTF8');
});

test('compressed data that is not DEFLATE fails with 1007', (t) => {
  const r = receive([clientFrame(OP_BINARY, Buffer.from([0xff, 0xee, 0xdd, 0xcc]), { rsv1: true })], { decompressor: new MessageDecompressor(15, false) });
  t.is(r.error?.code, 'BAD_COMPRESSED_DATA');
  t.is(r.error?.closeCode, 1007);
});

test('unmasked frames are read when the rules say so (a client reading a server)', (t) => {
  const r = receive([clientFrame(OP_TEXT, 'from server', { masked: false })], { masked: false });
  t.deepEqual(r.events, ['from server']);
});
