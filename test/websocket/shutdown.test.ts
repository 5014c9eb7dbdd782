// Graceful shutdown: when the server starts closing, every open socket sends close 1001 and waits for the client's
// close frame; the engine's grace period bounds the wait.
import test from 'ava';
import { OP_CLOSE, OP_TEXT } from '../../src/websocket/frame.js';
import { FakeIO, settle } from './support/fake-io.js';
import { loggingHandler, start } from './support/session.js';
import { clientFrame, closePayload, readClose } from './support/wire.js';

test('a shutdown sends close 1001; the client close completes the handshake', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log), {}, {}, log);
  h.io.startShutdown();
  t.is(h.ws().readyState, 2);
  t.deepEqual(readClose(h.frames()[0]!.payload), { code: 1001, reason: 'server shutting down' });
  h.io.push(clientFrame(OP_CLOSE, closePayload(1001)));
  await h.done;
  t.deepEqual(log, ['open', 'close:1001:']);
  t.deepEqual(h.io.log, ['close']);
});

test('a socket opened while the server is already shutting down is closed right after open', async (t) => {
  const log: string[] = [];
  const io = new FakeIO();
  io.startShutdown();
  const h = start(loggingHandler(log, { open: (ws) => void ws.send('hello') }), {}, {}, log, io);
  await settle();
  t.deepEqual(h.frames().map((f) => f.opcode), [OP_TEXT, OP_CLOSE]);
  t.is(h.ws().readyState, 2);
});

test('a socket that closed before the shutdown is not touched again', async (t) => {
  const h = start(loggingHandler([]));
  h.io.push(clientFrame(OP_CLOSE, closePayload(1000)));
  await h.done;
  h.io.startShutdown();
  t.is(h.frames().length, 1);
});
