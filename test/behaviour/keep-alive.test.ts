// Keep-alive over real sockets (RFC 9112 §9.3): HTTP/1.1 persists by default, HTTP/1.0 only with the keep-alive
// token, and a client's `close` (alone or in a token list) is honoured and echoed.
import test from './transport.js';
import { respond, type Application } from '../../src/index.js';
import { get, rawExchange, parseResponses, withClient, withServer } from './helpers.js';

const app: Application = (req) => respond(200, { 'content-type': 'text/plain' }, `${req.method} ${req.target}`);

test('an HTTP/1.1 connection stays open for a second request by default', async (t) => {
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/one'));
    const [first] = await c.readResponses(1);
    t.is(first!.status, 200);
    t.is(first!.body.toString(), 'GET /one');
    t.false('connection' in first!.headers);
    c.write(get('/two'));
    const both = await c.readResponses(2);
    t.is(both[1]!.body.toString(), 'GET /two');
    t.false(c.closed);
  }));
});

test('an HTTP/1.0 request without keep-alive is answered and the connection closed', async (t) => {
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, 'GET /old HTTP/1.0\r\n\r\n');
    t.true(r.closed);
    const [res] = parseResponses(r.data);
    t.is(res!.status, 200);
    t.is(res!.body.toString(), 'GET /old');
    t.is(res!.headers['connection'], 'close');
  });
});

// RFC 9112 §9.3 / RFC 7230 A.1.2: an HTTP/1.0 client only keeps a connection it is told is kept (it defaults to close).
test('an HTTP/1.0 request with Connection: keep-alive keeps the connection and says so', async (t) => {
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [first] = await c.readResponses(1);
    t.is(first!.body.toString(), 'GET /a');
    t.not(first!.headers['connection'], 'close');
    c.write('GET /b HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n');
    const both = await c.readResponses(2);
    t.is(both[1]!.body.toString(), 'GET /b');
  }));
});

test('an HTTP/1.0 keep-alive response carries Connection: keep-alive', async (t) => {
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [res] = await c.readResponses(1);
    t.is(res!.headers['connection']?.toLowerCase(), 'keep-alive');
  }));
});

const closeCases: Array<[string, string]> = [
  ['Connection: close', 'close alone'],
  ['Connection: foo, close', 'close in a token list'],
  ['Connection: CLOSE', 'close in upper case'],
  ['Connection: keep-alive\r\nConnection: close', 'close in a repeated field'],
  ['Connection:  upgrade ,close ', 'close with odd whitespace'],
];

for (const [field, what] of closeCases) {
  test(`Connection with ${what} is honoured and echoed`, async (t) => {
    await withServer(app, {}, async (port) => {
      // The second request must never be answered: the server closes after the first.
      const r = await rawExchange(port, get('/first', `${field}\r\n`) + get('/second'));
      t.true(r.closed);
      const responses = parseResponses(r.data);
      t.is(responses.length, 1);
      t.is(responses[0]!.body.toString(), 'GET /first');
      t.is(responses[0]!.headers['connection'], 'close');
    });
  });
}

test('a Connection token list without close keeps an HTTP/1.1 connection open', async (t) => {
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/x', 'Connection: foo, closed, keep-alive\r\n') + get('/y'));
    const rs = await c.readResponses(2);
    t.deepEqual(rs.map((r) => r.body.toString()), ['GET /x', 'GET /y']);
    t.false('connection' in rs[0]!.headers);
  }));
});

test('an app-supplied Connection: close ends the connection after its response', async (t) => {
  const closing: Application = () => respond(200, { connection: 'close' }, 'bye');
  await withServer(closing, {}, async (port) => {
    const r = await rawExchange(port, get('/1') + get('/2'));
    t.true(r.closed);
    const rs = parseResponses(r.data);
    t.is(rs.length, 1);
    t.is(rs[0]!.headers['connection'], 'close');
  });
});
