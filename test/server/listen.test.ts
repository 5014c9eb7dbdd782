// Listening: host names resolved once (localhost without the resolver), one socket per address on one port, IPv6
// skipped where the machine has none, port 0 retried when a later address finds it taken, adopted fds.
import test from 'ava';
import type { NativeBinding } from '../../src/native/index.js';
import { HostResolutionError, LOOPBACK_ADDRESSES, openListeners, resolveListenHost, type ListenSpec } from '../../src/server/listen.js';
import { Reactor } from '../../src/server/reactor.js';
import { Server } from '../../src/server/server.js';
import { resolveSettings } from '../../src/server/settings.js';
import { respond } from '../../src/server/response.js';
import { FakeNative } from './support/fake-native.js';

const SPEC: ListenSpec = { host: '', port: 8080, backlog: 511, reusePort: false, fd: null };

test('resolveListenHost keeps numeric hosts and the wildcard, unbracketed, without asking the resolver', (t) => {
  const native = new FakeNative();
  t.deepEqual(resolveListenHost('', native), ['']);
  t.deepEqual(resolveListenHost('10.0.0.1', native), ['10.0.0.1']);
  t.deepEqual(resolveListenHost('[::1]', native), ['::1']);
  t.deepEqual(resolveListenHost('fe80::1', native), ['fe80::1']);
  t.deepEqual(native.resolved, []);
});

test('resolveListenHost treats localhost and *.localhost as the loopback pair (RFC 6761 §6.3)', (t) => {
  const native = new FakeNative();
  for (const host of ['localhost', 'LocalHost', 'localhost.', 'api.localhost']) t.deepEqual(resolveListenHost(host, native), [...LOOPBACK_ADDRESSES]);
  t.deepEqual(native.resolved, []);
});

test('resolveListenHost asks getaddrinfo for other names and names each failure', (t) => {
  const native = new FakeNative();
  native.resolver.set('web.test', ['192.0.2.1', '2001:db8::1']);
  native.resolver.set('empty.test', []);
  native.resolver.set('later.test', 'EAI_AGAIN');
  native.resolver.set('broken.test', 'EAI_FAIL');
  t.deepEqual(resolveListenHost('web.test', native), ['192.0.2.1', '2001:db8::1']);
  const missing = t.throws(() => resolveListenHost('nope.test', native), { instanceOf: HostResolutionError });
  t.like(missing, { code: 'ENOTFOUND', hostname: 'nope.test', syscall: 'getaddrinfo' });
  t.is(missing!.message, "cannot listen on 'nope.test': no such host name (check the spelling, or use a numeric address) (ENOTFOUND)");
  t.like(t.throws(() => resolveListenHost('empty.test', native)), { code: 'ENOTFOUND' });
  t.regex(t.throws(() => resolveListenHost('later.test', native))!.message, /did not answer in time; try again \(EAI_AGAIN\)$/);
  t.regex(t.throws(() => resolveListenHost('broken.test', native))!.message, /the name could not be resolved \(EAI_FAIL\)$/);
});

test('openListeners binds one socket per address, all on the port the first one picked', (t) => {
  const native = new FakeNative();
  native.listenResultByHost.set('127.0.0.1', 10);
  native.listenResultByHost.set('::1', 11);
  const l = openListeners({ ...SPEC, host: 'localhost', port: 0 }, native);
  t.deepEqual(l.fds, [10, 11]);
  t.is(l.port, 12345);
  t.deepEqual(native.listenCalls, [{ host: '127.0.0.1', port: 0 }, { host: '::1', port: 12345 }]);
});

test('openListeners skips an IPv6 address the machine cannot bind when an IPv4 one is bound', (t) => {
  for (const errno of [-99, -97]) {
    const native = new FakeNative();
    native.listenResultByHost.set('127.0.0.1', 10);
    native.listenResultByHost.set('::1', errno);
    t.deepEqual(openListeners({ ...SPEC, host: 'localhost' }, native).fds, [10]);
  }
  const none = new FakeNative();
  none.listenResultByHost.set('127.0.0.1', -98);
  none.listenResultByHost.set('::1', -99);
  t.like(t.throws(() => openListeners({ ...SPEC, host: 'localhost' }, none)), { code: 'EADDRINUSE' });
  const onlyV6 = new FakeNative();
  onlyV6.resolver.set('v6.test', ['2001:db8::1', '2001:db8::2']);
  onlyV6.listenResult = -99;
  t.like(t.throws(() => openListeners({ ...SPEC, host: 'v6.test' }, onlyV6)), { code: 'EADDRNOTAVAIL', message: 'address 2001:db8::1 is not available on this machine' });
});

test('openListeners with port 0 starts over when a later address finds the picked port taken', (t) => {
  const closed: number[] = [];
  let call = 0;
  // Attempt 1: 127.0.0.1 gets fd 1 (port 4000), ::1 finds 4000 taken. Attempt 2 succeeds on port 4001.
  const script = [1, -98, 2, 3];
  const ports = new Map([[1, 4000], [2, 4001], [3, 4001]]);
  const native = {
    listen: () => script[call++]!,
    localPort: (fd: number) => ports.get(fd)!,
    localAddress: (fd: number) => (fd === 3 ? '[::1]:4001' : `127.0.0.1:${ports.get(fd)}`),
    close: (fd: number) => closed.push(fd),
  } as unknown as NativeBinding;
  const l = openListeners({ ...SPEC, host: 'localhost', port: 0 }, native);
  t.deepEqual(l.fds, [2, 3]);
  t.is(l.port, 4001);
  t.deepEqual(l.addresses, [{ address: '127.0.0.1', family: 'IPv4', port: 4001 }, { address: '::1', family: 'IPv6', port: 4001 }]);
  t.deepEqual(closed, [1]);
});

test('openListeners adopts one fd or several, and refuses an empty list', (t) => {
  const native = new FakeNative();
  t.deepEqual(openListeners({ ...SPEC, fd: 7 }, native).fds, [7]);
  t.deepEqual(openListeners({ ...SPEC, fd: [7, 8] }, native).fds, [7, 8]);
  t.deepEqual(native.listenCalls, []);
  t.throws(() => openListeners({ ...SPEC, fd: [] }, native), { instanceOf: TypeError, message: /at least one/ });
});

test('a server listening on two addresses accepts on both and stops both on close', async (t) => {
  const native = new FakeNative();
  native.listenResultByHost.set('127.0.0.1', 100);
  native.listenResultByHost.set('::1', 101);
  const server = new Server(resolveSettings({ host: 'localhost', port: 0 }), () => respond(200), new Reactor(native));
  t.deepEqual(native.callsOf('startAccepting'), [{ op: 'startAccepting', fd: 100 }, { op: 'startAccepting', fd: 101 }]);
  t.deepEqual(server.addresses.map((a) => a.address), ['127.0.0.1', '127.0.0.1']);
  await server.close();
  t.deepEqual(native.callsOf('stopAccepting'), [{ op: 'stopAccepting', fd: 100 }, { op: 'stopAccepting', fd: 101 }]);
});

test('a server whose second listener cannot start accepting closes both and throws', (t) => {
  const native = new FakeNative();
  native.listenResultByHost.set('127.0.0.1', 100);
  native.listenResultByHost.set('::1', 101);
  let starts = 0;
  native.startAccepting = (fd: number): number => (++starts === 2 ? -22 : (native.calls.push({ op: 'startAccepting', fd }), 0));
  t.throws(() => new Server(resolveSettings({ host: 'localhost' }), () => respond(200), new Reactor(native)), { message: /listen EINVAL/ });
  t.deepEqual(native.callsOf('close').map((c) => c.fd).sort(), [100, 101]);
});
