// A real Hono app on Sluice (hono is a dev dependency): routing, middleware, c.json, c.req.json(), cookies,
// streamSSE, errors and HEAD, as its users run it on @hono/node-server.
import test from 'ava';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { etag } from 'hono/etag';
import { poweredBy } from 'hono/powered-by';
import { streamSSE } from 'hono/streaming';
import { withFetchServer, withRaw } from './support.js';

function app(): Hono {
  const a = new Hono();
  a.use('*', poweredBy());
  a.use('/mw/*', async (c, next) => {
    c.header('x-before', 'yes');
    await next();
    c.res.headers.set('x-after', String(c.res.status));
  });
  a.get('/', (c) => c.text('Hello! Node!'));
  a.get('/posts', (c) => c.text(`Page ${c.req.query('page')}`));
  a.get('/posts/:id', (c) => c.json({ id: c.req.param('id'), ua: c.req.header('user-agent') ?? null }));
  a.post('/posts', async (c) => c.json({ got: await c.req.json() }, 201));
  a.post('/form', async (c) => c.json(await c.req.parseBody()));
  a.get('/mw/ok', (c) => c.text('through middleware'));
  a.get('/cookies', (c) => {
    setCookie(c, 'a', '1', { path: '/' });
    setCookie(c, 'b', '2', { httpOnly: true });
    return c.json({ seen: getCookie(c, 'seen') ?? null });
  });
  a.get('/sse', (c) => streamSSE(c, async (s) => {
    for (let i = 1; i <= 3; i++) await s.writeSSE({ id: String(i), data: `event ${i}` });
  }));
  a.get('/error', () => {
    throw new Error('handler failed');
  });
  a.notFound((c) => c.text('Custom NotFound', 404));
  a.onError((e, c) => c.text(`Custom Error: ${e.message}`, 500));
  a.get('/url', (c) => c.text(c.req.url));
  return a;
}

test('routing, params, query strings and the raw URL', async (t) => {
  await withFetchServer(app().fetch, async (base) => {
    t.is(await (await fetch(`${base}/`)).text(), 'Hello! Node!');
    t.is(await (await fetch(`${base}/posts?page=2`)).text(), 'Page 2');
    t.deepEqual(await (await fetch(`${base}/posts/42`, { headers: { 'user-agent': 'Hono' } })).json(), { id: '42', ua: 'Hono' });
    t.is(await (await fetch(`${base}/url`)).text(), `${base}/url`);
    const missing = await fetch(`${base}/nope`);
    t.is(missing.status, 404);
    t.is(await missing.text(), 'Custom NotFound');
  });
});

test('c.json with a status, c.req.json() and parseBody()', async (t) => {
  await withFetchServer(app().fetch, async (base) => {
    const res = await fetch(`${base}/posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"t"}' });
    t.is(res.status, 201);
    t.is(res.headers.get('content-type'), 'application/json');
    t.is(res.headers.get('content-length'), String('{"got":{"title":"t"}}'.length));
    t.deepEqual(await res.json(), { got: { title: 't' } });
    const form = await fetch(`${base}/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'foo=bar' });
    t.deepEqual(await form.json(), { foo: 'bar' });
  });
});

test('middleware before and after the handler', async (t) => {
  await withFetchServer(app().fetch, async (base) => {
    const res = await fetch(`${base}/mw/ok`);
    t.is(res.headers.get('x-powered-by'), 'Hono');
    t.is(res.headers.get('x-before'), 'yes');
    t.is(res.headers.get('x-after'), '200');
    t.is(await res.text(), 'through middleware');
  });
});

test('middleware that clones, reads or rebuilds the Response (etag, c.header after next) sees its body whole', async (t) => {
  const a = new Hono();
  a.use('/tagged', etag());
  a.use('/late', async (c, next) => {
    await next();
    // Hono rebuilds a finished Response from its body and itself here: new Response(res.body, res).
    c.header('x-late', 'yes');
  });
  a.get('/tagged', (c) => c.json({ tagged: true }));
  a.get('/late', (c) => c.text('late header'));
  await withFetchServer(a.fetch, async (base) => {
    const tagged = await fetch(`${base}/tagged`);
    const tag = tagged.headers.get('etag');
    t.truthy(tag);
    t.is(tagged.headers.get('content-length'), String('{"tagged":true}'.length));
    t.deepEqual(await tagged.json(), { tagged: true });
    const again = await fetch(`${base}/tagged`, { headers: { 'if-none-match': tag! } });
    t.is(again.status, 304);
    t.is(await again.text(), '');
    const late = await fetch(`${base}/late`);
    t.is(late.headers.get('x-late'), 'yes');
    t.is(await late.text(), 'late header');
  });
});

test('cookies in and several Set-Cookie fields out', async (t) => {
  await withFetchServer(app().fetch, async (base) => {
    const res = await fetch(`${base}/cookies`, { headers: { cookie: 'seen=yes; other=1' } });
    t.deepEqual(res.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    t.deepEqual(await res.json(), { seen: 'yes' });
  });
});

test('streamSSE streams events, chunked', async (t) => {
  await withFetchServer(app().fetch, async (base) => {
    const res = await fetch(`${base}/sse`);
    t.is(res.headers.get('content-type'), 'text/event-stream');
    t.is(res.headers.get('transfer-encoding'), 'chunked');
    t.is(await res.text(), 'data: event 1\nid: 1\n\ndata: event 2\nid: 2\n\ndata: event 3\nid: 3\n\n');
  });
});

test('a throwing route goes through onError, and the connection stays open', async (t) => {
  await withFetchServer(app().fetch, (base) => withRaw(base, async (c) => {
    c.write('GET /error HTTP/1.1\r\nHost: h\r\n\r\n');
    const res = await c.readResponse();
    t.is(res.status, 500);
    t.is(res.body.toString(), 'Custom Error: handler failed');
    c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    t.is((await c.readResponse()).body.toString(), 'Hello! Node!');
  }));
});

test('HEAD on a GET route: headers only, no body, no Content-Length of 0', async (t) => {
  await withFetchServer(app().fetch, (base) => withRaw(base, async (c) => {
    c.write('HEAD /posts/7 HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n');
    const data = (await c.readUntil((d) => d.includes('Hello! Node!'))).toString('latin1');
    const [head] = data.split('\r\n\r\n');
    t.regex(head!, /^HTTP\/1\.1 200 OK/);
    t.regex(head!, /content-type: application\/json/);
    t.notRegex(head!, /content-length: 0/);
    t.regex(data, /\r\n\r\nHTTP\/1\.1 200 OK/, 'the next response follows the HEAD head directly');
  }));
});
