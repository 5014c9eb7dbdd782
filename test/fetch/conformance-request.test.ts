// The Request a handler gets, checked over a real socket against what @hono/node-server's and srvx's adapter tests
// (and Bun.serve, where they differ) expect: request.url for every target form and Host, header combining, bodies
// framed either way, Expect: 100-continue, reads after the client left, and request.signal's reason.
import test from 'ava';
import { deferred, parseRaw, withFetchServer, withRaw } from './support.js';

/** Sends `request` raw and returns the one response (framed by Content-Length) to it. */
async function exchange(handler: (req: Request) => Response | Promise<Response>, request: string): Promise<ReturnType<typeof parseRaw>> {
  return withFetchServer(handler, (base) => withRaw(base, async (c) => {
    c.write(request);
    return c.readResponse();
  }));
}

const echoUrl = (req: Request): Response => new Response(req.url);

test('an absolute-form target names the authority (RFC 9112 §3.2.2), and the scheme stays the connection\'s', async (t) => {
  const res = await exchange(echoUrl, 'GET https://evil.example:8080/a/../b?q=1 HTTP/1.1\r\nHost: other.example\r\n\r\n');
  t.is(res.body.toString(), 'http://evil.example:8080/b?q=1');
});

test('an absolute-form target with userinfo or a scheme other than http(s) is a 400 (RFC 9110 §4.2.4, §7.4)', async (t) => {
  for (const target of ['http://user@real.example/admin', 'ftp://evil.example/', 'file:///etc/passwd']) {
    const res = await exchange(echoUrl, `GET ${target} HTTP/1.1\r\nHost: good.example\r\n\r\n`);
    t.is(res.status, 400, target);
  }
});

test('an IPv6 Host keeps its brackets and port in request.url', async (t) => {
  t.is((await exchange(echoUrl, 'GET /v6 HTTP/1.1\r\nHost: [::1]:3000\r\n\r\n')).body.toString(), 'http://[::1]:3000/v6');
  t.is((await exchange(echoUrl, 'GET /v6 HTTP/1.1\r\nHost: [::1]\r\n\r\n')).body.toString(), 'http://[::1]/v6');
});

test('HTTP/1.1 without a Host, or with a malformed one, is a 400 (RFC 9112 §3.2); HTTP/1.0 without one gets the server address', async (t) => {
  t.is((await exchange(echoUrl, 'GET / HTTP/1.1\r\n\r\n')).status, 400);
  for (const host of ['a b', 'a/b', 'localhost?x=1', 'localhost:65536', 'evil@host.example', '<script>']) {
    t.is((await exchange(echoUrl, `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`)).status, 400, host);
  }
  await withFetchServer(echoUrl, (base) => withRaw(base, async (c) => {
    c.write('GET /old HTTP/1.0\r\n\r\n');
    const res = parseRaw(await c.readUntil(() => false));
    t.is(res.body.toString(), `${base}/old`);
  }));
});

test('repeated fields are combined with ", " and repeated Cookie fields with "; ", as Headers combines them', async (t) => {
  const res = await exchange(
    (req) => Response.json([...req.headers]),
    'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nCookie: a=1\r\nX-A: 2\r\nCookie: b=2\r\n\r\n',
  );
  t.deepEqual(JSON.parse(res.body.toString()), [['cookie', 'a=1; b=2'], ['host', 'x'], ['x-a', '1, 2']]);
});

test('request.headers can be changed by the handler (Bun and @hono/node-server: a mutable Headers)', async (t) => {
  const res = await exchange((req) => {
    req.headers.set('x-added', 'yes');
    req.headers.delete('x-gone');
    return new Response(`${req.headers.get('x-added')} ${req.headers.has('x-gone')} ${req.clone().headers.get('x-added')}`);
  }, 'GET / HTTP/1.1\r\nHost: x\r\nX-Gone: 1\r\n\r\n');
  t.is(res.body.toString(), 'yes false yes');
});

test('a body framed by Content-Length and one chunked read the same', async (t) => {
  const echo = async (req: Request): Promise<Response> => new Response(`${req.headers.get('transfer-encoding')}:${await req.text()}`);
  t.is((await exchange(echo, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello')).body.toString(), 'null:hello');
  t.is((await exchange(echo, 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n')).body.toString(), 'chunked:hello');
});

test('Expect: 100-continue gets 100 once the body is read, and no 100 when the answer needs no body (RFC 9110 §10.1.1)', async (t) => {
  await withFetchServer(async (req) => {
    if (new URL(req.url).pathname === '/reject') return new Response('too big', { status: 413 });
    return new Response(await req.text());
  }, async (base) => {
    await withRaw(base, async (c) => {
      c.write('POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n');
      const interim = await c.readUntil((d) => d.includes('\r\n\r\n'));
      t.regex(interim.toString(), /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
      c.write('abc');
      const res = await c.readResponse();
      t.is(res.status, 200);
      t.is(res.body.toString(), 'abc');
    });
    await withRaw(base, async (c) => {
      c.write('POST /reject HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n');
      const res = await c.readResponse();
      t.is(res.status, 413);
      t.is(res.body.toString(), 'too big');
    });
  });
});

test('GET and HEAD have a null body; a POST with Content-Length: 0 a stream that reads as 0 bytes', async (t) => {
  const describe = async (req: Request): Promise<Response> => new Response(
    req.body === null ? 'null' : `stream:${(await req.arrayBuffer()).byteLength}`, { headers: { 'x-body': String(req.body === null) } },
  );
  t.is((await exchange(describe, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).body.toString(), 'null');
  await withFetchServer(describe, (base) => withRaw(base, async (c) => {
    c.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
    t.is((await c.readResponse(true)).get('x-body'), 'true');
  }));
  t.is((await exchange(describe, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')).body.toString(), 'stream:0');
});

test('clone() tees the body, and formData() reads multipart (files included) and urlencoded bodies', async (t) => {
  const cloned = await exchange(async (req) => {
    const copy = req.clone();
    return new Response(`${await copy.text()}|${await req.text()}`);
  }, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
  t.is(cloned.body.toString(), 'abc|abc');

  const form = async (req: Request): Promise<Response> => {
    const data = await req.formData();
    return Response.json(await Promise.all([...data].map(async ([k, v]) => [k, typeof v === 'string' ? v : `${v.name}:${v.type}:${await v.text()}`])));
  };
  const multipart = '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
    + '--B\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n';
  const m = await exchange(form, `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: ${multipart.length}\r\n\r\n${multipart}`);
  t.deepEqual(JSON.parse(m.body.toString()), [['a', '1'], ['f', 'x.txt:text/plain:hello']]);
  const u = await exchange(form, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 12\r\n\r\na=1&b=x+y%21');
  t.deepEqual(JSON.parse(u.body.toString()), [['a', '1'], ['b', 'x y!']]);
});

test('a body that arrived whole still reads after the client left (@hono/node-server\'s disconnect tests)', async (t) => {
  const outcomes: unknown[] = [];
  const gone = deferred();
  const read = deferred();
  await withFetchServer(async (req) => {
    await gone.promise;
    await new Promise((r) => setTimeout(r, 50));
    outcomes.push(await req.text().catch((e: unknown) => e));
    if (outcomes.length === 2) read.resolve();
    return new Response('late');
  }, async (base) => {
    for (const request of [
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    ]) {
      await withRaw(base, async (c) => {
        c.write(request);
        await new Promise((r) => setTimeout(r, 50));
      });
    }
    gone.resolve();
    await read.promise;
  });
  t.deepEqual(outcomes, ['hello', 'hello']);
});

test('request.signal aborts with an AbortError (Bun) whose code is ECONNRESET (srvx), and a cut-short read rejects with it', async (t) => {
  const seen = deferred<[unknown, unknown]>();
  await withFetchServer(async (req) => {
    const error = await req.text().catch((e: unknown) => e);
    seen.resolve([error, req.signal.reason]);
    return new Response('late');
  }, (base) => withRaw(base, async (c) => {
    c.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial');
    await new Promise((r) => setTimeout(r, 50));
    c.destroy();
    const [error, reason] = await seen.promise;
    t.is(error, reason);
    t.true(reason instanceof DOMException);
    const e = reason as Omit<DOMException, 'code'> & { code: unknown; cause: unknown };
    t.is(e.name, 'AbortError');
    t.is(e.code, 'ECONNRESET');
    t.regex(String(e), /^AbortError: /);
    t.is((e.cause as { code?: unknown }).code, 'ECONNRESET', 'the engine\'s own error is its cause');
  }));
});

test('the signal aborts when the client leaves while the error option is still answering', async (t) => {
  const started = deferred();
  const aborted = deferred<boolean>();
  let request: Request | null = null;
  await withFetchServer({
    fetch: (req) => {
      request = req;
      req.signal.addEventListener('abort', () => aborted.resolve(req.signal.aborted));
      throw new Error('boom');
    },
    error: async () => {
      started.resolve();
      await aborted.promise;
      return new Response('too late', { status: 500 });
    },
  }, (base) => withRaw(base, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await started.promise;
    c.destroy();
    t.true(await aborted.promise);
    t.true(request!.signal.aborted);
  }));
});

test('request.ip is the client address (srvx)', async (t) => {
  t.is((await exchange((req) => new Response(`ip: ${(req as Request & { ip?: string }).ip}`), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).body.toString(), 'ip: 127.0.0.1');
});
