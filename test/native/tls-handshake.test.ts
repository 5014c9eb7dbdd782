// TLS handshakes in the addon: a connection is announced only once its handshake is done, with the first request in
// the same batch as plaintext; TLS 1.2 and 1.3, ALPN, minVersion, and the transport facts JS can ask for.
import test from 'ava';
import { once } from 'node:events';
import { connect } from 'node:tls';
import { EV_ACCEPT, EV_DATA } from '../../src/native/index.js';
import { checkFdLeaks, useHub } from './support/event-hub.js';
import { connectRaw, connectTls, createContext, listenTls, useTlsListener } from './support/tls-harness.js';
import { testPki } from './support/test-pki.js';

const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

const { context, listener } = useTlsListener(test, hub);

test.serial('a TLS 1.3 connection is announced after its handshake, with its first request as plaintext in that batch', async (t) => {
  const turnsBefore = hub.turns.length;
  const client = await connectTls(listener.port);
  client.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const accepted = await hub.next(listener.fd);
  t.is(accepted.kind, EV_ACCEPT);
  t.is(accepted.a, listener.fd);
  const data = await hub.read(accepted.fd, 35);
  t.is(data.data.toString(), 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const acceptTurn = hub.turns.slice(turnsBefore).find((turn) => turn.kinds.includes(EV_ACCEPT))!;
  t.is(acceptTurn.kinds[0], EV_ACCEPT, 'nothing about the fd is reported before EV_ACCEPT');
  t.is(client.getProtocol(), 'TLSv1.3');
  client.destroy();
  native.close(accepted.fd);
});

test.serial('bytes a client writes before its handshake ends reach JS only after EV_ACCEPT, in order', async (t) => {
  const seen: number[] = [];
  hub.onRecord = (e) => {
    if (e.kind === EV_ACCEPT && e.a === listener.fd) seen.push(e.fd);
    else if (e.kind === EV_DATA && seen.includes(e.fd)) seen.push(-1);
  };
  // node:tls queues early writes and sends them with (or right after) its Finished flight.
  const client = connect({ host: '127.0.0.1', port: listener.port, ca: testPki().root.cert, servername: 'localhost' });
  client.write('early-1;');
  client.write('early-2');
  const accepted = await hub.next(listener.fd);
  const data = await hub.read(accepted.fd, 15);
  hub.onRecord = null;
  t.is(data.data.toString(), 'early-1;early-2');
  t.is(seen[0], accepted.fd, 'EV_ACCEPT came first');
  t.true(seen.slice(1).every((x) => x === -1));
  client.destroy();
  native.close(accepted.fd);
});

test.serial('TLS 1.2 is negotiated with an ECDHE AEAD suite and reported by transportInfo', async (t) => {
  const client = await connectTls(listener.port, { maxVersion: 'TLSv1.2' });
  const accepted = await hub.next(listener.fd);
  const info = native.transportInfo(accepted.fd);
  t.is(info?.version, 'TLSv1.2');
  t.regex(info?.cipher ?? '', /^TLS_ECDHE_ECDSA_WITH_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/);
  t.is(client.getProtocol(), 'TLSv1.2');
  client.write('hello 1.2');
  t.is((await hub.read(accepted.fd, 9)).data.toString(), 'hello 1.2');
  const reply = Buffer.from('reply 1.2');
  t.is(native.send(accepted.fd, reply, 0, reply.length, false), reply.length);
  const [got] = (await once(client, 'data')) as [Buffer];
  t.is(got.toString(), 'reply 1.2');
  client.destroy();
  native.close(accepted.fd);
});

test.serial('transportInfo tells version, cipher, ALPN and server name; a plain fd has none', async (t) => {
  const client = await connectTls(listener.port, { ALPNProtocols: ['h2', 'http/1.1'] });
  const accepted = await hub.next(listener.fd);
  t.deepEqual(native.transportInfo(accepted.fd), {
    version: 'TLSv1.3',
    cipher: client.getCipher().standardName,
    alpn: 'http/1.1',
    serverName: 'localhost',
    resumed: false,
  });
  t.is(client.alpnProtocol, 'http/1.1');
  t.is(native.transportInfo(listener.fd), null);
  t.is(native.transportInfo(987654), null);
  client.destroy();
  native.close(accepted.fd);
});

test.serial('a client without ALPN or SNI gets no protocol and no server name', async (t) => {
  const client = await connectTls(listener.port, { servername: '' });
  const accepted = await hub.next(listener.fd);
  const info = native.transportInfo(accepted.fd);
  t.is(info?.alpn, null);
  t.is(info?.serverName, null);
  client.destroy();
  native.close(accepted.fd);
});

test.serial('a client offering only protocols the server lacks gets no_application_protocol (RFC 7301 §3.2)', async (t) => {
  const error = await connectTls(listener.port, { ALPNProtocols: ['h2'] }).then(
    () => null,
    (e: Error & { code?: string }) => e,
  );
  t.truthy(error);
  t.regex(String(error?.code ?? error?.message), /NO_APPLICATION_PROTOCOL|no application protocol/i);
  t.is(native.tlsStats().preludes, 0);
});

test.serial('minVersion TLSv1.3 refuses a TLS 1.2 client; the connection is never announced', async (t) => {
  const strict = createContext(hub, undefined, { minVersion: 'TLSv1.3' });
  const strictListener = listenTls(hub, strict);
  const error = await connectTls(strictListener.port, { maxVersion: 'TLSv1.2' }).then(
    () => null,
    (e: Error) => e,
  );
  t.truthy(error);
  const client = await connectTls(strictListener.port);
  t.is(client.getProtocol(), 'TLSv1.3');
  const accepted = await hub.next(strictListener.fd);
  t.is(accepted.kind, EV_ACCEPT, 'the first announcement is the TLS 1.3 client');
  t.is(hub.pending(strictListener.fd), 0);
  client.destroy();
  native.close(accepted.fd);
  native.close(strictListener.fd);
  native.freeTlsContext(strict);
});

test.serial('recv on a TLS connection is refused: its plaintext only comes as EV_DATA', async (t) => {
  const client = await connectTls(listener.port);
  const accepted = await hub.next(listener.fd);
  t.is(native.recv(accepted.fd, Buffer.alloc(16), 0, 16), -95 /* EOPNOTSUPP */);
  client.destroy();
  native.close(accepted.fd);
});

test.serial('startAccepting refuses an unknown context id and a non-positive timeout', (t) => {
  const fd = native.listen('127.0.0.1', 0, 0, false);
  t.is(native.startAccepting(fd, 12345), -22);
  t.is(native.startAccepting(fd, context, 0), -22);
  t.is(native.startAccepting(fd, context, 1000), 0);
  native.close(fd);
});

test.serial('a raw TCP client that connects and leaves during the handshake is never announced', async (t) => {
  const socket = await connectRaw(listener.port);
  socket.destroy();
  await once(socket, 'close');
  const client = await connectTls(listener.port);
  const accepted = await hub.next(listener.fd);
  t.is(accepted.kind, EV_ACCEPT);
  t.is(hub.pending(listener.fd), 0);
  client.destroy();
  native.close(accepted.fd);
});

test.serial("closing a listener closes its connections still in their handshake, before any deadline", async (t) => {
  const own = listenTls(hub, context, 60_000);
  const stalled = await connectRaw(own.port);
  while (native.tlsStats().preludes === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const closed = once(stalled, 'close');
  native.close(own.fd);
  await closed;
  t.is(native.tlsStats().preludes, 0);
  t.is(hub.pending(own.fd), 0, 'nothing was announced for the closed listener');
});

test.serial("the server's suite order wins, except for a client that puts ChaCha20 first", async (t) => {
  const cases: Array<[string, string]> = [
    ['ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
    ['ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  ];
  for (const [ciphers, expected] of cases) {
    const client = await connectTls(listener.port, { maxVersion: 'TLSv1.2', ciphers });
    const accepted = await hub.next(listener.fd);
    t.is(native.transportInfo(accepted.fd)?.cipher, expected, ciphers);
    client.destroy();
    native.close(accepted.fd);
  }
});
