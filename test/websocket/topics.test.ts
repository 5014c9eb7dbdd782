// In-process pub/sub: subscribe/unsubscribe/isSubscribed, publish excluding the publisher unless publishToSelf, one
// frame buffer shared by every subscriber, and subscriptions dropped once a socket has closed.
import test from 'ava';
import { Topics } from '../../src/websocket/index.js';
import type { Subscriber } from '../../src/websocket/topics.js';
import { OP_BINARY, OP_CLOSE, OP_TEXT } from '../../src/websocket/frame.js';
import { loggingHandler, start } from './support/session.js';
import { clientFrame, inflateMessage } from './support/wire.js';

test('subscribe, isSubscribed, subscriptions and unsubscribe', (t) => {
  const topics = new Topics();
  const ws = start(loggingHandler([], { topics })).ws();
  ws.subscribe('a');
  ws.subscribe('b');
  ws.subscribe('a');
  t.true(ws.isSubscribed('a'));
  t.deepEqual(ws.subscriptions, ['a', 'b']);
  t.is(topics.subscriberCount('a'), 1);
  t.true(ws.unsubscribe('a'));
  t.false(ws.unsubscribe('a'));
  t.false(ws.isSubscribed('a'));
  t.is(topics.subscriberCount('a'), 0);
});

test('Topics works with any Subscriber: membership both ways, delivery results counted', (t) => {
  const topics = new Topics();
  const got: string[] = [];
  const s: Subscriber = { topics: new Set(), deliver: (m) => (got.push(Buffer.from(m.payload).toString()), 0) };
  topics.subscribe('t', s);
  t.true(topics.isSubscribed('t', s));
  t.deepEqual([...s.topics], ['t']);
  // A subscriber that dropped the message (0) does not count as delivered.
  t.is(topics.publish('t', 'm'), 0);
  t.deepEqual(got, ['m']);
  topics.unsubscribeAll(s);
  t.false(topics.isSubscribed('t', s));
  t.is(s.topics.size, 0);
});

test('ws.publish reaches every other subscriber with the same frame buffer, not the publisher', (t) => {
  const topics = new Topics();
  const handler = loggingHandler([], { topics });
  const [a, b, c] = [start(handler), start(handler), start(handler)];
  for (const h of [a, b, c]) h.ws().subscribe('room');
  t.is(a.ws().publish('room', 'hi all'), 6);
  t.is(a.frames().length, 0);
  t.deepEqual(b.frames().map((f) => [f.opcode, f.payload.toString()]), [[OP_TEXT, 'hi all']]);
  t.deepEqual(c.frames().map((f) => [f.opcode, f.payload.toString()]), [[OP_TEXT, 'hi all']]);
  t.is(b.io.refs[0], c.io.refs[0]);
});

test('with publishToSelf the publisher gets its own message', (t) => {
  const topics = new Topics();
  const a = start(loggingHandler([], { topics, publishToSelf: true }));
  a.ws().subscribe('t');
  t.is(a.ws().publish('t', Buffer.from([1])), 1);
  t.deepEqual(a.frames().map((f) => f.opcode), [OP_BINARY]);
});

test('topics.publish (the server-wide form) reaches every subscriber; a topic without any returns 0', (t) => {
  const topics = new Topics();
  const a = start(loggingHandler([], { topics }));
  a.ws().subscribe('news');
  t.is(topics.publish('news', 'x'), 1);
  t.is(topics.publish('nobody', 'x'), 0);
  t.is(a.frames().length, 1);
});

test('a subscriber over maxBackpressure misses a published message; the others still get it', (t) => {
  const topics = new Topics();
  const a = start(loggingHandler([], { topics, maxBackpressure: 10 }));
  const b = start(loggingHandler([], { topics, maxBackpressure: 10 }));
  a.ws().subscribe('t');
  b.ws().subscribe('t');
  a.io.bufferedAmount = 11;
  t.is(topics.publish('t', 'm'), 1);
  t.is(a.frames().length, 0);
  t.is(b.frames().length, 1);
  b.io.bufferedAmount = 11;
  t.is(topics.publish('t', 'm'), 0);
});

test('a closed socket leaves its topics after the close hook, which still sees them', async (t) => {
  const topics = new Topics();
  const seen: string[][] = [];
  const h = start(loggingHandler([], { topics, close: (ws) => void seen.push(ws.subscriptions) }));
  h.ws().subscribe('x');
  h.io.push(clientFrame(OP_CLOSE, ''));
  await h.done;
  t.deepEqual(seen, [['x']]);
  t.is(topics.subscriberCount('x'), 0);
  t.deepEqual(h.ws().subscriptions, []);
  h.ws().subscribe('y');
  t.is(topics.subscriberCount('y'), 0);
});

const DEFLATE = { 'Sec-WebSocket-Extensions': 'permessage-deflate' };
const BIG = 'publish me '.repeat(200);

test('a compressed publish is compressed once for every socket with a shared compressor', (t) => {
  const topics = new Topics();
  const handler = loggingHandler([], { topics, perMessageDeflate: true });
  const [a, b] = [start(handler, {}, DEFLATE), start(handler, {}, DEFLATE)];
  const plain = start(handler);
  for (const h of [a, b, plain]) h.ws().subscribe('t');
  topics.publish('t', BIG, true);
  const fa = a.frames()[0]!;
  t.true(fa.rsv1);
  t.is(inflateMessage(fa.payload).toString(), BIG);
  t.is(a.io.refs[0], b.io.refs[0]);
  // A socket without permessage-deflate gets the plain frame.
  t.false(plain.frames()[0]!.rsv1);
  t.is(plain.frames()[0]!.payload.toString(), BIG);
});

test('a socket with context takeover compresses a published message with its own stream', (t) => {
  const topics = new Topics();
  const handler = loggingHandler([], { topics, perMessageDeflate: { compress: 'dedicated' } });
  const a = start(handler, {}, DEFLATE);
  a.ws().subscribe('t');
  topics.publish('t', BIG, true);
  topics.publish('t', BIG, true);
  const [first, second] = a.frames();
  t.true(first!.rsv1 && second!.rsv1);
  // The second refers back to the first: only a client inflater that kept its window can read it.
  t.true(second!.payload.length < first!.payload.length);
});
