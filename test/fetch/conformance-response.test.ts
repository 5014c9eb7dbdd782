// What a handler returns, checked over a real socket against @hono/node-server's and srvx's adapter tests (Bun.serve
// where they differ): every way of giving headers, every body kind, the framing the server owns (RFC 9112 §6), and
// every way a handler can fail (a 500 reported to onException, the connection kept).
import test from 'ava';
import { Readable } from 'node:stream';
import { withFetchServer, withRaw, parseRaw, unchunk, type RawResponse } from './support.js';

type Handler = (req: Request) => unknown;
type HeadersInit = ConstructorParameters<typeof Headers>[0];
type BodyInit = ConstructorParameters<typeof Response>[0];

/** The response to one raw GET (or `request`), and what onException was told meanwhile. */
async function answer(handler: Handler, request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'): Promise<{ res: RawResponse; errors: unknown[] }> {
  const errors: unknown[] = [];
  const res = await withFetchServer({ fetch: handler as (req: Request) => Response, onException: (e) => errors.push(e) }, (base) => withRaw(base, async (c) => {
    c.write(request);
    // A chunked answer is read to its last chunk; anything else by its Content-Length (or to the close).
    const data = await c.readUntil((d) => {
      const head = d.indexOf('\r\n\r\n');
      if (head < 0) return false;
      const text = d.subarray(0, head).toString('latin1');
      if (/\r\ntransfer-encoding: chunked/i.test(text)) return d.includes('\r\n0\r\n\r\n', head);
      const length = /\r\ncontent-length: (\d+)/i.exec(text);
      return length === null ? request.startsWith('HEAD') : d.length >= head + 4 + Number(length[1]);
    });
    return parseRaw(data);
  }));
  return { res, errors };
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('headers given as a Headers, as pairs or as a record all go out, Set-Cookie as separate fields', async (t) => {
  const shapes: Array<() => HeadersInit> = [
    () => new Headers([['x-a', '1'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]),
    () => [['x-a', '1'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']],
    () => ({ 'X-A': '1', 'Set-Cookie': 'a=1' }),
  ];
  for (const [i, shape] of shapes.entries()) {
    const { res } = await answer(() => new Response('x', { headers: shape() }));
    t.is(res.get('x-a'), '1', `shape ${i}`);
    t.deepEqual(res.all('set-cookie'), i === 2 ? ['a=1'] : ['a=1', 'b=2'], `shape ${i}`);
  }
  const appended = await answer(() => {
    const r = new Response('x', { headers: { 'Content-Type': 'text/plain' } });
    r.headers.append('Set-Cookie', 'session=abc; Path=/; HttpOnly');
    r.headers.append('Set-Cookie', 'theme=dark');
    return new Response(r.body, r);
  });
  t.deepEqual(appended.res.all('set-cookie'), ['session=abc; Path=/; HttpOnly', 'theme=dark']);
});

test('Response.redirect sends its status and Location with an empty body', async (t) => {
  const { res } = await answer(() => Response.redirect('http://example.com/next', 301));
  t.is(res.status, 301);
  t.is(res.get('location'), 'http://example.com/next');
  t.is(res.get('content-length'), '0');
});

test('a Content-Length or Transfer-Encoding the app set on a body of known length is replaced by the real length (as Bun does)', async (t) => {
  for (const headers of [{ 'content-length': '3' }, { 'content-length': '00011' }, { 'transfer-encoding': 'chunked' }] as Record<string, string>[]) {
    const { res } = await answer(() => new Response('hello', { headers }));
    t.deepEqual(res.all('content-length'), ['5']);
    t.is(res.get('transfer-encoding'), undefined);
    t.is(res.body.toString(), 'hello');
  }
});

test('a Blob or File body keeps its type and length', async (t) => {
  const { res } = await answer(() => new Response(new File(['abc'], 'a.txt', { type: 'text/x-a' })));
  t.is(res.get('content-type'), 'text/x-a');
  t.is(res.get('content-length'), '3');
  t.is(res.body.toString(), 'abc');
});

test('a body from a Node Readable or an async iterable is streamed chunked', async (t) => {
  const readable = await answer(() => new Response(Readable.from([Buffer.from('a'), Buffer.from('b')]) as unknown as BodyInit));
  t.is(readable.res.get('transfer-encoding'), 'chunked');
  t.is(unchunk(readable.res.body), 'ab');
  const iterable = await answer(() => new Response((async function* () {
    yield bytes('x');
    yield bytes('y');
  })() as unknown as BodyInit));
  t.is(unchunk(iterable.res.body), 'xy');
});

test('string chunks of a stream go out as UTF-8 (Bun and @hono/node-server write them)', async (t) => {
  const { res } = await answer(() => new Response(new ReadableStream<unknown>({
    start(c) {
      c.enqueue('data: First!\n\n');
      c.enqueue('é');
      c.close();
    },
  }) as ReadableStream<Uint8Array>, { headers: { 'content-type': 'text/event-stream' } }));
  t.is(Buffer.from(unchunk(res.body), 'latin1').toString('utf8'), 'data: First!\n\né');
});

test('HEAD on a streamed answer sends the head only and cancels the stream', async (t) => {
  let cancelled = false;
  const { res } = await answer(() => new Response(new ReadableStream({
    pull(c) { c.enqueue(bytes('never sent')); },
    cancel() { cancelled = true; },
  })), 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
  t.is(res.status, 200);
  t.is(res.body.length, 0);
  t.is(res.get('content-length'), undefined);
  t.true(cancelled);
});

test('a stream that fails before its first chunk (start() or the first pull()) is a 500 with its error (srvx), not a 200 cut short', async (t) => {
  const failure = new Error('early');
  const streams: Array<() => ReadableStream<Uint8Array>> = [
    () => new ReadableStream({ start(c) { c.error(failure); } }),
    () => new ReadableStream({ async start() { throw failure; } }),
    () => new ReadableStream({ pull() { throw failure; } }),
  ];
  for (const [i, make] of streams.entries()) {
    const { res, errors } = await answer(() => new Response(make()));
    t.is(res.status, 500, `stream ${i}`);
    t.deepEqual(errors, [failure], `stream ${i}`);
  }
});

test('a stream that fails midway ends the connection without a last chunk (srvx: the client sees it fail)', async (t) => {
  await withFetchServer(() => new Response(new ReadableStream({
    async start(c) {
      c.enqueue(bytes('chunk1\n'));
      await new Promise((r) => setTimeout(r, 20));
      c.error(new Error('stream error!'));
    },
  })), (base) => withRaw(base, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const data = await c.readUntil(() => false);
    t.true(c.closed);
    t.regex(data.toString(), /chunk1\n\r\n$/);
    t.false(data.toString().includes('\r\n0\r\n\r\n'));
  }));
});

const failing = test.macro(async (t, handler: Handler) => {
  const { res, errors } = await answer(handler);
  t.is(res.status, 500);
  t.is(res.body.length, 0, 'no details leak');
  t.is(errors.length, 1, 'onException is told');
});
test('a handler returning a string is a 500 (@hono/node-server\'s /invalid)', failing, () => '<h1>HTML</h1>');
test('an async handler that rejects is a 500', failing, async () => {
  throw new Error('async boom');
});
test('Response.error() is a 500', failing, () => Response.error());
test('a Response whose body was already read is a 500', failing, async () => {
  const r = new Response('read');
  await r.text();
  return r;
});
test('new Response(null, { status: 101 }) is undici\'s RangeError: a 500', failing, () => new Response(null, { status: 101 }));
test('a body with a null-body status (204) is undici\'s TypeError: a 500', failing, () => new Response('x', { status: 204 }));

test('a header section over the limit is a 431 (RFC 6585 §5) before the handler runs', async (t) => {
  let called = false;
  const { res } = await answer(() => {
    called = true;
    return new Response('x');
  }, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
  t.is(res.status, 431);
  t.false(called);
});
