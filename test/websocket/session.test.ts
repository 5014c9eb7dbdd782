// A WebSocket session over in-memory IO: the hooks in order, automatic pongs, the closing handshake from either side,
// failures with their close codes, and what ends the connection without a close frame.
import test from 'ava';
import { CloseArgumentError, ControlPayloadError } from '../../src/websocket/index.js';
import { OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT } from '../../src/websocket/frame.js';
import { settle } from './support/fake-io.js';
import { loggingHandler, start } from './support/session.js';
import { clientFrame, closePayload, readClose } from './support/wire.js';

test('open runs first, then each message in order; an echo goes out as the same kind of frame', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { message: (ws, m) => void ws.send(m) }), {}, {}, log);
  h.io.push(clientFrame(OP_TEXT, 'one'), clientFrame(OP_BINARY, Buffer.from([0xab])));
  await settle();
  t.deepEqual(log, ['open', 'message:one', 'binary:ab']);
  t.deepEqual(h.frames().map((f) => [f.opcode, f.payload.toString('hex')]), [[OP_TEXT, Buffer.from('one').toString('hex')], [OP_BINARY, 'ab']]);
});

test('a ping is answered with a pong carrying its data before the ping hook runs', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { ping: (ws) => void ws.send('after') }), {}, {}, log);
  h.io.push(clientFrame(OP_PING, 'data'), clientFrame(OP_PONG, 'heartbeat'));
  await settle();
  t.deepEqual(log, ['open', 'ping:data', 'pong:heartbeat']);
  t.deepEqual(h.frames().map((f) => [f.opcode, f.payload.toString()]), [[OP_PONG, 'data'], [OP_TEXT, 'after']]);
});

test('a client close is echoed with its code, then the socket closes and the close hook runs once', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log), {}, {}, log);
  h.io.push(clientFrame(OP_CLOSE, closePayload(1000, 'bye')), clientFrame(OP_TEXT, 'ignored'));
  await h.done;
  t.deepEqual(log, ['open', 'close:1000:bye']);
  const frames = h.frames();
  t.is(frames.length, 1);
  t.deepEqual(readClose(frames[0]!.payload), { code: 1000, reason: '' });
  t.deepEqual(h.io.log, ['close']);
  t.is(h.ws().readyState, 3);
});

test('an empty client close is answered with an empty close and reported as 1005', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log), {}, {}, log);
  h.io.push(clientFrame(OP_CLOSE, ''));
  await h.done;
  t.deepEqual(log, ['open', 'close:1005:']);
  t.is(h.frames()[0]!.payload.length, 0);
});

test('ws.close starts the handshake: sends stop, arriving messages are dropped, the client close finishes it', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log), {}, {}, log);
  const ws = h.ws();
  ws.close(4001, 'going');
  t.is(ws.readyState, 2);
  t.is(ws.send('too late'), 0);
  h.io.push(clientFrame(OP_TEXT, 'dropped'), clientFrame(OP_CLOSE, closePayload(4001, 'going')));
  await h.done;
  t.deepEqual(log, ['open', 'close:4001:going']);
  const frames = h.frames();
  t.is(frames.length, 1);
  t.deepEqual(readClose(frames[0]!.payload), { code: 4001, reason: 'going' });
  t.deepEqual(h.io.log, ['close']);
});

test('ws.close refuses a code that may not be sent, and sends nothing', (t) => {
  const h = start(loggingHandler([]));
  const e = t.throws(() => h.ws().close(1006), { instanceOf: CloseArgumentError });
  t.is(e?.code, 'ERR_WS_CLOSE_ARGUMENT');
  t.is(h.frames().length, 0);
  t.is(h.ws().readyState, 1);
});

test('a closing handshake the client never finishes ends when the margin passes; the hook gets our code', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log), {}, {}, log);
  h.ws().close(1000);
  t.true(h.io.idleArmed);
  h.io.fireIdle();
  await h.done;
  t.deepEqual(log, ['open', 'close:1000:']);
  t.deepEqual(h.io.log, ['destroy']);
});

const failures: Array<[string, Buffer, number]> = [
  ['an unmasked frame', clientFrame(OP_TEXT, 'x', { masked: false }), 1002],
  ['a reserved opcode', clientFrame(3, 'x'), 1002],
  ['invalid UTF-8', clientFrame(OP_TEXT, Buffer.from([0xff])), 1007],
  ['a message over maxPayloadLength', clientFrame(OP_BINARY, Buffer.alloc(101)), 1009],
  ['an invalid close code', clientFrame(OP_CLOSE, closePayload(1004)), 1002],
];
for (const [name, frame, code] of failures) {
  test(`${name} fails the connection: close ${code} is sent, the socket closed, the hook told ${code}`, async (t) => {
    const log: string[] = [];
    const h = start(loggingHandler(log, { maxPayloadLength: 100 }), {}, {}, log);
    h.io.push(frame, clientFrame(OP_TEXT, 'never read'));
    await h.done;
    const frames = h.frames();
    t.is(frames.length, 1);
    t.is(frames[0]!.opcode, OP_CLOSE);
    t.is(readClose(frames[0]!.payload)?.code, code);
    t.regex(log[1]!, new RegExp(`^close:${code}:`));
    t.is(log.length, 2);
    t.deepEqual(h.io.log, ['close']);
  });
}

test('a connection that ends without a close frame is reported as 1006', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log), {}, {}, log);
  h.io.push(clientFrame(OP_TEXT, 'half'));
  h.io.end();
  await h.done;
  t.deepEqual(log, ['open', 'message:half', 'close:1006:connection closed']);
});

test('a reset is reported as 1006 with the socket error', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log), {}, {}, log);
  await settle();
  h.io.reset();
  await h.done;
  t.deepEqual(log, ['open', 'close:1006:read ECONNRESET']);
});

test('terminate closes at once without a close frame; the hook gets 1006', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { message: (ws) => ws.terminate() }), {}, {}, log);
  h.io.push(clientFrame(OP_TEXT, 'a'), clientFrame(OP_TEXT, 'b'));
  await h.done;
  t.deepEqual(log, ['open', 'message:a', 'close:1006:terminated']);
  t.is(h.frames().length, 0);
  t.deepEqual(h.io.log, ['destroy']);
});

test('a hook that throws is reported and fails the connection with 1011', async (t) => {
  const log: string[] = [];
  const boom = new Error('boom');
  const h = start(loggingHandler(log, { message: () => { throw boom; } }), {}, {}, log);
  h.io.push(clientFrame(OP_TEXT, 'x'), clientFrame(OP_TEXT, 'not delivered'));
  await h.done;
  t.deepEqual(h.io.errors, [boom]);
  t.deepEqual(log, ['open', 'message:x', 'close:1011:internal error']);
  t.is(readClose(h.frames()[0]!.payload)?.code, 1011);
});

test('a hook whose promise rejects is handled like a throw', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { message: async () => { throw new Error('later'); } }), {}, {}, log);
  h.io.push(clientFrame(OP_TEXT, 'x'));
  await h.done;
  t.is((h.io.errors[0] as Error).message, 'later');
  t.deepEqual(log, ['open', 'message:x', 'close:1011:internal error']);
});

test('a throw in open fails the connection before anything is read', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { open: () => { throw new Error('no'); } }), {}, {}, log);
  h.io.push(clientFrame(OP_TEXT, 'x'));
  await h.done;
  t.deepEqual(log, ['open', 'close:1011:internal error']);
  t.is(h.io.taken, 0);
});

test('ws.ping and ws.pong send control frames of at most 125 bytes', (t) => {
  const h = start(loggingHandler([]));
  t.is(h.ws().ping('hi'), 2);
  t.is(h.ws().pong(), 0);
  t.throws(() => h.ws().ping(Buffer.alloc(126)), { instanceOf: ControlPayloadError });
  t.deepEqual(h.frames().map((f) => [f.opcode, f.payload.toString()]), [[OP_PING, 'hi'], [OP_PONG, '']]);
});

test('send takes strings, Buffers, ArrayBuffers and other views, and returns the payload length', (t) => {
  const h = start(loggingHandler([]));
  const ws = h.ws();
  t.is(ws.send('héllo'), 6);
  t.is(ws.send(new Uint8Array([1, 2])), 2);
  t.is(ws.send(new Uint16Array([0x0102]).buffer), 2);
  t.is(ws.send(new DataView(new ArrayBuffer(3))), 3);
  t.is(ws.sendBinary('text as bytes'), 13);
  t.is(ws.sendText('t'), 1);
  t.deepEqual(h.frames().map((f) => f.opcode), [OP_TEXT, OP_BINARY, OP_BINARY, OP_BINARY, OP_BINARY, OP_TEXT]);
  t.throws(() => ws.send(42 as unknown as string), { instanceOf: TypeError });
});

test('a message over 4 KiB goes out as a header and the payload itself, not a copy', (t) => {
  const h = start(loggingHandler([]));
  const big = Buffer.alloc(70_000, 0x61);
  t.is(h.ws().send(big), 70_000);
  t.is(h.io.refs.length, 2);
  t.is(h.io.refs[1], big);
  const frames = h.frames();
  t.is(frames[0]!.opcode, OP_BINARY);
  t.true(frames[0]!.payload.equals(big));
});

test('the socket carries the upgrade data, remote address and selected subprotocol', (t) => {
  const h = start(loggingHandler<{ user: string }>([]), { data: { user: 'ann' }, protocol: 'chat' }, { 'Sec-WebSocket-Protocol': 'v1, chat' });
  const ws = h.ws();
  t.deepEqual(ws.data, { user: 'ann' });
  t.is(ws.remoteAddress, '127.0.0.1:5000');
  t.is(ws.protocol, 'chat');
  t.is(ws.extensions, '');
  t.is(h.headers['sec-websocket-protocol'], 'chat');
});

test('a handler with no hooks still answers pings and closes; a second close and later pings do nothing', async (t) => {
  const h = start({});
  h.io.push(clientFrame(OP_PING, 'x'));
  await settle();
  const ws = h.ws();
  ws.close();
  ws.close(1000, 'again');
  t.is(ws.ping(), 0);
  t.is(ws.send('x'), 0);
  h.io.push(clientFrame(OP_CLOSE, ''));
  await h.done;
  const frames = h.frames();
  t.deepEqual(frames.map((f) => [f.opcode, f.payload.length]), [[OP_PONG, 1], [OP_CLOSE, 0]]);
});
