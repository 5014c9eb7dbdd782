// Server over a fake native layer: listening and its errors, adopting an fd, accepting (and refusing) connections,
// the onOpen/onClose/logger hooks, header timeouts, and graceful close.
import test from 'ava';
import { concatBytes } from '../../src/conduit/index.js';
import { respond } from '../../src/server/response.js';
import { Reactor } from '../../src/server/reactor.js';
import { OptionError } from '../../src/server/option-error.js';
import { serve, Server } from '../../src/server/server.js';
import { resolveSettings, type RequestLog, type Settings } from '../../src/server/settings.js';
import type { Application } from '../../src/server/types.js';
import { FakeNative } from './support/fake-native.js';
import { fakeServer, LISTEN_FD, until } from './support/fake-server.js';

const hello: Application = () => respond(200, {}, 'hello');
const GET = 'GET / HTTP/1.1\r\nHost: h\r\n\r\n';

test('the server listens through native and reports the bound port', (t) => {
  const { native, server } = fakeServer(hello, { host: '127.0.0.1', port: 0 });
  t.deepEqual(native.listenCalls, [{ host: '127.0.0.1', port: 0 }]);
  t.is(server.port, 12345);
  t.deepEqual(native.callsOf('startAccepting'), [{ op: 'startAccepting', fd: LISTEN_FD }]);
  t.is(server.connections, 0);
});

const listenErrors: Array<[number, string, RegExp]> = [
  [-98, 'EADDRINUSE', /port 8080 is already in use \(127\.0\.0\.1:8080\)/],
  [-13, 'EACCES', /no permission to listen on 127\.0\.0\.1:8080/],
  [-99, 'EADDRNOTAVAIL', /address 127\.0\.0\.1 is not available/],
  [-22, 'EINVAL', /cannot listen on 127\.0\.0\.1:8080: not a valid address or port/],
];
for (const [errno, code, message] of listenErrors) {
  test(`a listen failure ${code} throws a SysError with code ${code} and a helpful message`, (t) => {
    const native = new FakeNative();
    native.listenResult = errno;
    const e = t.throws(() => new Server(resolveSettings({ host: '127.0.0.1', port: 8080 }), hello, new Reactor(native)));
    t.like(e, { code, syscall: 'listen' });
    t.regex(e!.message, message);
  });
}

test('an any-address listen failure names * in the message', (t) => {
  const native = new FakeNative();
  native.listenResult = -98;
  const e = t.throws(() => new Server(resolveSettings({ port: 80 }), hello, new Reactor(native)));
  t.regex(e!.message, /\(\*:80\)/);
});

test('a failing getsockname after listen throws', (t) => {
  const native = new FakeNative();
  native.localPortResult = -9;
  const e = t.throws(() => new Server(resolveSettings({ port: 0 }), hello, new Reactor(native)));
  t.like(e, { code: 'EBADF', syscall: 'getsockname' });
});

test('settings.fd adopts a listening socket without calling listen', (t) => {
  const native = new FakeNative();
  const server = new Server(resolveSettings({ fd: 42 }), hello, new Reactor(native));
  t.deepEqual(native.listenCalls, []);
  t.deepEqual(native.callsOf('startAccepting'), [{ op: 'startAccepting', fd: 42 }]);
  t.is(server.port, 12345);
});

test('an accepted connection is served and counted, and forgotten once it closes', async (t) => {
  const closes: Array<string | null> = [];
  const { server, connect } = fakeServer(hello, { onClose: (a) => closes.push(a) });
  const c = connect();
  t.is(server.connections, 1);
  c.send(GET);
  await until(() => c.wire.endsWith('hello'), 'response');
  t.true(c.wire.startsWith('HTTP/1.1 200 OK\r\n'));
  c.eof();
  await until(() => server.connections === 0, 'connection forgotten');
  t.true(c.closed);
  t.is(closes.length, 1);
});

test('onOpen returning false refuses the connection before anything is read', (t) => {
  const seen: Array<string | null> = [];
  let called = false;
  const { server, connect } = fakeServer(() => {
    called = true;
    return respond(200);
  }, { onOpen: (addr) => (seen.push(addr), false) });
  const c = connect();
  t.true(c.closed);
  t.is(server.connections, 0);
  t.deepEqual(seen, ['127.0.0.1:40000']);
  t.false(called);
});

test('the logger gets one entry per request with status and body bytes', async (t) => {
  const logs: RequestLog[] = [];
  const { connect } = fakeServer(hello, { logger: (e) => logs.push(e) });
  const c = connect();
  c.send(GET + GET);
  await until(() => logs.length === 2, 'two log entries');
  t.deepEqual(logs.map((l) => [l.status, l.bytes, l.request.path]), [[200, 5, '/'], [200, 5, '/']]);
  t.true(logs.every((l) => l.durationMs >= 0));
});

test('a head that misses headerTimeoutMs is answered 408 and closed at the next sweep', async (t) => {
  const { server, connect } = fakeServer(hello, { headerTimeoutMs: 0 });
  const c = connect();
  c.send('GET / HTTP/1.1\r\nHo');
  await new Promise((r) => setImmediate(r));
  server.timeouts.sweep();
  await until(() => c.closed, 'closed');
  t.true(c.wire.startsWith('HTTP/1.1 408 Request Timeout\r\n'));
});

test('a fresh connection that misses headerTimeoutMs is closed without a response', async (t) => {
  const { server, connect } = fakeServer(hello, { headerTimeoutMs: 0 });
  const c = connect();
  await new Promise((r) => setImmediate(r));
  server.timeouts.sweep();
  await until(() => c.closed, 'closed');
  t.is(c.wire, '');
});

test('a kept-alive connection that misses idleTimeoutMs is closed without another response', async (t) => {
  const { server, connect } = fakeServer(hello, { idleTimeoutMs: 0 });
  const c = connect();
  c.send('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
  await until(() => c.wire.includes('\r\n\r\n'), 'the response');
  const answered = c.wire;
  server.timeouts.sweep();
  await until(() => c.closed, 'closed');
  t.is(c.wire, answered);
});

test('a body trickling below minBodyBytesPerSecond is cut off when its next byte arrives', async (t) => {
  let failure: unknown = null;
  const reader: Application = async (req) => {
    try {
      await req.body.runAsync(concatBytes());
    } catch (e) {
      failure = e;
    }
    return respond(200);
  };
  const { server, connect } = fakeServer(reader, { bodyTimeoutMs: 1000, minBodyBytesPerSecond: 1024 });
  const c = connect();
  c.send('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n');
  await new Promise((r) => setImmediate(r));
  // Ten seconds pass on the coarse clock (no sweep runs, so only the rate check can act), then one byte arrives:
  // 1 byte in 10 s is far below 1024 B/s.
  server.timeouts.now += 10_000;
  c.send('x');
  await until(() => c.closed, 'closed');
  await until(() => failure !== null, 'body read failed');
  t.pass();
});

test('close() stops accepting, closes idle connections and resolves once all are gone', async (t) => {
  const { native, server, connect } = fakeServer(hello);
  const c = connect();
  c.send(GET);
  await until(() => c.wire.endsWith('hello'), 'response');
  await server.close();
  t.true(c.closed);
  t.deepEqual(native.callsOf('stopAccepting'), [{ op: 'stopAccepting', fd: LISTEN_FD }]);
  t.true(native.callsOf('close').some((x) => x.fd === LISTEN_FD));
  t.is(server.connections, 0);
});

test('a body arriving fast enough is not cut off by the rate check', async (t) => {
  const { server, connect } = fakeServer(async (req) => respond(200, {}, await req.body.runAsync(concatBytes())), { bodyTimeoutMs: 1000, minBodyBytesPerSecond: 1024 });
  const c = connect();
  c.send('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 20000\r\n\r\n');
  await new Promise((r) => setImmediate(r));
  server.timeouts.now += 2000;
  c.send('y'.repeat(20_000));
  await until(() => c.wire.endsWith('y'.repeat(100)), 'echoed');
  t.false(c.closed);
});

test('a connection accepted during shutdown is closed at once', async (t) => {
  const { server, connect } = fakeServer(hello);
  const closing = server.close();
  const c = connect();
  t.true(c.closed);
  await closing;
});

test('accept errors go to onException', (t) => {
  const errors: unknown[] = [];
  const { native } = fakeServer(hello, { onException: (e) => errors.push(e) });
  native.deliver([{ fd: LISTEN_FD, kind: 6, a: -24 }]);
  t.like(errors[0], { code: 'EMFILE' });
});

test('serve() rejects an app that is not a function with an OptionError, before binding anything', (t) => {
  for (const app of [null, 'app', { fetch: () => null }]) {
    const e = t.throws(() => serve({ port: 0 }, app as unknown as Application), { instanceOf: OptionError });
    t.like(e, { code: 'INVALID_APP', key: 'app' });
    t.regex(e!.message, /^serve\(settings, app\): app must be a function \(req\) => Response, got (null|string|object)$/);
  }
});

test('serve() rejects a misspelled setting, naming it and the nearest one', (t) => {
  const e = t.throws(() => serve({ prot: 8080 } as Partial<Settings>, hello), { instanceOf: OptionError });
  t.like(e, { code: 'UNKNOWN_OPTION', key: 'prot', suggestion: 'port', message: "unknown setting 'prot' (did you mean 'port'?)" });
});
