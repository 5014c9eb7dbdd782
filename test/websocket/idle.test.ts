// The idle timeout with automatic pings (uWebSockets' split): a ping goes out `margin` before the timeout, any frame
// from the client re-arms the full timeout, and silence after the ping closes the socket.
import test from 'ava';
import { OP_PING, OP_PONG, OP_TEXT } from '../../src/websocket/frame.js';
import { pingMargin } from '../../src/websocket/session.js';
import { settle } from './support/fake-io.js';
import { loggingHandler, start } from './support/session.js';
import { clientFrame } from './support/wire.js';

test('pingMargin is 4, 8 or 16 seconds, and half of a short timeout', (t) => {
  t.is(pingMargin(120_000), 16_000);
  t.is(pingMargin(40_000), 16_000);
  t.is(pingMargin(20_000), 8_000);
  t.is(pingMargin(16_000), 8_000);
  t.is(pingMargin(10_000), 4_000);
  t.is(pingMargin(2_000), 1_000);
});

test('an idle socket is pinged before its timeout; the pong re-arms the full timeout', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { idleTimeout: 120 }), {}, {}, log);
  t.is(h.io.idleMs, 104_000);
  h.io.fireIdle();
  t.deepEqual(h.frames().map((f) => f.opcode), [OP_PING]);
  t.is(h.io.idleMs, 16_000);
  h.io.push(clientFrame(OP_PONG, ''));
  await settle();
  t.is(h.io.idleMs, 104_000);
  t.deepEqual(log, ['open', 'pong:']);
});

test('a client that stays silent after the ping is closed; the hook gets 1006', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { idleTimeout: 30 }), {}, {}, log);
  h.io.fireIdle();
  h.io.fireIdle();
  await h.done;
  t.deepEqual(log, ['open', 'close:1006:idle timeout']);
  t.deepEqual(h.io.log, ['destroy']);
});

test('any message answers the ping as well as a pong', async (t) => {
  const h = start(loggingHandler([], { idleTimeout: 30 }));
  h.io.fireIdle();
  h.io.push(clientFrame(OP_TEXT, 'still here'));
  await settle();
  t.is(h.io.idleMs, 30_000 - 8_000);
  t.is(h.ws().readyState, 1);
});

test('without sendPings the first idle deadline closes the socket, and it is the full timeout', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { idleTimeout: 10, sendPings: false }), {}, {}, log);
  t.is(h.io.idleMs, 10_000);
  h.io.fireIdle();
  await h.done;
  t.deepEqual(log, ['open', 'close:1006:idle timeout']);
  t.is(h.frames().length, 0);
});

test('idleTimeout 0 arms no deadline', (t) => {
  const h = start(loggingHandler([], { idleTimeout: 0 }));
  t.false(h.io.idleArmed);
});

test('the deadline is disarmed once the socket has closed', async (t) => {
  const h = start(loggingHandler([], { idleTimeout: 30 }));
  h.ws().terminate();
  await h.done;
  t.false(h.io.idleArmed);
});
