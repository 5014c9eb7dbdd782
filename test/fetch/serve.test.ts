// serve()'s two forms: serve({ fetch, port, hostname }) (Bun, Deno, srvx) beside serve(settings, app).
import test from 'ava';
import { Hono } from 'hono';
import { respond, serve, type Server } from '../../src/index.js';

// Captured before anything is served: the adapter leaves Request and Headers as they are, and Response becomes a
// subclass of the one captured here.
const GLOBALS = [globalThis.Request, globalThis.Response, globalThis.Headers];

async function closing<T>(server: Server, fn: (base: string) => Promise<T>): Promise<T> {
  try {
    return await fn(`http://127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
}

test('serve({ fetch }) listens when it returns and answers through the handler', async (t) => {
  const server = serve({ fetch: (req) => new Response(`${req.method} ${new URL(req.url).pathname}`), port: 0, hostname: '127.0.0.1' });
  t.true(server.port > 0);
  await closing(server, async (base) => t.is(await (await fetch(`${base}/a/b`)).text(), 'GET /a/b'));
});

test('serve accepts host as well as hostname, a numeric string port, localhost, and other Settings fields', async (t) => {
  const a = serve({ fetch: () => new Response('host'), port: '0', host: '127.0.0.1', serverName: 'Sluice-Test' });
  await closing(a, async (base) => {
    const res = await fetch(base);
    t.is(res.headers.get('server'), 'Sluice-Test');
    t.is(await res.text(), 'host');
  });
  const b = serve({ fetch: () => new Response('localhost'), port: 0, hostname: 'localhost' });
  await closing(b, async (base) => t.is(await (await fetch(base)).text(), 'localhost'));
  t.throws(() => serve({ fetch: () => new Response(''), port: 'eighty' }), { instanceOf: TypeError, message: /port/ });
});

test('a Hono app can be passed whole, as to @hono/node-server', async (t) => {
  const app = new Hono().get('/', (c) => c.text('whole app'));
  const server = serve(Object.assign(app, { port: 0, hostname: '127.0.0.1' }));
  await closing(server, async (base) => t.is(await (await fetch(base)).text(), 'whole app'));
});

test('serve(settings, app) still serves a Sluice Application', async (t) => {
  const server = serve({ port: 0, host: '127.0.0.1' }, () => respond(200, {}, 'application'));
  await closing(server, async (base) => t.is(await (await fetch(base)).text(), 'application'));
});

test('serve without a fetch function or an app is a TypeError naming the problem', (t) => {
  t.throws(() => serve({} as never), { instanceOf: TypeError, message: /options\.fetch/ });
});

test('serving never replaces the global Request, Response or Headers', async (t) => {
  const server = serve({ fetch: (req) => new Response(String(req instanceof GLOBALS[0]!)), port: 0, hostname: '127.0.0.1' });
  await closing(server, async (base) => t.is(await (await fetch(base)).text(), 'true'));
  t.deepEqual([globalThis.Request, globalThis.Response, globalThis.Headers], GLOBALS);
});
