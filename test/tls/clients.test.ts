// Third-party clients against serve({ tls }): curl --http1.1, Node's https client, and `openssl s_client` for ALPN,
// SNI, TLS 1.2, TLS 1.3, session resumption and the protocol / cipher list (Mozilla "intermediate": TLS 1.2 and 1.3
// only, ECDHE with AEAD suites only). The full scanner (testssl.sh) is in testssl.test.ts behind an env flag.
import test from 'ava';
import { get as getHttps } from 'node:https';
import { join } from 'node:path';
import { respond, type Application } from '../../src/index.js';
import { testPki } from '../native/support/test-pki.js';
import { caFile, localhostTls, needCurl, rootCa, run, sClient, withTlsServer, writeTemp } from './support.js';

const app: Application = (req) => respond.text(200, `hello over ${req.protocol} ${req.transport.kind === 'tls' ? req.transport.version : ''}`);

test('curl --http1.1 gets the page over HTTPS, verifying the certificate against the test root', async (t) => {
  needCurl();
  await withTlsServer(app, {}, async (port) => {
    const got = await run('curl', ['--http1.1', '-sS', '--cacert', caFile(), '--resolve', `localhost:${port}:127.0.0.1`, '-w', '\n%{http_version} %{response_code}', `https://localhost:${port}/`]);
    t.is(got.code, 0, got.stderr);
    t.regex(got.stdout, /^hello over https TLSv1\.3\n1\.1 200$/);
    const head = await run('curl', ['--http1.1', '-sSI', '--tlsv1.2', '--tls-max', '1.2', '--cacert', caFile(), '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/`]);
    t.regex(head.stdout, /^HTTP\/1\.1 200/);
  });
});

test("Node's https client gets the page, keep-alive reuses the connection", async (t) => {
  await withTlsServer(app, {}, async (port) => {
    const sockets = new Set<unknown>();
    const { Agent } = await import('node:https');
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: rootCa(), servername: 'localhost' });
    for (let i = 0; i < 3; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        getHttps({ host: '127.0.0.1', port, path: `/${i}`, agent }, (res) => {
          sockets.add(res.socket);
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      t.regex(body, /^hello over https TLSv1\.3$/);
    }
    t.is(sockets.size, 1);
    agent.destroy();
  });
});

test('s_client: ALPN answers http/1.1 and refuses an offer without it', async (t) => {
  await withTlsServer(app, {}, async (port) => {
    const ok = await sClient(port, ['-servername', 'localhost', '-alpn', 'h2,http/1.1']);
    t.regex(ok.stdout, /ALPN protocol: http\/1\.1/);
    t.regex(ok.stdout, /hello over https/);
    const none = await sClient(port, ['-servername', 'localhost', '-alpn', 'h2']);
    t.regex(none.stderr + none.stdout, /no application protocol|alert number 120/i);
  });
});

test('s_client: SNI chooses the certificate', async (t) => {
  const api = testPki().leaf(['api.test']);
  await withTlsServer(app, { tls: localhostTls({ sni: { 'api.test': api } }) }, async (port) => {
    const named = await sClient(port, ['-servername', 'api.test', '-verify_return_error', '-verify_hostname', 'api.test']);
    t.regex(named.stdout, /subject=CN ?= ?api\.test/);
    t.regex(named.stdout, /Verify return code: 0 \(ok\)/);
    const fallback = await sClient(port, ['-servername', 'unknown.test']);
    t.regex(fallback.stdout, /subject=CN ?= ?localhost/);
  });
});

test('s_client: TLS 1.2 and TLS 1.3 both work, each with an ECDHE AEAD suite on X25519', async (t) => {
  await withTlsServer(app, {}, async (port) => {
    const v12 = await sClient(port, ['-servername', 'localhost', '-tls1_2']);
    t.regex(v12.stdout, /Protocol *: TLSv1\.2/);
    t.regex(v12.stdout, /Cipher *: ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)/);
    t.regex(v12.stdout, /Server Temp Key: X25519/);
    t.regex(v12.stdout, /hello over https TLSv1\.2/);
    const v13 = await sClient(port, ['-servername', 'localhost', '-tls1_3']);
    t.regex(v13.stdout, /New, TLSv1\.3, Cipher is TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)/);
    t.regex(v13.stdout, /Server Temp Key: X25519/);
    t.regex(v13.stdout, /hello over https TLSv1\.3/);
  });
});

for (const version of ['-tls1_2', '-tls1_3'] as const) {
  test(`s_client: a session ticket resumes the session (${version})`, async (t) => {
    await withTlsServer(app, {}, async (port) => {
      const session = join(writeTemp(`session${version}.placeholder`, ''), '..', `session${version}.pem`);
      const first = await sClient(port, ['-servername', 'localhost', version, '-sess_out', session]);
      t.regex(first.stdout, /\bNew, TLSv1\.[23]/);
      const second = await sClient(port, ['-servername', 'localhost', version, '-sess_in', session]);
      t.regex(second.stdout, /\bReused, TLSv1\.[23]/, second.stdout);
      t.regex(second.stdout, /hello over https/);
    });
  });
}

test('protocols: SSLv3, TLS 1.0 and TLS 1.1 are refused even to a client that allows them', async (t) => {
  await withTlsServer(app, {}, async (port) => {
    for (const flag of ['-tls1', '-tls1_1']) {
      const old = await sClient(port, ['-servername', 'localhost', flag, '-cipher', 'ALL:@SECLEVEL=0']);
      t.regex(old.stdout, /New, \(NONE\), Cipher is \(NONE\)/, `${flag} was accepted`);
      t.notRegex(old.stdout, /hello over/);
    }
  });
});

/** Offers `offered`; the suite the server picks, or null when it refuses them all. */
async function pick(port: number, versionFlag: string, cipherFlag: string, offered: string[]): Promise<string | null> {
  // @SECLEVEL=0 lets the client offer the weak suites at all (its own default would hide them).
  const list = cipherFlag === '-cipher' ? `${offered.join(':')}:@SECLEVEL=0` : offered.join(':');
  const got = await sClient(port, ['-servername', 'localhost', versionFlag, cipherFlag, list]);
  const m = /Cipher is (\S+)/.exec(got.stdout);
  return m === null || m[1] === '(NONE)' ? null : m[1]!;
}

/** Every suite the server accepts among `all`, found as testssl.sh does: offer all, drop the pick, repeat. */
async function acceptedSuites(port: number, versionFlag: string, cipherFlag: string, all: string[]): Promise<string[]> {
  const accepted: string[] = [];
  let offered = [...all];
  for (let picked = await pick(port, versionFlag, cipherFlag, offered); picked !== null; picked = await pick(port, versionFlag, cipherFlag, offered)) {
    if (accepted.includes(picked)) throw new Error(`the server picked ${picked} again though it was not offered`);
    accepted.push(picked);
    offered = offered.filter((c) => c !== picked);
    if (offered.length === 0) break;
  }
  return accepted.sort();
}

test('ciphers: of every suite OpenSSL knows, only the ECDHE AEAD ones (Mozilla intermediate) are accepted', async (t) => {
  const listed = await run('openssl', ['ciphers', '-tls1_2', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0']);
  const tls12 = listed.stdout.trim().split(':').filter((c) => !c.startsWith('TLS_'));
  t.true(tls12.length > 50, 'the client knows the weak suites too');
  await withTlsServer(app, {}, async (port) => {
    t.deepEqual(await acceptedSuites(port, '-tls1_2', '-cipher', tls12), [
      'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305',
    ]);
    const tls13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];
    t.deepEqual(await acceptedSuites(port, '-tls1_3', '-ciphersuites', tls13), ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
  });
  // An RSA certificate: the ECDHE-RSA AEAD suites (and DHE-RSA, as Mozilla intermediate lists), nothing else.
  const rsa = testPki().leaf(['localhost'], { kind: 'rsa' });
  await withTlsServer(app, { tls: { cert: rsa.cert, key: rsa.key } }, async (port) => {
    const accepted = await acceptedSuites(port, '-tls1_2', '-cipher', tls12);
    t.true(accepted.length > 0);
    for (const suite of accepted) t.regex(suite, /^(ECDHE|DHE)-RSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
  });
});
