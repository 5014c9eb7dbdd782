// A client that half-closes (shutdown(SHUT_WR)) after sending its request still reads the whole response
// (RFC 9112 §9.6: the close only ends the requests); nothing after its last request is served.
import test from 'ava';
import { respond, source, type Application } from '../../src/index.js';
import { get, parseResponses, rawExchange, withClient, withServer } from './helpers.js';

/** Five pieces, one every few ms. */
const slowStream: Application = () => respond(200, {}, source<Uint8Array>(function* (io) {
  for (let i = 0; i < 5; i++) {
    yield* io.await(new Promise((r) => setTimeout(r, 20)));
    yield* io.emit(Buffer.from(`piece${i};`));
  }
}));

const FULL = 'piece0;piece1;piece2;piece3;piece4;';

test('a half-close right after the request still gets a whole bytes response', async (t) => {
  const app: Application = async () => {
    await new Promise((r) => setTimeout(r, 30));
    return respond(200, {}, 'all of it');
  };
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/'), { end: true });
    t.true(r.closed);
    t.is(parseResponses(r.data)[0]?.body.toString(), 'all of it');
  });
});

// ENGINE BUG 9 (/tmp/engine-bugs.md): the EOF aborts conn.signal, which the stream's run listens to: head only.
test.failing('a half-close right after the request still gets a whole streamed response', async (t) => {
  await withServer(slowStream, {}, async (port) => {
    const r = await rawExchange(port, get('/'), { end: true });
    t.true(r.closed);
    t.is(parseResponses(r.data)[0]?.body.toString(), FULL);
  });
});

// ENGINE BUG 9 (/tmp/engine-bugs.md): an EOF that arrives while a response streams aborts the stream (conn.signal).
test.failing('a half-close while the response is streaming still gets the rest of it', async (t) => {
  await withServer(slowStream, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/'));
    await c.read((d) => d.includes('piece0;'));
    c.end();
    t.true(await c.whenClosed());
    const [res] = parseResponses(c.received);
    t.is(res?.body.toString(), FULL);
  }));
});

test('pipelined requests followed by a half-close are all answered, then the connection closes', async (t) => {
  const app: Application = (req) => respond(200, {}, req.path);
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/1') + get('/2') + get('/3'), { end: true });
    t.true(r.closed);
    t.deepEqual(parseResponses(r.data).map((x) => x.body.toString()), ['/1', '/2', '/3']);
  });
});
