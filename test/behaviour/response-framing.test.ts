// Response framing (RFC 9112 §6.3): Content-Length for known sizes, chunked for HTTP/1.1 streams, close-delimited
// for HTTP/1.0 streams of unknown length, and no body at all for 204 and 304 whatever the app handed over.
import test from './transport.js';
import { bracketSource, fromArray, respond, type Application } from '../../src/index.js';
import { get, parseResponses, rawExchange, withClient, withServer } from './helpers.js';

const pieces = (): ReturnType<typeof fromArray<Uint8Array>> => fromArray([Buffer.from('abc'), Buffer.from('def')]);

test('an HTTP/1.0 request for a stream of unknown length gets a close-delimited body', async (t) => {
  const app: Application = () => respond(200, {}, pieces());
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    t.true(r.closed, 'the close is the end of the body');
    const text = r.data.toString('latin1');
    const head = text.slice(0, text.indexOf('\r\n\r\n')).toLowerCase();
    t.false(head.includes('transfer-encoding'), 'HTTP/1.0 has no chunked coding');
    t.false(head.includes('content-length'));
    t.true(head.includes('connection: close'));
    t.is(text.slice(text.indexOf('\r\n\r\n') + 4), 'abcdef');
  });
});

test('an HTTP/1.0 keep-alive request for a stream with a declared length stays open', async (t) => {
  const app: Application = () => respond(200, { 'content-length': 6 }, pieces());
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [res] = await c.readResponses(1);
    t.is(res!.headers['content-length'], '6');
    t.is(res!.body.toString(), 'abcdef');
    c.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    t.is((await c.readResponses(2)).length, 2);
  }));
});

test('an HTTP/1.1 stream of unknown length is chunked and the connection stays open', async (t) => {
  const app: Application = () => respond(200, {}, pieces());
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/') + get('/'));
    const rs = await c.readResponses(2);
    t.is(rs[0]!.headers['transfer-encoding'], 'chunked');
    t.false('content-length' in rs[0]!.headers);
    t.deepEqual(rs.map((r) => r.body.toString()), ['abcdef', 'abcdef']);
  }));
});

test('app-supplied framing headers are replaced by the engine', async (t) => {
  const app: Application = () => respond(200, { 'transfer-encoding': 'gzip', 'Content-Length': '999' }, 'hello');
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/') + get('/'));
    const rs = await c.readResponses(2);
    t.is(rs[0]!.headers['content-length'], '5');
    t.false('transfer-encoding' in rs[0]!.headers);
    t.deepEqual(rs.map((r) => r.body.toString()), ['hello', 'hello']);
  }));
});

for (const status of [204, 304]) {
  test(`a ${status} is sent without a body or Content-Length even when the app gives a body`, async (t) => {
    const app: Application = () => respond(status, { etag: '"x"' }, 'this must not be sent');
    await withServer(app, {}, async (port) => withClient(port, async (c) => {
      c.write(get('/') + get('/'));
      const rs = await c.readResponses(2);
      t.deepEqual(rs.map((r) => r.status), [status, status]);
      t.false(c.received.toString('latin1').includes('must not'));
      // RFC 9110 §8.6: never a Content-Length in a 204; a 304 may carry one, but the engine knows none.
      t.false('content-length' in rs[0]!.headers);
      t.false('transfer-encoding' in rs[0]!.headers);
      t.is(rs[0]!.headers['etag'], '"x"');
    }));
  });

  test(`a ${status} with a stream body never runs the stream`, async (t) => {
    const events: string[] = [];
    const app: Application = () => respond(status, {}, bracketSource(() => events.push('acquire'), () => pieces(), () => void events.push('release')));
    await withServer(app, {}, async (port) => withClient(port, async (c) => {
      c.write(get('/') + get('/'));
      const rs = await c.readResponses(2);
      t.deepEqual(rs.map((r) => r.status), [status, status]);
      t.false(c.received.toString('latin1').includes('abc'));
    }));
    t.deepEqual(events, []);
  });
}

test('an empty 200 has Content-Length: 0', async (t) => {
  const app: Application = () => respond(200);
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/'));
    const [res] = await c.readResponses(1);
    t.is(res!.headers['content-length'], '0');
  }));
});

test('the engine adds Date and Server, and an empty serverName omits Server', async (t) => {
  const app: Application = () => respond(200, {}, 'x');
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/', 'Connection: close\r\n'));
    const [res] = parseResponses(r.data);
    t.is(res!.headers['server'], 'Sluice');
    t.true(Number.isFinite(Date.parse(res!.headers['date']!)));
  });
  await withServer(app, { serverName: '' }, async (port) => {
    const r = await rawExchange(port, get('/', 'Connection: close\r\n'));
    t.false('server' in parseResponses(r.data)[0]!.headers);
  });
});

test('repeated header values from an array are sent as separate field lines', async (t) => {
  const app: Application = () => respond(200, { 'set-cookie': ['a=1', 'b=2'] }, 'x');
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/', 'Connection: close\r\n'));
    const text = r.data.toString('latin1');
    t.true(text.includes('set-cookie: a=1\r\nset-cookie: b=2\r\n'));
  });
});
