// serve()'s two forms: serve({ fetch, port, hostname }) (Bun, Deno, srvx) beside serve(settings, app).
import test from 'ava';
import { Hono } from 'hono';
import { respond, serve, type Server } from '../../src/index.js';

// Captured before anything is served: the adapter leaves Request, Response and Headers as they are.
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

test('the server has Bun\'s url, hostname and stop, Deno\'s addr, finished and shutdown, and srvx\'s ready', async (t) => {
  const server = serve({ fetch: () => new Response('aliases'), port: 0, hostname: '127.0.0.1' });
  t.is(await server.ready(), server);
  t.true(server.url instanceof URL);
  t.is(server.url.href, `http://127.0.0.1:${server.port}/`);
  t.is(server.hostname, '127.0.0.1');
  t.deepEqual(server.addr, { transport: 'tcp', hostname: '127.0.0.1', port: server.port });
  t.is(await (await fetch(server.url)).text(), 'aliases');
  let finished = false;
  void server.finished.then(() => (finished = true));
  await server.shutdown();
  await Promise.resolve();
  t.true(finished);
  await t.throwsAsync(fetch(server.url));
  const wild = serve({ fetch: () => new Response(''), port: 0 });
  t.is(wild.url.href, `http://localhost:${wild.port}/`);
  t.is(wild.addr.hostname, '0.0.0.0');
  await wild.stop();
});

test('stop(true) closes a connection whose response is still streaming; stop() lets it finish', async (t) => {
  const streaming = (): Response => new Response(new ReadableStream({ pull: () => new Promise(() => {}) }));
  for (const force of [true, false]) {
    const server = serve({ fetch: streaming, port: 0, hostname: '127.0.0.1', gracefulShutdownMs: 60_000 });
    const res = await fetch(server.url);
    const reading = res.text().then(() => 'ended', () => 'cut');
    let stopped = false;
    const stopping = server.stop(force).then(() => (stopped = true));
    if (force) {
      await stopping;
      t.is(await reading, 'cut');
    } else {
      await new Promise((r) => setTimeout(r, 100));
      t.false(stopped, 'a graceful stop waits for the response in flight');
      await server.closeNow();
      t.true(await stopping.then(() => stopped));
    }
  }
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
