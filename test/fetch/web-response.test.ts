// Response bodies of every kind over a real socket: framing (Content-Length when the length is known, chunked only
// for streams, never both), types kept, Set-Cookie as separate fields, reason phrases, and bodiless answers.
import test from 'ava';
import { runInNewContext } from 'node:vm';
import { deferred, withFetchServer, withRaw, type RawResponse } from './support.js';

/** GETs `path` from a server answering with `make()`, over a raw connection (the framing fields stay visible). */
async function answer(make: (req: Request) => Response | Promise<Response>, request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', headOnly = false): Promise<RawResponse> {
  return withFetchServer(make, (base) => withRaw(base, async (c) => {
    c.write(request);
    return c.readResponse(headOnly);
  }));
}

const framing = test.macro(async (t, make: () => Response, body: string, contentType: string | undefined) => {
  const res = await answer(make);
  t.is(res.status, 200);
  t.is(res.get('content-length'), String(Buffer.byteLength(body)));
  t.is(res.get('transfer-encoding'), undefined);
  t.is(res.get('content-type'), contentType);
  t.is(res.body.toString('utf8'), body);
});

test('a string body goes out with Content-Length and text/plain', framing, () => new Response('héllo'), 'héllo', 'text/plain;charset=UTF-8');
test('a Uint8Array body goes out with Content-Length and no type', framing, () => new Response(new Uint8Array([104, 105])), 'hi', undefined);
test('an ArrayBuffer body goes out with Content-Length', framing, () => new Response(new TextEncoder().encode('ab').buffer), 'ab', undefined);
test('a Blob body keeps its type and length', framing, () => new Response(new Blob(['<p>'], { type: 'text/html' })), '<p>', 'text/html');
test('URLSearchParams go out form-encoded with Content-Length', framing, () => new Response(new URLSearchParams({ a: '1', b: 'x y' })),
  'a=1&b=x+y', 'application/x-www-form-urlencoded;charset=UTF-8');
test('Response.json goes out with Content-Length and application/json', framing, () => Response.json({ a: [1, 2] }), '{"a":[1,2]}', 'application/json');
test('a null body is an empty body with Content-Length 0 and no type', framing, () => new Response(null), '', undefined);

test('a FormData body is multipart with its boundary and a Content-Length', async (t) => {
  const form = new FormData();
  form.append('name', 'sluice');
  const res = await answer(() => new Response(form));
  const type = res.get('content-type')!;
  t.regex(type, /^multipart\/form-data; boundary=/);
  t.is(Number(res.get('content-length')), res.body.length);
  const parsed = await new Response(res.body, { headers: { 'content-type': type } }).formData();
  t.is(parsed.get('name'), 'sluice');
});

test('a ReadableStream body is chunked, with no Content-Length, and string chunks are UTF-8', async (t) => {
  const res = await withFetchServer(() => new Response(<ReadableStream<Uint8Array>><unknown>new ReadableStream<unknown>({
    start(c) {
      c.enqueue('Hé');
      c.enqueue(new TextEncoder().encode('llo'));
      c.close();
    },
  })), async (base) => fetch(base));
  t.is(res.headers.get('transfer-encoding'), 'chunked');
  t.is(res.headers.get('content-length'), null);
  t.is(await res.text(), 'Héllo');
});

test('a stream with an app Content-Length is framed by it, and an app Transfer-Encoding is not sent twice', async (t) => {
  const stream = (): ReadableStream<Uint8Array> => new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('abc')); c.close(); } });
  const sized = await answer(() => new Response(stream(), { headers: { 'content-length': '3' } }));
  t.deepEqual(sized.all('content-length'), ['3']);
  t.is(sized.get('transfer-encoding'), undefined);
  t.is(sized.body.toString(), 'abc');
  const both = await answer(() => new Response(stream(), { headers: { 'transfer-encoding': 'chunked', 'content-length': '3' } }));
  t.deepEqual(both.all('transfer-encoding'), ['chunked']);
  t.deepEqual(both.all('content-length'), []);
  const bytes = await answer(() => new Response('abcd', { headers: { 'transfer-encoding': 'chunked', 'content-length': '00004' } }));
  t.deepEqual(bytes.all('content-length'), ['4']);
  t.deepEqual(bytes.all('transfer-encoding'), []);
  t.is(bytes.body.toString(), 'abcd');
});

test('several Set-Cookie headers go out as separate fields', async (t) => {
  const res = await answer(() => {
    const r = new Response('ok', { headers: [['set-cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=2']] });
    r.headers.append('set-cookie', 'c=3, with a comma');
    return r;
  });
  t.deepEqual(res.all('set-cookie'), ['a=1; Path=/', 'b=2', 'c=3, with a comma']);
});

test('statusText is sent as the reason phrase, and a control character in it never reaches the wire', async (t) => {
  t.is((await answer(() => new Response('x', { status: 299, statusText: 'Fine Indeed' }))).reason, 'Fine Indeed');
  t.is((await answer(() => new Response('x', { status: 404 }))).reason, 'Not Found');
  const forged = { status: 200, statusText: 'OK\r\nX-Inj: pwned', headers: new Headers(), body: null };
  const res = await answer(() => forged as unknown as Response);
  t.is(res.reason, 'OKX-Inj: pwned');
  t.is(res.get('x-inj'), undefined);
});

test('204 and 304 carry no body and no framing fields', async (t) => {
  for (const status of [204, 304]) {
    const res = await answer(() => new Response(null, { status, headers: { 'content-length': '7' } }), undefined, true);
    t.is(res.status, status);
    t.is(res.get('content-length'), undefined);
    t.is(res.get('transfer-encoding'), undefined);
    t.is(res.body.length, 0);
  }
});

test('HEAD gets the GET length and no body; a streamed HEAD answer is cancelled, not read', async (t) => {
  const head = await answer(() => new Response('hello'), 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n', true);
  t.is(head.get('content-length'), '5');
  t.is(head.body.length, 0);
  const cancelled = deferred<unknown>();
  const res = await answer(() => new Response(new ReadableStream({
    pull(c) { c.enqueue(new Uint8Array(10)); },
    cancel(reason) { cancelled.resolve(reason); },
  }), { headers: { 'content-length': '123' } }), 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n', true);
  t.is(res.get('content-length'), '123');
  t.is(res.get('transfer-encoding'), undefined);
  await cancelled.promise;
  const bare = await answer(() => new Response(null), 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n', true);
  t.is(bare.get('content-length'), undefined, 'HEAD with no body and no declared length sends no Content-Length, not 0');
});

test('a Response subclass and a Response from another realm both work', async (t) => {
  class Tagged extends Response {
    readonly tag = 'mine';
  }
  const sub = await answer(() => new Tagged('sub', { headers: { 'x-kind': 'subclass' } }));
  t.is(sub.body.toString(), 'sub');
  t.is(sub.get('x-kind'), 'subclass');
  const foreign = runInNewContext(`({
    status: 202, statusText: '', body: null,
    headers: { forEach(cb) { cb('v', 'x-realm'); }, getSetCookie() { return ['k=1', 'k=2']; } },
  })`) as Response;
  const other = await answer(() => foreign);
  t.is(other.status, 202);
  t.is(other.get('x-realm'), 'v');
  t.deepEqual(other.all('set-cookie'), ['k=1', 'k=2']);
  t.is(other.get('content-length'), '0');
});

test('a foreign Response with a stream body is streamed through the public API', async (t) => {
  const body = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode('streamed')); c.close(); } });
  const foreign = { status: 200, statusText: 'OK', body, bodyUsed: false, headers: new Headers({ 'content-type': 'text/x', 'content-length': '8' }) };
  const res = await answer(() => foreign as unknown as Response);
  t.is(res.get('content-type'), 'text/x');
  t.is(res.get('content-length'), '8');
  t.is(res.body.toString(), 'streamed');
});
