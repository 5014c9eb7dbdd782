// Application failures: a throw before the head becomes a 500 that leaks nothing (then close); unsendable header
// values never reach the wire; a body stream that fails after the head closes the connection mid-body (warp's
// ExceptionInsideResponseBody), so the client sees a truncated response, never a corrupted one followed by another.
import test from './transport.js';
import { respond, source, type Application, type Request, type Source } from '../../src/index.js';
import { get, parseResponses, rawExchange, withServer } from './helpers.js';

const SECRET = 'secret-db-password-42';
const NEXT = get('/next');

interface Reported {
  error: unknown;
  request: Request | null;
}

function reporting(reported: Reported[]): { onException: (error: unknown, request: Request | null) => void } {
  return { onException: (error, request) => reported.push({ error, request }) };
}

const throwers: Record<string, Application> = {
  'a synchronous throw': () => {
    throw new Error(SECRET);
  },
  'a rejected promise': async () => {
    await Promise.resolve();
    throw new Error(SECRET);
  },
  'a thrown non-Error value': () => {
    throw SECRET;
  },
};

for (const [what, app] of Object.entries(throwers)) {
  test(`${what} before the head is a 500 that does not leak the message, reported to onException`, async (t) => {
    const reported: Reported[] = [];
    const seen: string[] = [];
    const wrapped: Application = (req) => {
      seen.push(req.path);
      return app(req);
    };
    await withServer(wrapped, reporting(reported), async (port) => {
      const r = await rawExchange(port, get('/boom') + NEXT);
      t.true(r.closed);
      const rs = parseResponses(r.data);
      t.deepEqual(rs.map((x) => x.status), [500]);
      t.is(rs[0]!.headers['connection'], 'close');
      t.false(r.data.toString('latin1').includes(SECRET));
      t.deepEqual(seen, ['/boom'], 'the pipelined request after the failure is not served');
    });
    t.is(reported.length, 1);
    const e = reported[0]!.error;
    t.true(e === SECRET || (e instanceof Error && e.message === SECRET));
    t.is(reported[0]!.request?.path, '/boom');
  });
}

const badHeaders: Record<string, Record<string, string>> = {
  'a CRLF in a header value': { 'x-note': `a\r\nset-cookie: injected=1` },
  'a bare LF in a header value': { 'x-note': 'a\nset-cookie: injected=1' },
  'a bare CR in a header value': { 'x-note': 'a\rset-cookie: injected=1' },
  'a NUL in a header value': { 'x-note': 'a\0set-cookie: injected=1' },
  'a colon in a header name': { 'set-cookie: injected=1\r\nx': 'v' },
  'a space in a header name': { 'x bad': 'set-cookie: injected=1' },
};

for (const [what, headers] of Object.entries(badHeaders)) {
  test(`${what} is a 500 and nothing is injected`, async (t) => {
    const reported: Reported[] = [];
    const app: Application = () => respond(200, headers, 'body');
    await withServer(app, reporting(reported), async (port) => {
      const r = await rawExchange(port, get('/'));
      t.true(r.closed);
      const rs = parseResponses(r.data);
      t.deepEqual(rs.map((x) => x.status), [500]);
      t.false(r.data.toString('latin1').toLowerCase().includes('injected'));
      t.false('set-cookie' in rs[0]!.headers);
    });
    t.is(reported.length, 1);
    t.is((reported[0]!.error as { code?: string }).code, 'BAD_RESPONSE_HEADER');
  });
}

test('a CR in a streamed response header value is a 500 and the stream is never run', async (t) => {
  let ran = false;
  const app: Application = () => respond(200, { 'x-a': 'v\r\ninjected: 1' }, source<Uint8Array>(function* (io) {
    ran = true;
    yield* io.emit(Buffer.from('body'));
  }));
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/'));
    t.deepEqual(parseResponses(r.data).map((x) => x.status), [500]);
    t.false(r.data.toString('latin1').includes('injected'));
  });
  t.false(ran);
});

/** A stream that emits some bytes and then throws. */
function failingStream(): Source<Uint8Array> {
  return source<Uint8Array>(function* (io) {
    yield* io.emit(Buffer.from('first part;'));
    yield* io.await(new Promise((r) => setTimeout(r, 5)));
    throw new Error(SECRET);
  });
}

test('a chunked stream that throws after the head closes the connection without the last chunk', async (t) => {
  const reported: Reported[] = [];
  const seen: string[] = [];
  const app: Application = (req) => {
    seen.push(req.path);
    return respond(200, {}, failingStream());
  };
  await withServer(app, reporting(reported), async (port) => {
    const r = await rawExchange(port, get('/stream') + NEXT);
    t.true(r.closed);
    const text = r.data.toString('latin1');
    t.true(text.startsWith('HTTP/1.1 200 OK\r\n'));
    t.true(text.includes('first part;'));
    t.false(text.includes('\r\n0\r\n\r\n'), 'no last-chunk: the client can tell the body is truncated');
    t.is(text.split('HTTP/1.1 ').length, 2, 'exactly one status line: no 500 after the 200');
    t.false(text.includes(SECRET));
  });
  t.deepEqual(seen, ['/stream']);
  t.is(reported.length, 1);
  t.is((reported[0]!.error as Error).message, SECRET);
});

test('a stream with a declared length that throws midway leaves the body short and closes', async (t) => {
  const app: Application = () => respond(200, { 'content-length': 100 }, failingStream());
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/') + NEXT);
    t.true(r.closed);
    const text = r.data.toString('latin1');
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    t.is(body, 'first part;');
    t.is(text.split('HTTP/1.1 ').length, 2);
  });
});

test('a stream that ends short of its declared length closes the connection', async (t) => {
  const app: Application = () => respond(200, { 'content-length': 10 }, source<Uint8Array>(function* (io) {
    yield* io.emit(Buffer.from('short'));
  }));
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/') + NEXT);
    t.true(r.closed);
    const text = r.data.toString('latin1');
    t.is(text.slice(text.indexOf('\r\n\r\n') + 4), 'short');
    t.is(text.split('HTTP/1.1 ').length, 2);
  });
});

test('a stream that overruns its declared length is cut at the length and the connection closed', async (t) => {
  const app: Application = () => respond(200, { 'content-length': 5 }, source<Uint8Array>(function* (io) {
    yield* io.emit(Buffer.from('12345'));
    yield* io.emit(Buffer.from('HTTP/1.1 200 OK\r\n\r\nsmuggled'));
  }));
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/') + NEXT);
    t.true(r.closed);
    const text = r.data.toString('latin1');
    t.is(text.slice(text.indexOf('\r\n\r\n') + 4), '12345');
    t.false(text.includes('smuggled'));
  });
});

test('an app returning something that is not a Response is a 500', async (t) => {
  const reported: Reported[] = [];
  const app = (() => ({ status: 200 })) as unknown as Application;
  await withServer(app, reporting(reported), async (port) => {
    const r = await rawExchange(port, get('/'));
    t.deepEqual(parseResponses(r.data).map((x) => x.status), [500]);
  });
  t.is(reported.length, 1);
});

test('an invalid status code is a 500', async (t) => {
  const app: Application = () => respond(99, {}, 'x');
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/'));
    t.deepEqual(parseResponses(r.data).map((x) => x.status), [500]);
  });
});
