// TLS contexts from PEM: bad input gets a coded error naming the problem, SNI picks certificates, CAs complete the
// chain, and a swap (certificate reload) serves new connections without touching the open ones.
import test from 'ava';
import { once } from 'node:events';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { checkFdLeaks, useHub } from './support/event-hub.js';
import { connectTls, createContext, listenTls, localhostLeaf } from './support/tls-harness.js';
import { testPki } from './support/test-pki.js';

const hub = useHub();
const native = hub.native;
checkFdLeaks(test);
const pki = testPki();

function subject(socket: TLSSocket): string {
  return String((socket.getPeerCertificate() as PeerCertificate).subject.CN);
}

async function roundTrip(t: { is: (a: unknown, b: unknown) => void }, socket: TLSSocket, fd: number, text: string): Promise<void> {
  socket.write(text);
  t.is((await hub.read(fd, text.length)).data.toString(), text);
  const bytes = Buffer.from(text.toUpperCase());
  native.send(fd, bytes, 0, bytes.length, false);
  const [reply] = (await once(socket, 'data')) as [Buffer];
  t.is(reply.toString(), text.toUpperCase());
}

const badOptions: Array<[string, Record<string, unknown>, string]> = [
  ['no cert', { key: localhostLeaf().key }, 'ERR_INVALID_ARG_TYPE'],
  ['a cert that is not PEM', { cert: 'hello', key: localhostLeaf().key }, 'ERR_SLUICE_TLS_CERT'],
  ['a key that is not PEM', { cert: localhostLeaf().cert, key: Buffer.from('nope') }, 'ERR_SLUICE_TLS_KEY'],
  ['a key of another certificate', { cert: localhostLeaf().cert, key: pki.root.key }, 'ERR_SLUICE_TLS_KEY_MISMATCH'],
  ['a ca that is not PEM', { ...localhostLeaf(), ca: 'junk' }, 'ERR_SLUICE_TLS_CA'],
  ['an unknown minVersion', { ...localhostLeaf(), minVersion: 'TLSv1.1' }, 'ERR_INVALID_ARG_VALUE'],
  ['an empty ALPN name', { ...localhostLeaf(), alpn: [''] }, 'ERR_INVALID_ARG_VALUE'],
  ['an SNI entry without a name', { ...localhostLeaf(), sni: [{ ...localhostLeaf() }] }, 'ERR_INVALID_ARG_TYPE'],
  ['a bad SNI certificate', { ...localhostLeaf(), sni: [{ serverName: 'x.test', cert: 'x', key: 'y' }] }, 'ERR_SLUICE_TLS_CERT'],
];

for (const [name, options, code] of badOptions) {
  test(`createTlsContext rejects ${name} with ${code}`, (t) => {
    const before = native.tlsStats().contexts;
    const error = t.throws(() => native.createTlsContext(options as never));
    t.is((error as Error & { code?: string }).code, code);
    t.is(native.tlsStats().contexts, before, 'nothing half-built is left behind');
  });
}

test('an encrypted key needs its passphrase: none or a wrong one is ERR_SLUICE_TLS_KEY, the right one works', (t) => {
  const leaf = localhostLeaf();
  const encrypted = pki.encrypt(leaf.key, 'open sesame');
  const none = t.throws(() => native.createTlsContext({ cert: leaf.cert, key: encrypted }));
  t.is((none as Error & { code?: string }).code, 'ERR_SLUICE_TLS_KEY');
  t.regex(none?.message ?? '', /passphrase/);
  const wrong = t.throws(() => native.createTlsContext({ cert: leaf.cert, key: encrypted, passphrase: 'guess' }));
  t.is((wrong as Error & { code?: string }).code, 'ERR_SLUICE_TLS_KEY');
  const id = native.createTlsContext({ cert: leaf.cert, key: encrypted, passphrase: 'open sesame' });
  t.true(id >= 0);
  t.is(native.freeTlsContext(id), 0);
  t.is(native.freeTlsContext(id), -22, 'freeing twice is EINVAL');
});

test.serial('SNI picks the certificate by exact name, then by wildcard; other names get the default', async (t) => {
  const a = pki.leaf(['a.test']);
  const wild = pki.leaf(['*.wild.test']);
  const id = createContext(hub, localhostLeaf(), {
    sni: [
      { serverName: 'A.Test', ...a },
      { serverName: '*.wild.test', ...wild },
    ],
  });
  const listener = listenTls(hub, id);
  const cases: Array<[string, string]> = [
    ['a.test', 'a.test'],
    ['A.TEST', 'a.test'],
    ['x.wild.test', '*.wild.test'],
    ['localhost', 'localhost'],
    ['other.test', 'localhost'],
  ];
  for (const [servername, expected] of cases) {
    const client = await connectTls(listener.port, { servername, checkServerIdentity: () => undefined });
    const accepted = await hub.next(listener.fd);
    t.is(subject(client), expected, servername);
    t.is(native.transportInfo(accepted.fd)?.serverName, servername, 'as the client sent it');
    await roundTrip(t, client, accepted.fd, `hi ${servername}`);
    client.destroy();
    native.close(accepted.fd);
  }
  native.close(listener.fd);
  native.freeTlsContext(id);
});

test.serial('ca completes the chain: a leaf under an intermediate verifies against the root alone', async (t) => {
  const leaf = pki.leaf(['localhost'], { byIntermediate: true });
  const withCa = createContext(hub, leaf, { ca: pki.intermediate.cert + pki.root.cert });
  const without = createContext(hub, leaf);
  const good = listenTls(hub, withCa);
  const bad = listenTls(hub, without);
  const client = await connectTls(good.port);
  const accepted = await hub.next(good.fd);
  t.is(subject(client), 'localhost');
  const error = await connectTls(bad.port).then(
    () => null,
    (e: Error & { code?: string }) => e,
  );
  t.is(error?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  const chained = createContext(hub, { cert: leaf.cert + pki.intermediate.cert, key: leaf.key });
  const inline = listenTls(hub, chained);
  const viaCert = await connectTls(inline.port);
  t.is(subject(viaCert), 'localhost', 'or the intermediate comes after the leaf in cert');
  const inlineAccepted = await hub.next(inline.fd);
  for (const socket of [client, viaCert]) socket.destroy();
  for (const fd of [accepted.fd, inlineAccepted.fd, good.fd, bad.fd, inline.fd]) native.close(fd);
  for (const id of [withCa, without, chained]) native.freeTlsContext(id);
});

test.serial('setTls swaps the certificate for new connections; an open one keeps talking on the old', async (t) => {
  const first = createContext(hub, pki.leaf(['localhost', 'first.test']));
  const second = createContext(hub, pki.leaf(['localhost', 'second.test']));
  const listener = listenTls(hub, first);
  const before = await connectTls(listener.port);
  const beforeFd = (await hub.next(listener.fd)).fd;
  t.is(native.setTls(listener.fd, second), 0);
  t.is(native.freeTlsContext(first), 0, 'the old context may be freed at once: its connections keep it');
  const after = await connectTls(listener.port);
  const afterFd = (await hub.next(listener.fd)).fd;
  t.deepEqual(
    [before, after].map((s) => (s.getPeerCertificate() as PeerCertificate).subjectaltname),
    ['DNS:localhost, DNS:first.test, IP Address:127.0.0.1', 'DNS:localhost, DNS:second.test, IP Address:127.0.0.1'],
  );
  await roundTrip(t, before, beforeFd, 'still here');
  await roundTrip(t, after, afterFd, 'new here');
  t.is(native.setTls(listener.fd, 999), -22);
  t.is(native.setTls(beforeFd, second), -22, 'only a listener has a context to swap');
  t.is(native.setTls(987654, second), -9);
  for (const socket of [before, after]) socket.destroy();
  native.close(beforeFd);
  native.close(afterFd);
  native.close(listener.fd);
  native.freeTlsContext(second);
  t.like(native.tlsStats(), { contexts: 0, connections: 0, preludes: 0, pendingBytes: 0 });
});

test.serial('an RSA certificate works too (ECDHE-RSA in TLS 1.2)', async (t) => {
  const id = createContext(hub, pki.leaf(['localhost'], { kind: 'rsa' }));
  const listener = listenTls(hub, id);
  const client = await connectTls(listener.port, { maxVersion: 'TLSv1.2' });
  const accepted = await hub.next(listener.fd);
  t.regex(native.transportInfo(accepted.fd)?.cipher ?? '', /^TLS_ECDHE_RSA_WITH_/);
  client.destroy();
  native.close(accepted.fd);
  native.close(listener.fd);
  native.freeTlsContext(id);
});
