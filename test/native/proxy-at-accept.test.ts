// The PROXY stage's read at accept (prelude.cc, beginPlainProxy): connections whose bytes are already queued when the
// listener accepts them, as behind a balancer. The listener is paused while the clients write, so accept4 finds each
// connection with its bytes in: a whole header and request open it at once (in one batch, no prelude left), a header
// alone waits for the request (holdSilent), half a header waits for the rest, and a bad one is refused unannounced.
import test from 'ava';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { EV_ACCEPT, EV_DATA } from '../../src/native/index.js';
import { checkFdLeaks, useHub, waitTurns } from './support/event-hub.js';
import { proxyV1, proxyV2 } from './support/proxy-header.js';
import { collect } from './support/tls-harness.js';

const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

const REQUEST = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

/** A PROXY listener with holdSilent, as the server makes them (closed after the file). */
function listenProxy(): { fd: number; port: number; start(): void } {
  const fd = native.listen('127.0.0.1', 0, 0, false);
  const start = (): void => {
    const r = native.startAccepting(fd, undefined, 5_000, true, ['127.0.0.1'], false, true);
    if (r !== 0) throw new Error(`startAccepting ${r}`);
  };
  return { fd, port: native.localPort(fd), start };
}

const listener = listenProxy();
test.after.always(() => native.close(listener.fd));

/** Connects and writes `bytes` while the listener is not accepting; resolves once they are in the server's queue. */
async function queued(port: number, bytes: Buffer): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  if (bytes.length > 0) await new Promise<void>((resolve, reject) => socket.write(bytes, (e) => (e ? reject(e) : resolve())));
  return socket;
}

test.serial('bytes already in at accept: a whole header opens the connection at once, a partial one waits, a bad one is refused', async (t) => {
  listener.start();
  t.is(native.stopAccepting(listener.fd), 0);
  const before = native.proxyStats();
  const v2 = proxyV2({ source: '203.0.113.9', destination: '203.0.113.2', sourcePort: 9, destinationPort: 80 });
  const whole = await queued(listener.port, Buffer.concat([proxyV1('203.0.113.1', '203.0.113.2', 1, 80), Buffer.from(REQUEST)]));
  const headerAlone = await queued(listener.port, proxyV1('203.0.113.3', '203.0.113.2', 3, 80));
  const halfHeader = await queued(listener.port, v2.subarray(0, 10));
  const bad = await queued(listener.port, Buffer.from(REQUEST));
  const refused = collect(bad);
  await waitTurns(2);
  const turnsBefore = hub.turns.length;
  listener.start();

  const first = await hub.next(listener.fd);
  t.is(first.kind, EV_ACCEPT);
  t.is(native.peerAddress(first.fd), '203.0.113.1:1', 'the header and request in one read: the first one announced');
  t.is((await hub.read(first.fd, REQUEST.length)).data.toString(), REQUEST);
  t.deepEqual(hub.turns.slice(turnsBefore).find((turn) => turn.kinds.includes(EV_ACCEPT))!.kinds, [EV_ACCEPT, EV_DATA],
    'announced with its request in one batch');
  const { data } = await refused;
  t.is(data.length, 0, 'no header: closed without a byte');
  t.is(native.heldConnections(listener.fd), 1, 'the header that came alone waits for its request');
  t.is(native.tlsStats().preludes, 2, 'the held connection and the half header are in their prelude');
  t.is(hub.pending(listener.fd), 0);

  headerAlone.write(REQUEST);
  const second = await hub.next(listener.fd);
  t.is(native.peerAddress(second.fd), '203.0.113.3:3');
  t.is((await hub.read(second.fd, REQUEST.length)).data.toString(), REQUEST);

  halfHeader.write(Buffer.concat([v2.subarray(10), Buffer.from(REQUEST)]));
  const third = await hub.next(listener.fd);
  t.is(native.peerAddress(third.fd), '203.0.113.9:9', 'the first half, read at accept, was kept');
  t.is((await hub.read(third.fd, REQUEST.length)).data.toString(), REQUEST);

  t.deepEqual({ ...native.proxyStats(), preludes: native.tlsStats().preludes },
    { ...before, proxied: before.proxied + 3, malformed: before.malformed + 1, preludes: 0 });
  for (const s of [whole, headerAlone, halfHeader]) s.destroy();
  for (const e of [first, second, third]) hub.close(e.fd);
});
