// Every refused request gets its 4xx/5xx (RFC 9110 §15, RFC 9112), the app never sees it, and the connection is
// closed after the answer: what follows a bad request cannot be trusted to be framed right.
import test from './transport.js';
import { concatBytes, respond, type Application, type Settings } from '../../src/index.js';
import { parseResponses, rawExchange, withServer } from './helpers.js';

interface ErrorCase {
  /** Raw request bytes (a valid GET follows them, to prove nothing after the error is served). */
  request: string;
  status: number;
  settings?: Partial<Settings>;
}

const BIG = 'x'.repeat(70 * 1024);
const FOLLOW = 'GET /after HTTP/1.1\r\nHost: t\r\n\r\n';

const headErrors: Record<string, ErrorCase> = {
  'a malformed request line': { request: 'GET /\r\nHost: t\r\n\r\n', status: 400 },
  'a request line with two spaces': { request: 'GET  / HTTP/1.1\r\nHost: t\r\n\r\n', status: 400 },
  'a lower-case version': { request: 'GET / http/1.1\r\nHost: t\r\n\r\n', status: 400 },
  'a header without a colon': { request: 'GET / HTTP/1.1\r\nHost: t\r\nNoColonHere\r\n\r\n', status: 400 },
  'whitespace before the colon': { request: 'GET / HTTP/1.1\r\nHost : t\r\n\r\n', status: 400 },
  'an obs-fold continuation line': { request: 'GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n two\r\n\r\n', status: 400 },
  'a NUL in a field value': { request: 'GET / HTTP/1.1\r\nHost: t\r\nX-A: a\0b\r\n\r\n', status: 400 },
  'a bare CR in a field value': { request: 'GET / HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n', status: 400 },
  'a non-numeric Content-Length': { request: 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n', status: 400 },
  'a negative Content-Length': { request: 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n', status: 400 },
  'differing duplicate Content-Lengths': {
    request: 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', status: 400,
  },
  'a differing Content-Length list': { request: 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1, 2\r\n\r\nab', status: 400 },
  'Transfer-Encoding with Content-Length': {
    request: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n', status: 400,
  },
  'Transfer-Encoding not ending in chunked': {
    request: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', status: 400,
  },
  'chunked applied twice': { request: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n', status: 400 },
  'an unknown transfer coding before chunked': {
    request: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', status: 501,
  },
  'a missing Host in HTTP/1.1': { request: 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', status: 400 },
  'an empty Host on an origin-form request (RFC 9112 §3.2)': { request: 'GET / HTTP/1.1\r\nHost:\r\n\r\n', status: 400 },
  'two Host fields': { request: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', status: 400 },
  'HTTP/2.0': { request: 'GET / HTTP/2.0\r\nHost: t\r\n\r\n', status: 505 },
  'HTTP/3.1': { request: 'GET / HTTP/3.1\r\nHost: t\r\n\r\n', status: 505 },
  'a header section over 64 KiB': { request: `GET / HTTP/1.1\r\nHost: t\r\nX-Big: ${BIG}\r\n\r\n`, status: 431 },
  'more than 100 header fields': {
    request: `GET / HTTP/1.1\r\nHost: t\r\n${Array.from({ length: 101 }, (_, i) => `X-${i}: v\r\n`).join('')}\r\n`, status: 431,
  },
  'a target over 8 KiB': { request: `GET /${'a'.repeat(8 * 1024 + 1)} HTTP/1.1\r\nHost: t\r\n\r\n`, status: 414 },
  'a declared body over maxBodyBytes': {
    request: 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world', status: 413, settings: { maxBodyBytes: 10 },
  },
  'Expect: foo': { request: 'GET / HTTP/1.1\r\nHost: t\r\nExpect: foo\r\n\r\n', status: 417 },
};

for (const [what, c] of Object.entries(headErrors)) {
  test(`${what} is answered ${c.status} without calling the app, then the connection closes`, async (t) => {
    const seen: string[] = [];
    const app: Application = (req) => {
      seen.push(req.target);
      return respond(200, {}, 'ok');
    };
    await withServer(app, c.settings ?? {}, async (port) => {
      const r = await rawExchange(port, c.request + FOLLOW);
      t.true(r.closed, 'the server closes the connection');
      const rs = parseResponses(r.data);
      t.is(rs.length, 1, 'exactly one response: nothing after the bad request is served');
      t.is(rs[0]!.status, c.status);
      t.is(rs[0]!.headers['connection'], 'close');
      // RFC 9110 §6.6.1: an origin server with a clock sends Date in every response, early errors included.
      t.regex(rs[0]!.headers['date'] ?? '', /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      t.is(rs[0]!.headers['server'], 'Sluice');
      t.deepEqual(seen, []);
    });
  });
}

/** Body errors surface while the body is read: the app that reads sees the error, the client gets the status. */
const bodyErrors: Record<string, ErrorCase> = {
  'a bad chunk size': { request: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n', status: 400 },
  'a chunk size overflow': {
    request: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nhello\r\n0\r\n\r\n', status: 400,
  },
  'a missing CRLF after chunk data': {
    request: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n', status: 400,
  },
  'a trailer section over 8 KiB': {
    request: `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-Big: ${'t'.repeat(9000)}\r\n\r\n`, status: 431,
  },
  'chunk extensions over 16 KiB in all': {
    request: `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${`1;${'e'.repeat(1000)}\r\na\r\n`.repeat(20)}0\r\n\r\n`, status: 400,
  },
  'a trailer line without a colon': {
    request: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nno colon here\r\n\r\n', status: 400,
  },
  'a chunked body over maxBodyBytes': {
    request: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n',
    status: 413, settings: { maxBodyBytes: 10 },
  },
};

for (const [what, c] of Object.entries(bodyErrors)) {
  test(`${what} read by the app is answered ${c.status}, then the connection closes`, async (t) => {
    const errors: unknown[] = [];
    const app: Application = async (req) => {
      try {
        await req.body.runAsync(concatBytes());
      } catch (e) {
        errors.push(e);
        throw e;
      }
      return respond(200, {}, 'ok');
    };
    await withServer(app, c.settings ?? {}, async (port) => {
      const r = await rawExchange(port, c.request + FOLLOW);
      t.true(r.closed);
      const rs = parseResponses(r.data);
      t.is(rs.length, 1);
      t.is(rs[0]!.status, c.status);
      t.is(rs[0]!.headers['connection'], 'close');
      t.truthy(rs[0]!.headers['date']);
      t.is(errors.length, 1, 'the app saw the body error');
    });
  });

  test(`${what} the app never read ends the connection after the app's answer, serving nothing more`, async (t) => {
    const seen: string[] = [];
    const app: Application = (req) => {
      seen.push(req.target);
      return respond(200, {}, 'ok');
    };
    await withServer(app, c.settings ?? {}, async (port) => {
      const r = await rawExchange(port, c.request + FOLLOW);
      t.true(r.closed);
      const rs = parseResponses(r.data);
      // The app's 200 went out before the drain met the bad body; the drain then closes instead of reading on.
      t.deepEqual(rs.map((x) => x.status), [200]);
      t.deepEqual(seen, ['/']);
    });
  });
}

test('a body that ends early (client half-closes) is not answered as a success', async (t) => {
  let failure: unknown = null;
  const app: Application = async (req) => {
    try {
      await req.body.runAsync(concatBytes());
    } catch (e) {
      failure = e;
      throw e;
    }
    return respond(200, {}, 'ok');
  };
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc', { end: true });
    t.true(r.closed);
    const rs = parseResponses(r.data);
    t.true(rs.every((x) => x.status !== 200));
    t.not(failure, null);
  });
});

test('a body exactly at maxBodyBytes is accepted, Content-Length or chunked', async (t) => {
  const app: Application = async (req) => respond(200, {}, await req.body.runAsync(concatBytes()));
  await withServer(app, { maxBodyBytes: 10 }, async (port) => {
    const r = await rawExchange(port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789'
      + 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n');
    t.deepEqual(parseResponses(r.data).map((x) => [x.status, x.body.toString()]), [[200, '0123456789'], [200, '0123456789']]);
  });
});
