// fromFetch's failure handling over a real socket: a handler that throws or rejects gets a bare 500 (or the error
// hook's answer) and the connection stays open; what is not a Response is a 500; a malformed body or Host is the
// client's fault and gets the engine's own 4xx.
import test from 'ava';
import { compose, autohead, fromFetch } from '../../src/index.js';
import { withServer } from '../behaviour/helpers.js';
import { withFetchServer, withRaw } from './support.js';

const failing = test.macro(async (t, handler: () => unknown) => {
  const errors: unknown[] = [];
  await withFetchServer({ fetch: handler as () => Response, onException: (e) => errors.push(e) }, (base) => withRaw(base, async (c) => {
    c.write('GET /fail HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await c.readResponse();
    t.is(res.status, 500);
    t.is(res.body.length, 0, 'no details leak');
    t.is(res.get('connection'), undefined, 'the connection stays open');
    // The same connection carries the next request.
    c.write('GET /fail HTTP/1.1\r\nHost: x\r\n\r\n');
    t.is((await c.readResponse()).status, 500);
    t.false(c.closed);
  }));
  t.is(errors.length, 2);
});

test('a handler that throws gives a 500 and reports to onException', failing, () => {
  throw new Error('boom');
});
test('a handler that rejects gives a 500 and reports to onException', failing, () => Promise.reject(new Error('boom')));
test('a handler that returns something that is not a Response gives a 500', failing, () => ({ body: 'content' }));
test('a handler that returns Response.error() gives a 500', failing, () => Response.error());
test('a handler that returns nothing gives a 500', failing, () => undefined);

test('the error option turns a failure into a Response; if it fails too, a bare 500', async (t) => {
  await withFetchServer({
    fetch: (req) => {
      throw new Error(new URL(req.url).pathname);
    },
    error: (e) => {
      const message = (e as Error).message;
      if (message === '/twice') throw new Error('error hook failed');
      return message === '/async' ? Promise.resolve(new Response('async: recovered', { status: 503 })) : new Response(`error: ${message}`, { status: 500 });
    },
  }, async (base) => {
    const a = await fetch(`${base}/plain`);
    t.is(a.status, 500);
    t.is(await a.text(), 'error: /plain');
    const b = await fetch(`${base}/async`);
    t.is(b.status, 503);
    t.is(await b.text(), 'async: recovered');
    const c = await fetch(`${base}/twice`);
    t.is(c.status, 500);
    t.is(await c.text(), '');
  });
});

test('a Host that cannot make a URL is a 400, and a request without one (HTTP/1.0) gets the server address', async (t) => {
  await withFetchServer((req) => new Response(req.url), (base) => withRaw(base, async (c) => {
    c.write('GET /x HTTP/1.0\r\n\r\n');
    const res = await c.readUntil(() => false);
    t.regex(res.toString(), new RegExp(`\r\n\r\nhttp://127\\.0\\.0\\.1:${new URL(base).port}/x$`));
  }));
  await withFetchServer(() => new Response('never'), (base) => withRaw(base, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: a%b\r\n\r\n');
    const res = await c.readUntil(() => false);
    t.regex(res.toString('latin1'), /^HTTP\/1\.1 400 /);
  }));
});

test('a malformed chunked body read by the handler gets the engine 400, not a 500', async (t) => {
  await withFetchServer(async (req) => new Response(await req.text()), (base) => withRaw(base, async (c) => {
    c.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    const res = await c.readUntil(() => false);
    t.regex(res.toString('latin1'), /^HTTP\/1\.1 400 /);
  }));
});

test('fromFetch composes with Sluice middleware, and `this` is the handler object', async (t) => {
  const handlers = {
    greeting: 'hi',
    fetch(this: { greeting: string }): Response {
      return new Response(this.greeting, { headers: { 'x-from': 'fetch' } });
    },
  };
  await withServer(compose(autohead())(fromFetch(handlers.fetch, { thisArg: handlers })), {}, async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    t.is(await res.text(), 'hi');
    t.is(res.headers.get('x-from'), 'fetch');
  });
  t.throws(() => fromFetch(undefined as unknown as () => Response), { instanceOf: TypeError });
});
