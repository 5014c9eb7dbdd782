// The server object's request-scoped methods from the peers: Bun's server.requestIP(request), and srvx's
// request.waitUntil / server.waitUntil, whose work close() waits for (a rejection reported, never unhandled).
import test from 'ava';
import { fromFetch, serve, type FetchServer } from '../../src/index.js';

test('server.requestIP(request) is the client address for its own requests and null for any other', async (t) => {
  const server: FetchServer = serve({
    hostname: '127.0.0.1', port: 0,
    fetch: (req): Response => Response.json({ own: server.requestIP(req), other: server.requestIP(new Request('http://x/')) }),
  });
  try {
    const body = await (await fetch(`http://127.0.0.1:${server.port}/`)).json() as { own: { address: string; family: string; port: number }; other: unknown };
    t.is(body.own.address, '127.0.0.1');
    t.is(body.own.family, 'IPv4');
    t.true(body.own.port > 0);
    t.is(body.other, null);
  } finally {
    await server.close();
  }
});

test('request.waitUntil (detached too) and server.waitUntil keep work that close() waits for; a rejection is reported', async (t) => {
  const log: string[] = [];
  const errors: unknown[] = [];
  const failure = new Error('background failed');
  const later = (name: string, ms: number): Promise<void> => new Promise((r) => setTimeout(() => {
    log.push(name);
    r();
  }, ms));
  const server: FetchServer = serve({
    hostname: '127.0.0.1', port: 0, onException: (e) => errors.push(e),
    fetch: (req): Response => {
      const { waitUntil } = req as Request & { waitUntil(p: Promise<unknown>): void };
      waitUntil(later('request work', 100));
      waitUntil(Promise.reject(failure));
      server.waitUntil(later('server work', 50));
      return new Response('answered first');
    },
  });
  const res = await fetch(`http://127.0.0.1:${server.port}/`);
  t.is(await res.text(), 'answered first');
  t.deepEqual(log, []);
  await server.close();
  log.push('closed');
  t.deepEqual(log, ['server work', 'request work', 'closed']);
  t.deepEqual(errors, [failure]);
});

test('fromFetch alone keeps request.waitUntil work too, a rejection reported to its onException', async (t) => {
  const errors: unknown[] = [];
  const failure = new Error('background failed');
  let told!: () => void;
  const reported = new Promise<void>((resolve) => (told = resolve));
  const app = fromFetch((req) => {
    (req as Request & { waitUntil(p: Promise<unknown>): void }).waitUntil(Promise.reject(failure));
    return new Response('ok');
  }, {
    onException: (e) => {
      errors.push(e);
      told();
    },
  });
  const server = serve({ host: '127.0.0.1', port: 0 }, app);
  try {
    t.is(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), 'ok');
    await reported;
  } finally {
    await server.close();
  }
  t.deepEqual(errors, [failure]);
});
