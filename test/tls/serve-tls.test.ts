// serve({ tls }) end to end on real sockets: certificates from files and bytes, errors that name the file, what the
// application sees (req.secure, req.transport), nginx's 400 to plain HTTP, bad input (garbage ClientHello, slowloris,
// renegotiation) and reload with server.setTls(). The native layer's own tests cover the same cases below JS; these
// check that the engine wires them up and adds nothing that leaks or hangs.
import test from 'ava';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { request as requestHttps } from 'node:https';
import { respond, serve, type Application } from '../../src/index.js';
import { testPki } from '../native/support/test-pki.js';
import { localhostTls, rootCa, withTlsServer, writeTemp } from './support.js';

const hello: Application = (req) => respond.text(200, `secure=${req.secure} protocol=${req.protocol} ${JSON.stringify(req.transport)}`);

/** One GET over node:https trusting the test root; the status, body and the certificate the server sent. */
function getHttps(port: number, path = '/', servername = 'localhost'): Promise<{ status: number; body: string; subject: string }> {
  return new Promise((resolve, reject) => {
    const req = requestHttps({ host: '127.0.0.1', port, path, ca: rootCa(), servername, agent: false }, (res) => {
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, subject: String(cert.subject?.CN ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends bytes on a raw TCP connection; resolves with everything received until the server closed. */
function rawExchange(port: number, bytes: Buffer | null): Promise<{ data: Buffer; error: Error | null }> {
  return new Promise((resolve) => {
    const socket: Socket = connectTcp(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: Error | null = null;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e) => (error = e));
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), error }));
    if (bytes !== null) socket.write(bytes);
  });
}

test('the application sees an https request: req.secure, req.protocol and what TLS negotiated', async (t) => {
  await withTlsServer(hello, {}, async (port, server) => {
    t.true(server.secure);
    const got = await getHttps(port);
    t.is(got.status, 200);
    t.regex(got.body, /^secure=true protocol=https /);
    const info = JSON.parse(got.body.slice(got.body.indexOf('{'))) as Record<string, unknown>;
    t.is(info.kind, 'tls');
    t.is(info.alpn, null, "Node's https client offers no ALPN (s_client checks the http/1.1 answer)");
    t.is(info.serverName, 'localhost');
    t.regex(String(info.version), /^TLSv1\.[23]$/);
  });
});

test('certificates can be given as file paths; an unreadable one fails serve() naming the file, before any port is bound', (t) => {
  const leaf = testPki().leaf(['localhost']);
  const cert = writeTemp('files-cert.pem', leaf.cert);
  const key = writeTemp('files-key.pem', leaf.key);
  const server = serve({ host: '127.0.0.1', port: 0, tls: { cert, key } }, hello);
  t.true(server.secure);
  void server.close();
  const missing = t.throws(() => serve({ host: '127.0.0.1', port: 0, tls: { cert: '/nonexistent/cert.pem', key } }, hello));
  t.is((missing as Error & { code: string }).code, 'ERR_SLUICE_TLS_FILE');
  t.regex(missing!.message, /\/nonexistent\/cert\.pem.*no such file/);
  const notPem = writeTemp('not-a-cert.pem', 'hello');
  const bad = t.throws(() => serve({ host: '127.0.0.1', port: 0, tls: { cert: notPem, key } }, hello));
  t.is((bad as Error & { code: string }).code, 'ERR_SLUICE_TLS_CERT');
  t.true(bad!.message.includes(notPem));
});

test('a key that belongs to another certificate is refused with ERR_SLUICE_TLS_KEY_MISMATCH', (t) => {
  const other = testPki().leaf(['other.test']);
  const err = t.throws(() => serve({ host: '127.0.0.1', port: 0, tls: { ...localhostTls(), key: other.key } }, hello));
  t.is((err as Error & { code: string }).code, 'ERR_SLUICE_TLS_KEY_MISMATCH');
});

test('bad tls settings are an OptionError naming the key', (t) => {
  for (const [tls, key] of [
    [{ cert: 'a.pem' }, 'tls.key'],
    [{ ...localhostTls(), minVersion: 'TLSv1.1' }, 'tls.minVersion'],
    [{ ...localhostTls(), sni: { 'bad name!': localhostTls() } }, 'tls.sni'],
    [{ ...localhostTls(), alpn: [] }, 'tls.alpn'],
  ] as const) {
    const err = t.throws(() => serve({ host: '127.0.0.1', port: 0, tls: tls as never }, hello));
    t.is((err as Error & { key: string }).key, key);
  }
  t.throws(() => serve({ host: '127.0.0.1', port: 0, handshakeTimeoutMs: 0 }, hello), { message: /handshakeTimeoutMs/ });
});

test('plain HTTP sent to the HTTPS port gets a plain-text 400 and a close (nginx)', async (t) => {
  await withTlsServer(hello, {}, async (port) => {
    const { data } = await rawExchange(port, Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    const text = data.toString('latin1');
    t.regex(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    t.regex(text, /Connection: close\r\n/);
    t.regex(text, /speaks HTTPS/);
  });
});

test('a garbage ClientHello gets a fatal alert and a close', async (t) => {
  await withTlsServer(hello, {}, async (port) => {
    const garbage = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]), Buffer.alloc(0x40, 0xee)]);
    const { data } = await rawExchange(port, garbage);
    t.true(data.length >= 7, `an alert record, got ${data.toString('hex')}`);
    t.is(data[0], 21, 'content type alert');
    t.is(data[5], 2, 'level fatal');
  });
});

test('a client that never finishes its handshake (slowloris over TLS) is closed at handshakeTimeoutMs', async (t) => {
  await withTlsServer(hello, { handshakeTimeoutMs: 300 }, async (port) => {
    const socket = connectTcp(port, '127.0.0.1');
    const closed = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', () => {});
      socket.on('close', () => resolve(Buffer.concat(chunks)));
    });
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    const trickle = setInterval(() => socket.write(Buffer.from([0])), 50);
    const data = await closed;
    clearInterval(trickle);
    t.is(data.length, 0, 'closed without a word, as nginx does');
    // The server still serves others.
    t.is((await getHttps(port)).status, 200);
  });
});

test('renegotiation is refused: a TLS 1.2 client asking for it is told no_renegotiation', async (t) => {
  await withTlsServer(hello, {}, async (port) => {
    const client = connectTls({ host: '127.0.0.1', port, ca: rootCa(), servername: 'localhost', maxVersion: 'TLSv1.2' });
    await new Promise((resolve) => client.once('secureConnect', resolve));
    const refused = await new Promise<Error>((resolve) => {
      client.on('error', resolve);
      client.renegotiate({ rejectUnauthorized: true }, (error) => {
        if (error) resolve(error);
      });
      client.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    t.regex(refused.message, /no renegotiation/i);
    client.destroy();
  });
});

test('SNI picks the certificate for the name; an unknown name gets the default one', async (t) => {
  const api = testPki().leaf(['api.test']);
  const wild = testPki().leaf(['*.wild.test']);
  await withTlsServer(hello, { tls: localhostTls({ sni: { 'api.test': api, '*.wild.test': wild } }) }, async (port) => {
    t.is((await getHttps(port, '/', 'api.test')).subject, 'api.test');
    t.is((await getHttps(port, '/', 'a.wild.test')).subject, '*.wild.test');
    t.is((await getHttps(port, '/', 'localhost')).subject, 'localhost');
  });
});

test('setTls() serves new connections the new certificate; the file form is read again with no argument', async (t) => {
  const first = testPki().leaf(['localhost', 'first.test']);
  const second = testPki().leaf(['localhost', 'second.test']);
  const cert = writeTemp('reload-cert.pem', first.cert);
  const key = writeTemp('reload-key.pem', first.key);
  await withTlsServer(hello, { tls: { cert, key } }, async (port, server) => {
    t.is((await getHttps(port)).subject, 'localhost');
    const open = connectTls({ host: '127.0.0.1', port, ca: rootCa(), servername: 'localhost' });
    await new Promise((resolve) => open.once('secureConnect', resolve));
    const before = open.getPeerX509Certificate()!.serialNumber;
    writeTemp('reload-cert.pem', second.cert);
    writeTemp('reload-key.pem', second.key);
    server.setTls();
    const now = await new Promise<string>((resolve, reject) => {
      const s = connectTls({ host: '127.0.0.1', port, ca: rootCa(), servername: 'localhost' }, () => {
        resolve(s.getPeerX509Certificate()!.serialNumber);
        s.destroy();
      });
      s.on('error', reject);
    });
    t.not(now, before);
    // The connection opened before the reload still works on its old certificate.
    open.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      open.on('data', (d: Buffer) => (text += d.toString()));
      open.on('end', () => resolve(text));
    });
    t.regex(reply, /^HTTP\/1\.1 200/);
    // A bad reload keeps the current certificates and says why.
    writeTemp('reload-key.pem', 'broken');
    t.throws(() => server.setTls(), { code: 'ERR_SLUICE_TLS_KEY' } as never);
    t.is((await getHttps(port)).status, 200);
    server.setTls(localhostTls());
    t.is((await getHttps(port)).status, 200);
    t.throws(() => server.setTls(null as never), { message: /cannot switch to plain HTTP/ });
  });
});

test('setTls on a plain HTTP server is a TypeError', async (t) => {
  const server = serve({ host: '127.0.0.1', port: 0 }, hello);
  t.false(server.secure);
  t.throws(() => server.setTls(localhostTls()), { instanceOf: TypeError });
  await server.close();
});
