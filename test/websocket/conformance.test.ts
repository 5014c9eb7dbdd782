// RFC 6455 conformance over real sockets, case by case in the manner of the Autobahn testsuite's sections (framing,
// pings, reserved bits, opcodes, fragmentation, UTF-8, close handling): a raw client sends exactly the frames of a
// case to an echo server and checks every frame that comes back, the close code, and that the server closes TCP.
import test from 'ava';
import { serve, respond, type Server } from '../../src/index.js';
import type { WebSocketHandler } from '../../src/websocket/index.js';
import { OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT } from '../../src/websocket/frame.js';
import { RawWebSocket } from './support/raw-ws.js';
import { clientFrame, closePayload, readClose, type FrameSpec } from './support/wire.js';

const echo: WebSocketHandler = { perMessageDeflate: true, maxPayloadLength: 16 * 1024 * 1024, message: (ws, m) => void ws.send(m) };
let server: Server;

test.before(() => {
  server = serve({ host: '127.0.0.1', port: 0, onException: () => undefined }, (req) => respond.upgrade(req, echo));
});
test.after.always(() => server.close());

const f = (opcode: number, payload: Uint8Array | string = '', spec: FrameSpec = {}): Buffer => clientFrame(opcode, payload, spec);
const NORMAL_CLOSE = f(OP_CLOSE, closePayload(1000));
const bytes = (n: number, seed = 0): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));
const text = (n: number): string => 'x'.repeat(n);

/** What a case expects back: data and pong frames (opcode, payload), then the close code (null: an empty close). */
interface Expect {
  frames: Array<[number, Buffer | string]>;
  close: number | null;
}

/** Sends `frames` (each its own write unless `together`), and checks what comes back until the server closes. */
const conformance = test.macro(async (t, frames: Buffer[], expect: Expect, together = false) => {
  const ws = await RawWebSocket.open(server.port);
  if (together) ws.send(Buffer.concat(frames));
  else ws.send(...frames);
  const got = await ws.closed();
  const last = got.at(-1);
  t.is(last?.opcode, OP_CLOSE, 'the server ends with a close frame');
  t.deepEqual(got.slice(0, -1).map((x) => [x.opcode, x.opcode === OP_TEXT ? x.payload.toString('utf8') : x.payload]),
    expect.frames.map(([op, p]) => [op, op === OP_TEXT && typeof p !== 'string' ? p.toString('utf8') : p]));
  t.is(readClose(last!.payload)?.code ?? null, expect.close);
  t.false(got.some((x) => x.rsv1), 'nothing is compressed without a negotiated extension');
});

const echoed = (...frames: Array<[number, Buffer | string]>): Expect => ({ frames, close: 1000 });
const failed = (close: number, ...frames: Array<[number, Buffer | string]>): Expect => ({ frames, close });

// 1: framing. Text and binary of every length encoding echo unchanged.
for (const n of [0, 125, 126, 127, 128, 65535, 65536]) {
  test(`1.1 text of ${n} bytes echoes`, conformance, [f(OP_TEXT, text(n)), NORMAL_CLOSE], echoed([OP_TEXT, text(n)]));
  test(`1.2 binary of ${n} bytes echoes`, conformance, [f(OP_BINARY, bytes(n)), NORMAL_CLOSE], echoed([OP_BINARY, bytes(n)]));
}

// 2: pings and pongs (RFC 6455 §5.5.2, §5.5.3).
test('2.1 an empty ping gets an empty pong', conformance, [f(OP_PING), NORMAL_CLOSE], echoed([OP_PONG, Buffer.alloc(0)]));
test('2.3 a ping with 125 binary bytes gets them back', conformance, [f(OP_PING, bytes(125)), NORMAL_CLOSE], echoed([OP_PONG, bytes(125)]));
test('2.5 a ping with 126 bytes fails the connection with 1002', conformance, [f(OP_PING, bytes(126)), NORMAL_CLOSE], failed(1002));
test('2.6 a ping sent byte by byte is answered', conformance,
  [...f(OP_PING, 'slow ping').reduce<Buffer[]>((a, _b, i, all) => [...a, all.subarray(i, i + 1)], []), NORMAL_CLOSE], echoed([OP_PONG, Buffer.from('slow ping')]));
test('2.7 an unsolicited pong is ignored', conformance, [f(OP_PONG), NORMAL_CLOSE], echoed());
test('2.9 an unsolicited pong, then a ping: only the ping is answered', conformance,
  [f(OP_PONG, 'unsolicited'), f(OP_PING, 'ping'), NORMAL_CLOSE], echoed([OP_PONG, Buffer.from('ping')]));
test('2.10 ten pings in one write get ten pongs in order', conformance,
  [...Array.from({ length: 10 }, (_, i) => f(OP_PING, `p${i}`)), NORMAL_CLOSE],
  echoed(...Array.from({ length: 10 }, (_, i): [number, Buffer] => [OP_PONG, Buffer.from(`p${i}`)])), true);

// 3: reserved bits (RSV1 too: nothing was negotiated on these connections).
for (const [name, bits] of [['RSV1', 0x40], ['RSV2', 0x20], ['RSV3', 0x10], ['RSV1+RSV2+RSV3', 0x70]] as const) {
  test(`3 a text frame with ${name} set fails with 1002, after the valid one before it`, conformance,
    [f(OP_TEXT, 'ok'), f(OP_TEXT, 'bad', { extraBits: bits }), f(OP_PING)], failed(1002, [OP_TEXT, 'ok']));
}
test('3.6 a ping with reserved bits fails with 1002', conformance, [f(OP_PING, 'x', { extraBits: 0x30 })], failed(1002));
test('3.7 a close with reserved bits fails with 1002', conformance, [f(OP_CLOSE, closePayload(1000), { extraBits: 0x70 })], failed(1002));

// 4: reserved opcodes, data (3-7) and control (11-15).
for (const op of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
  test(`4 reserved opcode ${op} fails with 1002, and nothing after it is answered`, conformance,
    [f(OP_TEXT, 'before'), f(op, 'x'), f(OP_PING)], failed(1002, [OP_TEXT, 'before']));
}

// 5: fragmentation (RFC 6455 §5.4).
test('5.1 a fragmented ping fails with 1002', conformance, [f(OP_PING, 'a', { fin: false }), f(OP_CONTINUATION, 'b')], failed(1002));
test('5.2 a fragmented pong fails with 1002', conformance, [f(OP_PONG, 'a', { fin: false }), f(OP_CONTINUATION, 'b')], failed(1002));
test('5.3 a text message in two fragments echoes whole', conformance,
  [f(OP_TEXT, 'frag', { fin: false }), f(OP_CONTINUATION, 'ment'), NORMAL_CLOSE], echoed([OP_TEXT, 'fragment']));
test('5.6 a ping between fragments is answered first', conformance,
  [f(OP_TEXT, 'frag', { fin: false }), f(OP_PING, 'mid'), f(OP_CONTINUATION, 'ment'), NORMAL_CLOSE],
  echoed([OP_PONG, Buffer.from('mid')], [OP_TEXT, 'fragment']));
test('5.9 a continuation with no message fails with 1002', conformance, [f(OP_CONTINUATION, 'x'), f(OP_TEXT, 'y')], failed(1002));
test('5.10 an unfinished continuation with no message fails with 1002', conformance, [f(OP_CONTINUATION, 'x', { fin: false })], failed(1002));
test('5.18 a new text message inside a fragmented one fails with 1002', conformance,
  [f(OP_TEXT, 'a', { fin: false }), f(OP_TEXT, 'b')], failed(1002));
test('5.19 five fragments with pings between them', conformance,
  [f(OP_TEXT, '1', { fin: false }), f(OP_CONTINUATION, '2', { fin: false }), f(OP_PING, 'p1'), f(OP_CONTINUATION, '3', { fin: false }),
    f(OP_CONTINUATION, '4', { fin: false }), f(OP_PING, 'p2'), f(OP_CONTINUATION, '5'), NORMAL_CLOSE],
  echoed([OP_PONG, Buffer.from('p1')], [OP_PONG, Buffer.from('p2')], [OP_TEXT, '12345']));
test('5.20 a fragmented binary message, one fragment per write, echoes whole', conformance,
  [f(OP_BINARY, bytes(10), { fin: false }), f(OP_CONTINUATION, bytes(10, 1), { fin: false }), f(OP_CONTINUATION, bytes(0)),
    NORMAL_CLOSE], echoed([OP_BINARY, Buffer.concat([bytes(10), bytes(10, 1)])]));

// 6: UTF-8 (RFC 6455 §8.1): valid text split anywhere passes; invalid text fails with 1007 as soon as it shows.
const KOSME = Buffer.from('κόσμε', 'utf8');
for (let cut = 1; cut < KOSME.length; cut++) {
  test(`6.2 valid UTF-8 split into fragments at byte ${cut} echoes`, conformance,
    [f(OP_TEXT, KOSME.subarray(0, cut), { fin: false }), f(OP_CONTINUATION, KOSME.subarray(cut)), NORMAL_CLOSE], echoed([OP_TEXT, 'κόσμε']));
}
for (const [name, hex] of [['a lone continuation byte', '80'], ['an overlong form', 'c0af'], ['a surrogate', 'eda080'],
  ['a code point past U+10FFFF', 'f4908080'], ['0xFF', 'ff'], ['a truncated sequence at the end', 'cebae1bd']] as const) {
  test(`6 text with ${name} fails with 1007`, conformance, [f(OP_TEXT, Buffer.concat([KOSME, Buffer.from(hex, 'hex')])), NORMAL_CLOSE], failed(1007));
}
test('6.4 invalid UTF-8 in the first fragment fails with 1007 before the message ends', async (t) => {
  const ws = await RawWebSocket.open(server.port);
  ws.send(f(OP_TEXT, Buffer.concat([KOSME, Buffer.from('eda080', 'hex')]), { fin: false }));
  const got = await ws.closed();
  t.deepEqual(got.map((x) => [x.opcode, readClose(x.payload)?.code]), [[OP_CLOSE, 1007]]);
});
test('6.4 invalid UTF-8 in a middle fragment fails with 1007 at once, the valid start notwithstanding', async (t) => {
  const ws = await RawWebSocket.open(server.port);
  ws.send(f(OP_TEXT, KOSME, { fin: false }), f(OP_CONTINUATION, Buffer.from('f4908080', 'hex'), { fin: false }));
  const got = await ws.closed();
  t.deepEqual(got.map((x) => [x.opcode, readClose(x.payload)?.code]), [[OP_CLOSE, 1007]]);
});

// 7: closing (RFC 6455 §5.5.1, §7.4).
test('7.1.1 a text then a close: echo, then the close echoed', conformance, [f(OP_TEXT, 'hi'), NORMAL_CLOSE], echoed([OP_TEXT, 'hi']));
test('7.1.2 a second close is ignored', conformance, [NORMAL_CLOSE, NORMAL_CLOSE], echoed(), true);
test('7.1.3 a ping after the close is not answered', conformance, [NORMAL_CLOSE, f(OP_PING, 'late')], echoed(), true);
test('7.1.4 a text after the close is not echoed', conformance, [NORMAL_CLOSE, f(OP_TEXT, 'late')], echoed(), true);
test('7.1.5 a close inside a fragmented message ends it: the fragments are not echoed', conformance,
  [f(OP_TEXT, 'frag', { fin: false }), NORMAL_CLOSE, f(OP_CONTINUATION, 'ment')], echoed(), true);
test('7.3.1 an empty close gets an empty close', conformance, [f(OP_CLOSE)], { frames: [], close: null });
test('7.3.2 a close with a 1-byte payload fails with 1002', conformance, [f(OP_CLOSE, Buffer.from([3]))], failed(1002));
test('7.3.4 a close with a reason gets the code back', conformance, [f(OP_CLOSE, closePayload(1000, 'bye'))], echoed());
test('7.3.5 a close with a 123-byte reason gets the code back', conformance, [f(OP_CLOSE, closePayload(1000, text(123)))], echoed());
test('7.3.6 a close with a 124-byte reason (126-byte payload) fails with 1002', conformance,
  [f(OP_CLOSE, closePayload(1000, text(124)))], failed(1002));
test('7.5.1 a close reason that is not UTF-8 fails with 1007', conformance,
  [f(OP_CLOSE, Buffer.concat([closePayload(1000), Buffer.from('cebae1bdb9cf83cebcceb5eda080', 'hex')]))], failed(1007));
for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]) {
  test(`7.7 valid close code ${code} is echoed`, conformance, [f(OP_CLOSE, closePayload(code))], { frames: [], close: code });
}
for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
  test(`7.9 invalid close code ${code} fails with 1002`, conformance, [f(OP_CLOSE, closePayload(code))], failed(1002));
}

// Masking (RFC 6455 §5.1): a client frame must be masked.
test('an unmasked client frame fails with 1002', conformance, [f(OP_TEXT, 'x', { masked: false })], failed(1002));

// 9: many messages in one write, and a message fragmented into many frames.
test('9.7 a thousand small messages in one write all echo, in order', conformance,
  [...Array.from({ length: 1000 }, (_, i) => f(OP_TEXT, `m${i}`)), NORMAL_CLOSE],
  echoed(...Array.from({ length: 1000 }, (_, i): [number, string] => [OP_TEXT, `m${i}`])), true);
test('9.3 a 1 MiB text message in 64-byte fragments echoes whole', conformance,
  [...Array.from({ length: 16384 }, (_, i) => f(i === 0 ? OP_TEXT : OP_CONTINUATION, text(64), { fin: i === 16383 })), NORMAL_CLOSE],
  echoed([OP_TEXT, text(1024 * 1024)]), true);

// The server closes the TCP connection after the closing handshake (RFC 6455 §7.1.1).
test('the server closes TCP once the closing handshake is done, without waiting for the client', async (t) => {
  const ws = await RawWebSocket.open(server.port);
  ws.send(NORMAL_CLOSE);
  await ws.closed();
  t.true(ws.isClosed);
});
