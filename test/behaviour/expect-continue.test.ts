// Expect: 100-continue (RFC 9110 §10.1.1, §15.2.1): the interim 100 goes out only when the app reads the body
// (Warp's lazy policy); an app that answers without reading sends no 100 and closes the connection.
import test from './transport.js';
import { concatBytes, respond, type Application } from '../../src/index.js';
import { delay, withClient, withServer } from './helpers.js';

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const HEAD = 'POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n';

/** A latch the test opens. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

test('the 100 Continue arrives only once the app reads the body, then the final response', async (t) => {
  const called = gate();
  const mayRead = gate();
  const app: Application = async (req) => {
    called.open();
    await mayRead.wait;
    const body = await req.body.runAsync(concatBytes());
    return respond(200, {}, `read ${body.toString()}`);
  };
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(HEAD);
    await called.wait;
    // The app holds the body unread: no interim response may have been sent (checked after a grace period).
    await delay(100);
    t.is(c.received.length, 0);
    mayRead.open();
    await c.read((d) => d.toString('latin1').startsWith(CONTINUE));
    c.write('hello');
    const rs = await c.readResponses(2);
    t.deepEqual(rs.map((r) => r.status), [100, 200]);
    t.is(rs[1]!.body.toString(), 'read hello');
    t.false('connection' in rs[1]!.headers, 'the connection stays open');
  }));
});

test('an app that answers without reading the body sends no 100 and closes the connection', async (t) => {
  const app: Application = () => respond(403, {}, 'no uploads');
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(HEAD);
    const [res] = await c.readResponses(1);
    t.is(res!.status, 403);
    t.is(res!.headers['connection'], 'close');
    t.false(c.received.toString('latin1').includes('100 Continue'));
    t.true(await c.whenClosed());
    t.false(c.received.toString('latin1').includes('100 Continue'));
  }));
});

test('an echo app streaming the body back gets the 100 before its final head', async (t) => {
  const app: Application = (req) => respond(200, {}, req.body);
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(HEAD);
    await c.read((d) => d.toString('latin1').startsWith(CONTINUE));
    c.write('hello');
    const rs = await c.readResponses(2);
    t.deepEqual(rs.map((r) => r.status), [100, 200]);
    t.is(rs[1]!.body.toString(), 'hello');
  }));
});

test('Expect: 100-continue on HTTP/1.0 is ignored: no interim response', async (t) => {
  const app: Application = async (req) => respond(200, {}, await req.body.runAsync(concatBytes()));
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('POST / HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello');
    const rs = await c.readResponses(1);
    t.is(rs[0]!.status, 200);
    t.is(rs[0]!.body.toString(), 'hello');
    t.false(c.received.toString('latin1').includes('100 Continue'));
  }));
});

test('Expect: 100-continue with an empty body sends no 100', async (t) => {
  const app: Application = async (req) => respond(200, {}, `${(await req.body.runAsync(concatBytes())).length}`);
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n');
    const rs = await c.readResponses(1);
    t.deepEqual(rs.map((r) => r.status), [200]);
    t.is(rs[0]!.body.toString(), '0');
  }));
});

test('a client that sends the body without waiting for the 100 is served normally', async (t) => {
  const app: Application = async (req) => respond(200, {}, await req.body.runAsync(concatBytes()));
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(HEAD + 'hello');
    const rs = await c.readResponses(2);
    t.deepEqual(rs.map((r) => r.status), [100, 200]);
    t.is(rs[1]!.body.toString(), 'hello');
    c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    const again = await c.readResponses(3);
    t.is(again[2]!.status, 200);
  }));
});

test('a chunked upload with Expect: 100-continue gets the 100 when read', async (t) => {
  const app: Application = async (req) => respond(200, {}, await req.body.runAsync(concatBytes()));
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('PUT / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nExpect: 100-Continue\r\n\r\n');
    await c.read((d) => d.toString('latin1').startsWith(CONTINUE));
    c.write('3\r\nabc\r\n0\r\n\r\n');
    const rs = await c.readResponses(2);
    t.is(rs[1]!.body.toString(), 'abc');
  }));
});
