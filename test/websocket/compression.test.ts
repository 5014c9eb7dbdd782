// permessage-deflate end to end through a session: negotiation from the request, compressed sends above the
// threshold only, compressed client messages inflated, and the extensions the socket reports.
import test from 'ava';
import { constants, deflateRawSync } from 'node:zlib';
import { OP_TEXT } from '../../src/websocket/frame.js';
import { settle } from './support/fake-io.js';
import { loggingHandler, start } from './support/session.js';
import { clientDeflater, clientFrame, inflateMessage } from './support/wire.js';

const OFFER = { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' };
const BIG = 'compress me please '.repeat(100);

test('permessage-deflate is negotiated from the offer and reported on the socket and in the 101', (t) => {
  const h = start(loggingHandler([], { perMessageDeflate: true }), {}, OFFER);
  t.is(h.headers['sec-websocket-extensions'], 'permessage-deflate; server_no_context_takeover');
  t.is(h.ws().extensions, 'permessage-deflate; server_no_context_takeover');
});

test('without perMessageDeflate the offer is ignored', (t) => {
  const h = start(loggingHandler([]), {}, OFFER);
  t.is(h.headers['sec-websocket-extensions'], undefined);
  t.is(h.ws().send(BIG, true), BIG.length);
  t.false(h.frames()[0]!.rsv1);
});

test('a send asked to compress is compressed above the threshold only', (t) => {
  const h = start(loggingHandler([], { perMessageDeflate: { threshold: 100 } }), {}, OFFER);
  const ws = h.ws();
  t.is(ws.send(BIG, true), BIG.length);
  t.is(ws.send('short', true), 5);
  t.is(ws.send(BIG), BIG.length);
  t.is(ws.send(BIG, { compress: true }), BIG.length);
  const frames = h.frames();
  t.deepEqual(frames.map((f) => f.rsv1), [true, false, false, true]);
  t.is(inflateMessage(frames[0]!.payload).toString(), BIG);
  t.true(frames[0]!.payload.length < BIG.length / 4);
});

test('compress: false negotiates the extension but never compresses', (t) => {
  const h = start(loggingHandler([], { perMessageDeflate: { compress: false, threshold: 0 } }), {}, OFFER);
  h.ws().send(BIG, true);
  t.false(h.frames()[0]!.rsv1);
});

test('compressed client messages are inflated, with the client keeping its context between them', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { perMessageDeflate: true }), {}, OFFER, log);
  const deflater = clientDeflater();
  h.io.push(clientFrame(OP_TEXT, await deflater.message('first message'), { rsv1: true }));
  h.io.push(clientFrame(OP_TEXT, await deflater.message('first message again'), { rsv1: true }));
  await settle();
  deflater.close();
  t.deepEqual(log, ['open', 'message:first message', 'message:first message again']);
});

test('a compressed client message that inflates past maxPayloadLength closes with 1009', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { perMessageDeflate: true, maxPayloadLength: 1024 }), {}, OFFER, log);
  const bomb = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
  h.io.push(clientFrame(OP_TEXT, bomb, { rsv1: true }));
  await h.done;
  t.deepEqual(log, ['open', 'close:1009:message too large']);
});
