// The PROXY stage at accept, over real sockets: a connection is announced only once its header is read, with what
// followed the header as its first data and the header's client as its peer; a missing, bad, oversized, truncated or
// slow header, or an untrusted peer, is closed natively and never announced; thousands of them leak nothing.
import test from 'ava';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EV_ACCEPT, EV_DATA, EV_EOF, type NativeProxyStats } from '../../src/native/index.js';
import { runClientChild } from './support/client-child.js';
import { checkFdLeaks, useHub, waitTurns } from './support/event-hub.js';
import { PP2, proxyV1, proxyV2 } from './support/proxy-header.js';
import { collect } from './support/tls-harness.js';

const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

const REQUEST = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
const CLIENTS = fileURLToPath(new URL('./fixtures/proxy-clients.js', import.meta.url));

/** A PROXY listener on 127.0.0.1 (closed after the file). */
function listenProxy(trusted?: readonly string[], timeoutMs = 300): { fd: number; port: number } {
  const fd = native.listen('127.0.0.1', 0, 0, false);
  const r = native.startAccepting(fd, undefined, timeoutMs, true, trusted);
  if (r !== 0) throw new Error(`startAccepting ${r}`);
  test.after.always(() => native.close(fd));
  return { fd, port: native.localPort(fd) };
}

const listener = listenProxy();
const only2 = listenProxy(['10.0.0.0/8', '127.0.0.2/32', 'fd00::/8']);

async function connectFrom(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  await once(socket, 'connect');
  return socket;
}

/** Stats grown since `before`. */
function grown(before: NativeProxyStats): Record<string, number> {
  const now = native.proxyStats();
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - before[k as keyof NativeProxyStats]]).filter(([, v]) => v !== 0));
}

/** Writes bytes to a fresh connection and waits until the server closes it; the listener must not announce it. */
async function refused(bytes: readonly Buffer[], port = listener.port): Promise<{ data: Buffer; error: Error | null }> {
  const socket = await connectFrom(port);
  const result = collect(socket);
  for (const b of bytes) socket.write(b);
  return result;
}

test.serial('a v1 header and the request in one write: EV_ACCEPT, then only the request, from the header\'s client', async (t) => {
  const before = native.proxyStats();
  const socket = await connectFrom(listener.port);
  socket.write(Buffer.concat([proxyV1('192.0.2.10', '198.51.100.1', 56324, 443), Buffer.from(REQUEST)]));
  const accepted = await hub.next(listener.fd);
  t.is(accepted.kind, EV_ACCEPT);
  const data = await hub.read(accepted.fd, REQUEST.length);
  t.is(data.data.toString(), REQUEST);
  t.is(native.peerAddress(accepted.fd), '192.0.2.10:56324');
  const info = native.proxyInfo(accepted.fd)!;
  t.like(info, { version: 1, command: 'PROXY', family: 'IPv4', source: { address: '192.0.2.10', port: 56324 }, destination: { address: '198.51.100.1', port: 443 } });
  t.is(info.peer, `127.0.0.1:${socket.localPort}`, 'the TCP peer is the balancer');
  t.deepEqual(grown(before), { proxied: 1 });
  socket.destroy();
  hub.close(accepted.fd);
});

test.serial('a v2 header with TLVs: the client, the TLVs, and the next bytes read as the connection\'s data', async (t) => {
  const socket = await connectFrom(listener.port);
  socket.write(proxyV2({ source: '2001:db8::5', destination: '2001:db8::1', sourcePort: 4000, destinationPort: 443,
    tlvs: [{ type: PP2.ALPN, value: Buffer.from('http/1.1') }, { type: PP2.AUTHORITY, value: Buffer.from('example.com') }] }));
  const accepted = await hub.next(listener.fd);
  t.is(native.peerAddress(accepted.fd), '[2001:db8::5]:4000');
  t.like(native.proxyInfo(accepted.fd)!.tlvs, { alpn: 'http/1.1', authority: 'example.com' });
  socket.write(REQUEST);
  t.is((await hub.read(accepted.fd, REQUEST.length)).data.toString(), REQUEST);
  socket.end();
  t.is((await hub.next(accepted.fd)).kind, EV_EOF);
  hub.close(accepted.fd);
});

test.serial('v2 LOCAL (a balancer\'s health check) is served as the balancer itself', async (t) => {
  const socket = await connectFrom(listener.port);
  socket.write(Buffer.concat([proxyV2({ command: 'LOCAL' }), Buffer.from(REQUEST)]));
  const accepted = await hub.next(listener.fd);
  t.is((await hub.read(accepted.fd, REQUEST.length)).data.toString(), REQUEST);
  t.is(native.peerAddress(accepted.fd), `127.0.0.1:${socket.localPort}`);
  t.like(native.proxyInfo(accepted.fd), { command: 'LOCAL', source: null });
  socket.destroy();
  hub.close(accepted.fd);
});

for (const [name, header] of [['v1', proxyV1('203.0.113.1', '203.0.113.2', 7, 8)], ['v2', proxyV2({ source: '203.0.113.1', destination: '203.0.113.2',
  sourcePort: 7, destinationPort: 8, tlvs: [{ type: PP2.NOOP, value: Buffer.alloc(5) }], crc: 'good' })]] as const) {
  test.serial(`a ${name} header split across two writes at every offset reads the same`, async (t) => {
    const whole = Buffer.concat([header, Buffer.from(REQUEST)]);
    for (let cut = 1; cut < header.length + 2; cut++) {
      const socket = await connectFrom(listener.port);
      socket.write(whole.subarray(0, cut));
      await waitTurns(2);
      if (cut < header.length) t.is(hub.pending(listener.fd), 0, `not announced before the header is whole (cut ${cut})`);
      socket.write(whole.subarray(cut));
      const accepted = await hub.next(listener.fd);
      t.is((await hub.read(accepted.fd, REQUEST.length)).data.toString(), REQUEST, `cut ${cut}`);
      t.is(native.peerAddress(accepted.fd), '203.0.113.1:7');
      socket.destroy();
      hub.close(accepted.fd);
    }
  });
}

test.serial('a direct connection without the header (plain HTTP) is closed at once, unannounced', async (t) => {
  const before = native.proxyStats();
  const { data, error } = await refused([Buffer.from(REQUEST)]);
  t.is(data.length, 0);
  t.is(error, null);
  t.is(hub.pending(listener.fd), 0);
  t.deepEqual(grown(before), { malformed: 1 });
});

test.serial('bad and oversized headers are closed, unannounced', async (t) => {
  const before = native.proxyStats();
  const oversized = proxyV2({ source: '1.2.3.4', destination: '5.6.7.8' });
  oversized.writeUInt16BE(5000, 14);
  const badTlv = proxyV2({ source: '1.2.3.4', destination: '5.6.7.8', tlvs: [{ type: PP2.CRC32C, value: Buffer.alloc(2) }] });
  for (const bytes of [oversized, badTlv, Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n'), Buffer.from(`PROXY ${'X'.repeat(120)}`)]) {
    const { data } = await refused([bytes]);
    t.is(data.length, 0);
  }
  t.is(hub.pending(listener.fd), 0);
  t.deepEqual(grown(before), { malformed: 4 });
});

test.serial('a client that sends nothing, or trickles its header, is closed at the deadline', async (t) => {
  const before = native.proxyStats();
  await refused([]);
  const socket = await connectFrom(listener.port);
  const result = collect(socket);
  const header = proxyV1('1.2.3.4', '5.6.7.8', 1, 2);
  let i = 0;
  const timer = setInterval(() => i < header.length && socket.write(header.subarray(i, ++i)), 30);
  await result;
  clearInterval(timer);
  t.true(i < header.length, 'closed before the header was complete');
  t.deepEqual(grown(before), { timedOut: 2 });
  t.is(native.tlsStats().preludes, 0);
});

test.serial('a client that ends or resets mid-header is forgotten', async (t) => {
  const before = native.proxyStats();
  const a = await connectFrom(listener.port);
  a.end(proxyV2({ source: '1.2.3.4', destination: '5.6.7.8' }).subarray(0, 20));
  await collect(a);
  const b = await connectFrom(listener.port);
  b.write(Buffer.from('PROXY TCP4 1.2'));
  await waitTurns(2);
  b.resetAndDestroy();
  while (native.tlsStats().preludes > 0) await waitTurns(1);
  t.deepEqual(grown(before), { aborted: 2 });
});

test.serial('trusted ranges: a peer outside them is closed at accept, before its header is read; one inside is served', async (t) => {
  const before = native.proxyStats();
  const { data, error } = await refused([Buffer.concat([proxyV1('192.0.2.1', '192.0.2.2', 1, 2), Buffer.from(REQUEST)])], only2.port);
  t.is(data.length, 0);
  t.true(error === null || (error as NodeJS.ErrnoException).code === 'ECONNRESET');
  t.deepEqual(grown(before), { untrusted: 1 });
  const socket = await connectFrom(only2.port, '127.0.0.2');
  socket.write(Buffer.concat([proxyV1('192.0.2.1', '192.0.2.2', 1, 2), Buffer.from(REQUEST)]));
  const accepted = await hub.next(only2.fd);
  t.is(native.peerAddress(accepted.fd), '192.0.2.1:1');
  t.is(native.proxyInfo(accepted.fd)!.peer, `127.0.0.2:${socket.localPort}`);
  socket.destroy();
  hub.close(accepted.fd);
});

test.serial('an IPv4 range trusts IPv4 clients of a dual-stack listener (IPv4-mapped peers)', async (t) => {
  const fd = native.listen('', 0, 0, false);
  t.is(native.startAccepting(fd, undefined, 300, true, ['127.0.0.0/8']), 0);
  const socket = await connectFrom(native.localPort(fd));
  socket.write(Buffer.concat([proxyV1('192.0.2.1', '192.0.2.2', 1, 2), Buffer.from(REQUEST)]));
  const accepted = await hub.next(fd);
  t.is(accepted.kind, EV_ACCEPT);
  t.is(native.peerAddress(accepted.fd), '192.0.2.1:1');
  socket.destroy();
  hub.close(accepted.fd);
  native.close(fd);
});

test.serial('startAccepting refuses trusted ranges that are not ranges', (t) => {
  const fd = native.listen('127.0.0.1', 0, 0, false);
  for (const bad of [['10.0.0.0/33'], ['::/129'], ['example.com'], ['1.2.3.4/'], ['1.2.3.4/x'], [''], [42], 'x']) {
    t.is(native.startAccepting(fd, undefined, 300, true, bad as unknown as string[]), -22, JSON.stringify(bad));
  }
  t.is(native.startAccepting(fd, undefined, 300, true, ['10.0.0.0/8', '::1', '2001:db8::/32', 'unix:', '0.0.0.0/0']), 0);
  native.close(fd);
});

test.serial('without proxyProtocol, a header is just data (the stage is off)', async (t) => {
  const fd = native.listen('127.0.0.1', 0, 0, false);
  t.is(native.startAccepting(fd, undefined, 300, false), 0);
  const socket = await connectFrom(native.localPort(fd));
  const line = proxyV1('1.2.3.4', '5.6.7.8', 1, 2);
  socket.write(line);
  const accepted = await hub.next(fd);
  const data = await hub.next(accepted.fd);
  t.is(data.kind, EV_DATA);
  t.is(data.data!.toString(), line.toString());
  t.is(native.proxyInfo(accepted.fd), null);
  socket.destroy();
  hub.close(accepted.fd);
  native.close(fd);
});

const abuse = (connections: number): Promise<void> => runClientChild(CLIENTS, listener.port, connections);

test.serial('thousands of good and bad PROXY connections leave no fd, prelude or memory behind', async (t) => {
  hub.onRecord = (e) => {
    if (e.kind === EV_ACCEPT && e.a === listener.fd) hub.close(e.fd);
  };
  await abuse(400);
  await new Promise((resolve) => setTimeout(resolve, 400));
  const before = native.tlsStats().mallocInUse;
  await abuse(4000);
  await new Promise((resolve) => setTimeout(resolve, 400));
  hub.onRecord = null;
  const after = native.tlsStats();
  t.is(after.preludes, 0);
  const grownBytes = after.mallocInUse - before;
  t.log(`malloc in use grew ${(grownBytes / 1024).toFixed(0)} KiB over 4,000 connections`);
  // A leaked header record (~200 B with its TLVs) or prelude (~100 B) on 2,000 good and 1,500 bad connections would
  // add hundreds of KiB.
  if (before >= 0) t.true(grownBytes < 128 * 1024, `malloc in use grew ${grownBytes} bytes`);
});
