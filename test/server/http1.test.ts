// The per-connection loop over a fake native layer: keep-alive and close decisions, lingering close after errors,
// draining unread bodies, quiet client disconnects, write backpressure between pipelined requests, shutdown.
import test from 'ava';
import { concatBytes, source } from '../../src/conduit/index.js';
import { SHUT_WR } from '../../src/native/index.js';
import type { Request } from '../../src/server/request.js';
import { respond } from '../../src/server/response.js';
import type { Application } from '../../src/server/types.js';
import { fakeServer, until } from './support/fake-server.js';

const GET = (path = '/'): string => `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`;
const byPath: Application = (req) => respond(200, {}, req.path);

function count(wire: string, what = 'HTTP/1.1 '): number {
  return wire.split(what).length - 1;
}

test('pipelined requests in one event are answered in order on a connection that stays open', async (t) => {
  const { connect } = fakeServer(byPath);
  const c = connect();
  c.send(GET('/a') + GET('/b') + GET('/c'));
  await until(() => count(c.wire) === 3, 'three responses');
  t.true(c.wire.endsWith('/c'));
  t.true(c.wire.indexOf('/a') < c.wire.indexOf('/b'));
  t.false(c.closed);
  t.false(c.shutDown);
});

test('a refused request gets its error response, then a lingering close: half-close, read until the client closes', async (t) => {
  const { connect, server } = fakeServer(byPath);
  const c = connect();
  c.send('BROKEN\r\n\r\n');
  await until(() => c.shutDown, 'half-closed');
  t.true(c.wire.startsWith('HTTP/1.1 400 Bad Request\r\n'));
  t.deepEqual(c.native.callsOf('shutdown'), [{ op: 'shutdown', fd: c.fd, how: SHUT_WR }]);
  t.false(c.closed, 'still reading what the client sends, so our response is not reset away');
  c.send('more junk the client had in flight');
  c.eof();
  await until(() => c.closed, 'closed after the client closed');
  t.is(count(c.wire), 1);
  t.is(server.connections, 0);
});

test('a client that closes cleanly between requests is closed quietly', async (t) => {
  const errors: unknown[] = [];
  const { connect, server } = fakeServer(byPath, { onException: (e) => errors.push(e) });
  const c = connect();
  c.send(GET());
  await until(() => count(c.wire) === 1, 'response');
  c.eof();
  await until(() => c.closed, 'closed');
  t.false(c.shutDown);
  t.deepEqual(errors, []);
  t.is(server.connections, 0);
});

test('EOF in the middle of a head closes without a response or an error report', async (t) => {
  const errors: unknown[] = [];
  const { connect } = fakeServer(byPath, { onException: (e) => errors.push(e) });
  const c = connect();
  c.send('GET / HTTP/1.1\r\nHo');
  c.eof();
  await until(() => c.closed, 'closed');
  t.is(c.wire, '');
  t.deepEqual(errors, []);
});

test('a reset while the app computes is not reported as an error', async (t) => {
  const errors: unknown[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app: Application = async () => {
    await gate;
    return respond(200, {}, 'late');
  };
  const { connect, server } = fakeServer(app, { onException: (e) => errors.push(e) });
  const c = connect();
  c.send(GET());
  await new Promise((r) => setImmediate(r));
  c.reset();
  release();
  await until(() => server.connections === 0, 'forgotten');
  t.deepEqual(errors, []);
});

test('an app exception is a 500 reported with the request, then the connection closes', async (t) => {
  const reported: Array<[unknown, Request | null]> = [];
  const boom = new Error('boom');
  const { connect } = fakeServer(() => {
    throw boom;
  }, { onException: (e, r) => reported.push([e, r]) });
  const c = connect();
  c.send(GET('/x') + GET('/never'));
  await until(() => c.closed, 'closed');
  t.true(c.wire.startsWith('HTTP/1.1 500 Internal Server Error\r\n'));
  t.true(c.wire.includes('connection: close\r\n'));
  t.is(count(c.wire), 1);
  t.is(reported.length, 1);
  t.is(reported[0]![0], boom);
  t.is(reported[0]![1]?.path, '/x');
});

test('a small unread body is drained and the connection carries the next request', async (t) => {
  const { connect } = fakeServer(byPath);
  const c = connect();
  c.send('POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789' + GET('/after'));
  await until(() => count(c.wire) === 2, 'two responses');
  t.false(c.wire.includes('connection: close'));
  t.true(c.wire.endsWith('/after'));
});

test('an unread body larger than maxBodyFlush makes the response say close, then lingers', async (t) => {
  const { connect } = fakeServer(byPath, { maxBodyFlush: 16 });
  const c = connect();
  c.send('POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\nabc');
  await until(() => c.shutDown, 'half-closed');
  t.true(c.wire.includes('connection: close\r\n'));
  t.true(c.wire.endsWith('/p'));
});

test('an unread chunked body longer than maxBodyFlush ends the connection after the response', async (t) => {
  const { connect } = fakeServer(byPath, { maxBodyFlush: 8 });
  const c = connect();
  c.send('POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n01234567890123456789\r\n0\r\n\r\n' + GET('/never'));
  await until(() => c.shutDown || c.closed, 'ending');
  t.is(count(c.wire), 1);
});

test('the next pipelined request waits until the previous response has left (bounded output)', async (t) => {
  const seen: string[] = [];
  const app: Application = (req) => {
    seen.push(req.path);
    // Over the reactor's cork limit: each response is written directly, so a full socket leaves a backlog at once.
    return respond(200, {}, 'x'.repeat(20_000));
  };
  const { connect, native } = fakeServer(app);
  native.accept = () => -11;
  const c = connect();
  c.send(GET('/1') + GET('/2'));
  await new Promise((r) => setTimeout(r, 5));
  t.deepEqual(seen, ['/1'], 'the second request is not started while the first response is stuck');
  t.is(c.wire, '');
  native.accept = (_fd, n) => n;
  c.writable();
  await until(() => count(c.wire) === 2, 'both responses');
  t.deepEqual(seen, ['/1', '/2']);
});

test('a response begun before shutdown finishes; one begun after says close', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app: Application = async () => {
    await gate;
    return respond(200, {}, 'done');
  };
  const { connect, server } = fakeServer(app);
  const c = connect();
  c.send(GET());
  await new Promise((r) => setImmediate(r));
  const closing = server.close();
  release();
  await closing;
  t.true(c.wire.includes('connection: close\r\n'));
  t.true(c.wire.endsWith('done'));
  t.true(c.closed);
});

test('an HTTP/1.0 streamed response is close-delimited and the connection closes after it', async (t) => {
  const app: Application = () => respond(200, {}, source<Uint8Array>(function* (io) {
    yield* io.emit(Buffer.from('part1'));
    yield* io.emit(Buffer.from('part2'));
  }));
  const { connect } = fakeServer(app);
  const c = connect();
  c.send('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  await until(() => c.closed, 'closed');
  t.true(c.wire.endsWith('\r\n\r\npart1part2'));
  t.true(c.wire.includes('connection: close\r\n'));
});

test('an unanswered 100-continue closes the connection after the final response', async (t) => {
  const { connect } = fakeServer(byPath);
  const c = connect();
  c.send('PUT /u HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
  await until(() => c.shutDown || c.closed, 'ending');
  t.false(c.wire.includes('100 Continue'));
  t.true(c.wire.includes('connection: close\r\n'));
});

test('a body read by the app that the client resets mid-way ends the connection quietly', async (t) => {
  const errors: unknown[] = [];
  let readFailed = false;
  const app: Application = async (req) => {
    try {
      await req.body.runAsync(concatBytes());
    } catch {
      readFailed = true;
    }
    return respond(200);
  };
  const { connect, server } = fakeServer(app, { onException: (e) => errors.push(e) });
  const c = connect();
  c.send('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc');
  await new Promise((r) => setImmediate(r));
  c.reset();
  await until(() => server.connections === 0, 'forgotten');
  t.true(readFailed);
  t.deepEqual(errors.filter((e) => (e as { code?: string }).code !== 'ECONNRESET'), []);
});

test('thousands of pipelined requests to a client that does not read queue a bounded amount of output', async (t) => {
  let served = 0;
  const app: Application = () => {
    served++;
    return respond(200, {}, 'y'.repeat(1000));
  };
  const { connect, native } = fakeServer(app);
  native.accept = () => -11;
  const c = connect();
  c.send(Array.from({ length: 2000 }, (_, i) => GET(`/${i}`)).join(''));
  await new Promise((r) => setTimeout(r, 20));
  // About one cork buffer (256 KiB) of ~1.1 KB responses, then the loop waits for the client.
  t.true(served > 1 && served < 400, `served ${served} while the client read nothing`);
  native.accept = (_fd, n) => n;
  for (let i = 0; i < 100 && served < 2000; i++) {
    c.writable();
    await new Promise((r) => setImmediate(r));
  }
  await until(() => count(c.wire) === 2000, 'all 2000 responses');
  t.is(served, 2000);
});

test('a connection that ends after its response closes only once the queued response has left', async (t) => {
  const app: Application = () => respond(200, {}, source<Uint8Array>(function* (io) {
    yield* io.emit(Buffer.from('x'.repeat(40_000)));
    yield* io.emit(Buffer.from('the end'));
  }));
  const { connect, native } = fakeServer(app);
  native.accept = () => -11;
  const c = connect();
  c.send('GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
  await new Promise((r) => setTimeout(r, 20));
  t.false(c.closed, 'closed with the response still queued');
  native.accept = (_fd, n) => n;
  c.writable();
  await until(() => c.closed, 'closed after the response left');
  t.true(c.wire.endsWith('the end\r\n0\r\n\r\n'));
});
