// A client that half-closes (shutdown(SHUT_WR)) after sending its request still reads the whole response
// (RFC 9112 §9.6: the close only ends the requests) when it is bytes; nothing after its last request is served.
import test from './transport.js';
import { bracketSource, respond, source, type Application } from '../../src/index.js';
import { get, parseResponses, rawExchange, withClient, withServer } from './helpers.js';

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

// A FIN during a streamed response is taken as the client going away (as node:http does): a client that is gone and
// one that half-closed look the same, and prompt release of an idle stream (SSE) matters more. Bytes responses
// complete (above); a streamed one is ended at once, its Source released, and never framed as complete.
function releasingStream(released: string[]): Application {
  return () => respond(200, {}, bracketSource(() => released.push('acquired'), () => slowStream(), () => {
    released.push('released');
  }));
}

/** Five pieces, one every few ms. */
function slowStream() {
  return source<Uint8Array>(function* (io) {
    for (let i = 0; i < 5; i++) {
      yield* io.await(new Promise((r) => setTimeout(r, 20)));
      yield* io.emit(Buffer.from(`piece${i};`));
    }
  });
}

test('a half-close right after the request ends a streamed response and releases its Source once', async (t) => {
  const released: string[] = [];
  await withServer(releasingStream(released), {}, async (port) => {
    const r = await rawExchange(port, get('/'), { end: true });
    t.true(r.closed);
    t.false(r.data.toString('latin1').includes('0\r\n\r\n'), 'never framed as a complete chunked body');
  });
  // Over TLS the client's close_notify and FIN usually arrive in the same read as its request (after its Finished), so
  // the stream is never started: nothing is acquired, so nothing is released. Started, it is released exactly once.
  t.deepEqual(released, released.length === 0 ? [] : ['acquired', 'released']);
});

test('a half-close while the response is streaming ends it and releases its Source once', async (t) => {
  const released: string[] = [];
  await withServer(releasingStream(released), {}, async (port) => withClient(port, async (c) => {
    c.write(get('/'));
    await c.read((d) => d.includes('piece0;'));
    c.end();
    t.true(await c.whenClosed());
    t.false(c.received.toString('latin1').includes(FULL));
  }));
  t.deepEqual(released, ['acquired', 'released']);
});

test('pipelined requests followed by a half-close are all answered, then the connection closes', async (t) => {
  const app: Application = (req) => respond(200, {}, req.path);
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, get('/1') + get('/2') + get('/3'), { end: true });
    t.true(r.closed);
    t.deepEqual(parseResponses(r.data).map((x) => x.body.toString()), ['/1', '/2', '/3']);
  });
});
