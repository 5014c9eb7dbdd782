// The Request a handler receives, over a real socket: it is a Request to every check (instanceof, undici's own
// constructor and prototype methods, clone), its url/method/headers read like the runtime's, and its body is a stream
// only for methods that have one.
import test from 'ava';
import { inspect } from 'node:util';
import { withFetchServer, withRaw } from './support.js';

/** Sends `raw` to a server whose handler reports `probe(req)` as JSON. */
async function probe(raw: string, look: (req: Request, info: unknown) => unknown | Promise<unknown>): Promise<unknown> {
  return withFetchServer(async (req, info) => Response.json(await look(req, info)), (base) => withRaw(base, async (c) => {
    c.write(raw);
    return JSON.parse((await c.readResponse()).body.toString()) as unknown;
  }));
}

test('the request is a Request to instanceof, toString, constructor and util.inspect', async (t) => {
  const seen = await probe('GET /p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n', (req) => ({
    instance: req instanceof Request,
    tag: Object.prototype.toString.call(req),
    ctor: req.constructor === Request,
    inspect: inspect(req).includes('http://example.com/p?q=1'),
    keys: Object.keys(req),
  }));
  t.deepEqual(seen, { instance: true, tag: '[object Request]', ctor: true, inspect: true, keys: [] });
});

test('undici accepts it as a real Request: new Request(req), clone(), prototype methods called on it', async (t) => {
  const seen = await probe('PUT /r HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nContent-Length: 4\r\n\r\nbody', async (req) => {
    const clone = req.clone();
    const copy = new Request(req);
    return {
      copy: [copy.method, copy.url, copy.headers.get('x-a'), await copy.text()],
      clone: [clone.method, clone.url, await clone.text()],
      used: req.bodyUsed,
      keepalive: req.keepalive,
      mode: req.mode,
      viaPrototype: await Request.prototype.text.call(new Request(req.url, { method: 'POST', body: 'x' })),
    };
  });
  t.deepEqual(seen, { copy: ['PUT', 'http://h/r', '1', 'body'], clone: ['PUT', 'http://h/r', 'body'], used: true, keepalive: false, mode: 'cors', viaPrototype: 'x' });
});

test('request.url is what WHATWG URL serializes: dot segments resolved, absolute-form uses its own authority', async (t) => {
  const url = (raw: string): Promise<unknown> => probe(raw, (req) => req.url);
  t.is(await url('GET /static/../foo.txt HTTP/1.1\r\nHost: localhost:8080\r\n\r\n'), 'http://localhost:8080/foo.txt');
  t.is(await url('GET /a%20b?x=<y> HTTP/1.1\r\nHost: EXAMPLE.com:80\r\n\r\n'), 'http://example.com/a%20b?x=%3Cy%3E');
  t.is(await url('GET http://other.example/p?q HTTP/1.1\r\nHost: ignored\r\n\r\n'), 'http://other.example/p?q');
  t.is(await url('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n'), 'http://h/*');
});

test('methods are normalized as Request normalizes them, and any token method reaches the handler', async (t) => {
  const method = (m: string): Promise<unknown> => probe(`${m} / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi`, async (req) => [req.method, await req.text()]);
  t.deepEqual(await method('get'), ['GET', '']);
  t.deepEqual(await method('PROPFIND'), ['PROPFIND', 'hi']);
  t.deepEqual(await method('patch'), ['patch', 'hi']);
  t.deepEqual(await method('TRACE'), ['TRACE', 'hi']);
  t.deepEqual(await method('X-CUSTOM'), ['X-CUSTOM', 'hi']);
});

test('headers are a real Headers: repeated fields combined, cookies with "; "', async (t) => {
  const seen = await probe('GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\naccept: b\r\nCookie: x=1\r\nCookie: y=2\r\n\r\n', (req) => ({
    instance: req.headers instanceof Headers,
    same: req.headers === req.headers,
    accept: req.headers.get('accept'),
    cookie: req.headers.get('cookie'),
    entries: [...req.headers].length,
  }));
  t.deepEqual(seen, { instance: true, same: true, accept: 'a, b', cookie: 'x=1; y=2', entries: 3 });
});

test('GET and HEAD have a null body; other methods a stream, empty or not', async (t) => {
  t.deepEqual(await probe('GET / HTTP/1.1\r\nHost: h\r\n\r\n', (req) => [req.body === null, req.bodyUsed]), [true, false]);
  t.deepEqual(await probe('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n', async (req) => [req.body instanceof ReadableStream, await req.text()]), [true, '']);
});

test('text, json, arrayBuffer, blob, formData and bytes read the body; a second read is rejected', async (t) => {
  const read = (type: string, body: string, how: (req: Request) => Promise<unknown>): Promise<unknown> =>
    probe(`POST / HTTP/1.1\r\nHost: h\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, async (req) => {
      const first = await how(req);
      const second = await req.text().then(() => 'read twice', (e: Error) => e.name);
      return [first, second, req.bodyUsed];
    });
  t.deepEqual(await read('application/json', '{"a":1}', (r) => r.json()), [{ a: 1 }, 'TypeError', true]);
  t.deepEqual(await read('text/plain', 'héllo', (r) => r.text()), ['héllo', 'TypeError', true]);
  t.deepEqual(await read('x/y', 'abc', async (r) => [...new Uint8Array(await r.arrayBuffer())]), [[97, 98, 99], 'TypeError', true]);
  t.deepEqual(await read('text/plain', 'blob', async (r) => { const b = await r.blob(); return [b.type, await b.text()]; }), [['text/plain', 'blob'], 'TypeError', true]);
  t.deepEqual(await read('application/x-www-form-urlencoded', 'a=1&b=2', async (r) => Object.fromEntries(await r.formData())), [{ a: '1', b: '2' }, 'TypeError', true]);
});

test('a body read through request.body stream, then used again, is unusable', async (t) => {
  const seen = await probe('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc', async (req) => {
    const text = await new Response(req.body).text();
    const again = await req.json().then(() => 'read twice', (e: Error) => e.name);
    return [text, again, req.bodyUsed, (() => { try { req.clone(); return 'cloned'; } catch (e) { return (e as Error).name; } })()];
  });
  t.deepEqual(seen, ['abc', 'TypeError', true, 'TypeError']);
});

test('the client address is in info.remoteAddr (Deno), info.requestIP (Bun) and request.ip (srvx)', async (t) => {
  const seen = await probe('GET / HTTP/1.1\r\nHost: h\r\n\r\n', (req, info) => {
    const i = info as { remoteAddr: { transport: string; hostname: string; port: number }; requestIP(r: Request): { address: string; family: string } | null };
    return [i.remoteAddr.transport, i.remoteAddr.hostname, i.remoteAddr.port > 0, i.requestIP(req), (req as Request & { ip?: string }).ip];
  }) as unknown[];
  t.deepEqual(seen.slice(0, 3), ['tcp', '127.0.0.1', true]);
  t.like(seen[3], { address: '127.0.0.1', family: 'IPv4' });
  t.is(seen[4], '127.0.0.1');
});

test('text() and json() read an untouched body without a stream: a BOM is dropped, invalid JSON rejects, a second read fails', async (t) => {
  const body = '\ufeff{"ok":true}';
  const seen = await probe(`POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, async (req) => {
    const parsed = await req.json();
    return [parsed, req.bodyUsed, await req.text().catch((e: Error) => e.name), req.body instanceof ReadableStream, await req.arrayBuffer().catch((e: Error) => e.name)];
  });
  t.deepEqual(seen, [{ ok: true }, true, 'TypeError', true, 'TypeError']);
  const bad = await probe('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n{x}', (req) => req.json().then(() => 'parsed', (e: Error) => e.name));
  t.is(bad, 'SyntaxError');
  const bytes = await probe('PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi', async (req) => [...await (req as Request & { bytes(): Promise<Uint8Array> }).bytes()]);
  t.deepEqual(bytes, [104, 105]);
  const none = await probe('GET / HTTP/1.1\r\nHost: h\r\n\r\n', async (req) => [await req.text(), (await req.arrayBuffer()).byteLength, req.bodyUsed]);
  t.deepEqual(none, ['', 0, false]);
});
