// Sending under backpressure (Bun's and uWebSockets.js's semantics): -1 when a message queues behind unsent bytes and
// the drain hook when they have gone, 0 when over maxBackpressure (dropped), and closeOnBackpressureLimit.
import test from 'ava';
import { settle } from './support/fake-io.js';
import { loggingHandler, start } from './support/session.js';

test('a send that leaves bytes unsent returns -1, and drain runs once when they have gone', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log), {}, {}, log);
  const ws = h.ws();
  t.is(ws.send('a'), 1);
  h.io.bufferedAmount = 500;
  t.is(ws.send('b'), -1);
  t.is(ws.send('c'), -1);
  t.is(ws.bufferedAmount, 500);
  await settle();
  t.deepEqual(log, ['open']);
  h.io.drain();
  await settle();
  t.deepEqual(log, ['open', 'drain']);
  t.is(ws.send('d'), 1);
});

test('over maxBackpressure a message is dropped (0) and not written; drain still follows', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { maxBackpressure: 1000 }), {}, {}, log);
  const ws = h.ws();
  h.io.bufferedAmount = 1000;
  t.is(ws.send('at the limit: queued'), -1);
  h.io.bufferedAmount = 1001;
  t.is(ws.send('over: dropped'), 0);
  t.deepEqual(h.frames().map((f) => f.payload.toString()), ['at the limit: queued']);
  h.io.drain();
  await settle();
  t.deepEqual(log, ['open', 'drain']);
});

test('maxBackpressure 0 never drops', (t) => {
  const h = start(loggingHandler([], { maxBackpressure: 0 }));
  h.io.bufferedAmount = 1e9;
  t.is(h.ws().send('x'), -1);
});

test('closeOnBackpressureLimit terminates the socket at the first dropped message', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log, { maxBackpressure: 10, closeOnBackpressureLimit: true }), {}, {}, log);
  h.io.bufferedAmount = 11;
  t.is(h.ws().send('x'), 0);
  await h.done;
  t.deepEqual(log, ['open', 'close:1006:backpressure limit']);
  t.deepEqual(h.io.log, ['destroy']);
});

test('no drain hook runs after the socket closed', async (t) => {
  const log: string[] = [];
  const h = start(loggingHandler(log), {}, {}, log);
  h.io.bufferedAmount = 5;
  t.is(h.ws().send('x'), -1);
  h.ws().terminate();
  await h.done;
  await settle();
  t.deepEqual(log, ['open', 'close:1006:terminated']);
});
