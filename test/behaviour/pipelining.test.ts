// Pipelining (RFC 9112 §9.3.2): requests written back to back, in one write or one byte at a time, are answered
// in order, and a body never swallows the next request's bytes.
import test from './transport.js';
import { concatBytes, respond, type Application } from '../../src/index.js';
import { get, withClient, withServer, type RawClient } from './helpers.js';

const echoPath: Application = (req) => respond(200, {}, req.path);

/** Reads the body (if any) and answers `METHOD path body`. */
const readsBody: Application = async (req) => {
  const body = await req.body.runAsync(concatBytes());
  return respond(200, {}, `${req.method} ${req.path} ${body.toString()}`);
};

const hundredGets = Array.from({ length: 100 }, (_, i) => get(`/${i}`)).join('');

test('100 requests in one write get 100 responses in order', async (t) => {
  await withServer(echoPath, {}, async (port) => withClient(port, async (c) => {
    c.write(hundredGets);
    const rs = await c.readResponses(100);
    t.is(rs.length, 100);
    t.deepEqual(rs.map((r) => r.body.toString()), Array.from({ length: 100 }, (_, i) => `/${i}`));
    t.true(rs.every((r) => r.status === 200));
    t.false(c.closed);
  }));
});

/** Writes every byte as its own segment, letting the event loop turn between bytes. */
async function writeBytewise(c: RawClient, data: string): Promise<void> {
  c.socket.setNoDelay(true);
  const bytes = Buffer.from(data, 'latin1');
  for (let i = 0; i < bytes.length; i++) {
    c.write(bytes.subarray(i, i + 1));
    await new Promise((r) => setImmediate(r));
  }
}

test('100 pipelined requests written one byte at a time get the same 100 responses', async (t) => {
  await withServer(echoPath, {}, async (port) => withClient(port, async (c) => {
    await writeBytewise(c, hundredGets);
    const rs = await c.readResponses(100, { timeoutMs: 20_000 });
    t.deepEqual(rs.map((r) => r.body.toString()), Array.from({ length: 100 }, (_, i) => `/${i}`));
  }));
});

const mixed = [
  get('/a'),
  'POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello',
  get('/c'),
  'POST /d HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n',
  'PUT /e HTTP/1.1\r\nHost: t\r\nContent-Length: 15\r\n\r\nGET /x HTTP/1.1',
  get('/f'),
  'POST /g HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n',
].join('');
const mixedBodies = ['GET /a ', 'POST /b hello', 'GET /c ', 'POST /d abcdefg', 'PUT /e GET /x HTTP/1.1', 'GET /f ', 'POST /g '];

test('mixed pipelined GETs and POSTs with Content-Length and chunked bodies are answered in order', async (t) => {
  await withServer(readsBody, {}, async (port) => withClient(port, async (c) => {
    c.write(mixed);
    const rs = await c.readResponses(mixedBodies.length);
    t.deepEqual(rs.map((r) => r.body.toString()), mixedBodies);
  }));
});

test('mixed pipelined requests written one byte at a time are answered the same', async (t) => {
  await withServer(readsBody, {}, async (port) => withClient(port, async (c) => {
    await writeBytewise(c, mixed);
    const rs = await c.readResponses(mixedBodies.length, { timeoutMs: 20_000 });
    t.deepEqual(rs.map((r) => r.body.toString()), mixedBodies);
  }));
});

test('a pipelined request after a body the app never read is still answered', async (t) => {
  // The unread body is drained (it is under maxBodyFlush), so the next request is parsed from the right place.
  await withServer(echoPath, {}, async (port) => withClient(port, async (c) => {
    c.write('POST /skip HTTP/1.1\r\nHost: t\r\nContent-Length: 16\r\n\r\nGET /evil HTTP/1' + get('/next'));
    const rs = await c.readResponses(2);
    t.deepEqual(rs.map((r) => r.body.toString()), ['/skip', '/next']);
  }));
});

test('a pipelined request after an unread chunked body is still answered', async (t) => {
  await withServer(echoPath, {}, async (port) => withClient(port, async (c) => {
    c.write('POST /skip HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n' + get('/next'));
    const rs = await c.readResponses(2);
    t.deepEqual(rs.map((r) => r.body.toString()), ['/skip', '/next']);
  }));
});

test('pipelined responses from a slow async app keep request order', async (t) => {
  let n = 0;
  const slowFirst: Application = async (req) => {
    const i = n++;
    // Earlier requests take longer: order must come from the connection loop, not from completion order.
    await new Promise((r) => setTimeout(r, (5 - i) * 10));
    return respond(200, {}, req.path);
  };
  await withServer(slowFirst, {}, async (port) => withClient(port, async (c) => {
    c.write([1, 2, 3, 4, 5].map((i) => get(`/${i}`)).join(''));
    const rs = await c.readResponses(5);
    t.deepEqual(rs.map((r) => r.body.toString()), ['/1', '/2', '/3', '/4', '/5']);
  }));
});
