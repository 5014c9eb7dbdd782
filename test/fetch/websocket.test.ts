// serve({ fetch, websocket }) as in Bun: server.upgrade(request, { data, headers }) from the fetch handler (true means
// the handler's return value is ignored), a refused handshake left to the app, and server.publish / subscriberCount.
import test from 'ava';
import WebSocket from 'ws';
import { serve, type FetchServer } from '../../src/index.js';
import { closed, next, opened, until } from '../websocket/support/server.js';

/** Each test its own topic: the handler uses the process-wide registry, and ava runs a file's tests at once. */
function chatServer(topic: string): FetchServer {
  return serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(req, server) {
      const name = new URL(req.url).searchParams.get('name') ?? 'anon';
      if (server.upgrade(req, { data: { name }, headers: { 'set-cookie': 'seen=1' } })) return;
      return new Response('expected a WebSocket handshake\n', { status: 400 });
    },
    websocket: {
      open(ws) {
        ws.subscribe(topic);
      },
      message(ws, m) {
        ws.send(`${(ws.data as { name: string }).name}: ${String(m)}`);
      },
    },
  });
}

test('server.upgrade(request, { data, headers }) answers 101 with the extra fields and the socket carries data', async (t) => {
  const server = chatServer('upgrade');
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/?name=ada`);
    const cookie = new Promise<string | undefined>((resolve) => ws.once('upgrade', (res) => resolve(res.headers['set-cookie']?.[0])));
    await new Promise((resolve) => ws.once('open', resolve));
    t.is(await cookie, 'seen=1');
    ws.send('hi');
    t.is(String((await next(ws)).data), 'ada: hi');
    ws.close();
    await closed(ws);
  } finally {
    await server.close();
  }
});

test('a request that is not a handshake makes server.upgrade return false, and the handler answers it', async (t) => {
  const server = chatServer('refused');
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    t.is(res.status, 400);
    t.is(await res.text(), 'expected a WebSocket handshake\n');
  } finally {
    await server.close();
  }
});

test('server.publish reaches every subscriber, and subscriberCount follows opens and closes', async (t) => {
  const server = chatServer('room');
  try {
    const url = `ws://127.0.0.1:${server.port}/`;
    const a = await opened(url);
    const b = await opened(url);
    await until(() => server.subscriberCount('room') === 2);
    const got = Promise.all([next(a), next(b)]);
    t.true(server.publish('room', 'news') > 0);
    t.deepEqual((await got).map((m) => String(m.data)), ['news', 'news']);
    a.close();
    await closed(a);
    await until(() => server.subscriberCount('room') === 1);
    b.close();
    await closed(b);
  } finally {
    await server.close();
  }
  t.is(server.subscriberCount('room'), 0);
});
