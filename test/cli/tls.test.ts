// `sluice serve` over HTTPS: the TLS flags' checks, the self-signed certificate, the shared ticket keys, and the real
// CLI serving HTTPS (files and self-signed), reloading on SIGHUP, and resuming sessions across prefork workers.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { connect } from 'node:tls';
import { dirname } from 'node:path';
import { checkTlsFlags, describeTls, materializeSelfSigned, selfSignedNames, tlsSettingsOf } from '../../src/cli/tls-flags.js';
import { SharedTicketKeys } from '../../src/cli/tls-ticket-keys.js';
import { loadNative } from '../../src/native/index.js';
import { testPki } from '../native/support/test-pki.js';
import { caFile, run, writeTemp } from '../tls/support.js';

const BIN = new URL('../../../bin/sluice.js', import.meta.url).pathname;
// Shared, loaded machines: a CLI may take tens of seconds to start.
const START_TIMEOUT_MS = 60_000;

test('checkTlsFlags: files, self-signed, SNI, and a message naming each mistake', (t) => {
  t.is(checkTlsFlags({}, '127.0.0.1'), null);
  t.deepEqual(checkTlsFlags({ 'tls-cert': 'c.pem', 'tls-key': 'k.pem', 'tls-sni': ['api.test=a.pem,a.key'] }, ''),
    { kind: 'files', cert: 'c.pem', key: 'k.pem', sni: [{ host: 'api.test', cert: 'a.pem', key: 'a.key' }] });
  t.deepEqual(checkTlsFlags({ 'tls-self-signed': true }, 'example.test'), { kind: 'self-signed', names: ['localhost', '127.0.0.1', '::1', 'example.test'], sni: [] });
  t.is(checkTlsFlags({ 'tls-cert': 'c.pem' }, ''), '--tls-cert needs --tls-key too');
  t.is(checkTlsFlags({ 'tls-key': 'k.pem' }, ''), '--tls-key needs --tls-cert too');
  t.regex(checkTlsFlags({ 'tls-self-signed': true, 'tls-cert': 'c.pem' }, '') as string, /leave out --tls-cert/);
  t.regex(checkTlsFlags({ 'tls-sni': ['api.test'] }, '') as string, /host=cert\.pem,key\.pem/);
  t.regex(checkTlsFlags({ 'tls-sni': ['bad_name!=a,b'] }, '') as string, /not a host name/);
  t.regex(checkTlsFlags({ 'tls-sni': ['api.test=a,b'] }, '') as string, /needs a default certificate/);
  t.deepEqual(selfSignedNames('[::]'), ['localhost', '127.0.0.1', '::1']);
  t.deepEqual(selfSignedNames('[fd00::1]'), ['localhost', '127.0.0.1', '::1', 'fd00::1']);
});

test('describeTls is the banner phrase', (t) => {
  t.is(describeTls(null), 'tls off');
  t.is(describeTls({ kind: 'files', cert: 'c.pem', key: 'k.pem', sni: [{ host: 'a.test', cert: 'a', key: 'b' }] }), 'tls c.pem (+1 SNI: a.test)');
  t.is(describeTls({ kind: 'self-signed', names: ['localhost'], sni: [] }), 'tls self-signed for localhost');
});

test('the self-signed certificate is P-256, names localhost and the addresses, and lasts 30 days', async (t) => {
  const made = loadNative().createSelfSignedCertificate(['localhost', '127.0.0.1', '::1'], 30);
  const x509 = new X509Certificate(made.cert);
  t.regex(x509.subject, /^O=Sluice development certificate\nCN=localhost$/);
  t.regex(x509.subjectAltName ?? '', /DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/i);
  t.is(x509.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const days = (Date.parse(x509.validTo) - Date.now()) / 86_400_000;
  t.true(days > 29 && days <= 30, `${days} days`);
  t.true(x509.checkPrivateKey((await import('node:crypto')).createPrivateKey(made.key)));
  const settings = tlsSettingsOf({ kind: 'self-signed', names: ['localhost'], sni: [{ host: 'a.test', cert: 'a.pem', key: 'a.key' }] });
  t.regex(String(settings?.cert), /BEGIN CERTIFICATE/);
  t.deepEqual(settings?.sni, { 'a.test': { cert: 'a.pem', key: 'a.key' } });
});

test('for workers, the self-signed certificate is written once to a private folder that cleanup removes', (t) => {
  t.deepEqual(materializeSelfSigned(null).tls, null);
  const files = { kind: 'files', cert: 'c', key: 'k', sni: [] } as const;
  t.is(materializeSelfSigned(files).tls, files);
  const made = materializeSelfSigned({ kind: 'self-signed', names: ['localhost'], sni: [] });
  t.is(made.tls?.kind, 'files');
  const key = (made.tls as { key: string }).key;
  t.is(statSync(key).mode & 0o777, 0o600);
  t.is(statSync(dirname(key)).mode & 0o777, 0o700);
  made.cleanup();
  t.false(existsSync(dirname(key)));
});

test('SharedTicketKeys rotates: each period one new key to broadcast, and a new worker gets the last two', async (t) => {
  const sent: number[] = [];
  const keys = new SharedTicketKeys(30, (k) => sent.push(k.length));
  t.is(keys.live.length, 1);
  const first = keys.live[0]!;
  await new Promise((resolve) => setTimeout(resolve, 100));
  keys.stop();
  t.true(sent.length >= 1);
  t.true(sent.every((n) => n === 1));
  t.is(keys.live.length, 2);
  t.is(keys.live[0]!.length, 80);
  t.not(keys.live[1]!.toString('hex'), first.toString('hex'));
});

/** A running CLI and what it printed. */
interface Cli {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  stop(): Promise<number | null>;
}

function startCli(args: string[]): Cli {
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const feed = (d: Buffer): void => {
    text += d.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', feed);
  child.stderr!.on('data', feed);
  return {
    child,
    output: () => text,
    waitFor: (pattern) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got:\n${text}`)), START_TIMEOUT_MS);
      const check = (): void => {
        const m = text.match(pattern);
        if (m === null) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(m);
      };
      waiters.add(check);
      check();
    }),
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function startHttps(args: string[]): Promise<{ cli: Cli; port: number }> {
  const cli = startCli(args);
  const m = await cli.waitFor(/https:\/\/127\.0\.0\.1:(\d+)\//);
  await cli.waitFor(/ {2}options: .*\n/);
  return { cli, port: Number(m[1]) };
}

/** The serial number of the certificate a new connection gets. */
function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()!.serialNumber);
      s.destroy();
    });
    s.on('error', reject);
  });
}

test('--tls-cert/--tls-key serve HTTPS; SIGHUP reads the files again, and a broken file keeps the old certificate', async (t) => {
  const first = testPki().leaf(['localhost']);
  const cert = writeTemp('cli-cert.pem', first.cert);
  const key = writeTemp('cli-key.pem', first.key);
  const { cli, port } = await startHttps(['--tls-cert', cert, '--tls-key', key]);
  try {
    t.regex(cli.output(), new RegExp(`tls ${cert.replaceAll('.', '\\.')}\\n`));
    const got = await run('curl', ['--http1.1', '-sS', '--cacert', caFile(), '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/`]);
    t.regex(got.stdout, /Sluice is running/);
    const before = await servedSerial(port);
    const second = testPki().leaf(['localhost']);
    writeTemp('cli-cert.pem', second.cert);
    writeTemp('cli-key.pem', second.key);
    cli.child.kill('SIGHUP');
    await cli.waitFor(/SIGHUP: TLS certificates reloaded/);
    t.not(await servedSerial(port), before);
    writeTemp('cli-key.pem', 'not a key');
    cli.child.kill('SIGHUP');
    await cli.waitFor(/SIGHUP: TLS reload failed, the old certificates are kept: .*cli-key\.pem/);
    t.is(await servedSerial(port), new X509Certificate(second.cert).serialNumber);
  } finally {
    t.is(await cli.stop(), 0);
  }
});

test('--tls-self-signed serves HTTPS for localhost; SIGHUP keeps it', async (t) => {
  const { cli, port } = await startHttps(['--tls-self-signed']);
  try {
    t.regex(cli.output(), /tls self-signed for localhost 127\.0\.0\.1 ::1\n/);
    const got = await run('curl', ['--http1.1', '-sSk', `https://127.0.0.1:${port}/`]);
    t.regex(got.stdout, /Sluice is running/);
    cli.child.kill('SIGHUP');
    await cli.waitFor(/self-signed certificate is kept/);
  } finally {
    t.is(await cli.stop(), 0);
  }
});

test('a missing certificate file is exit 1 naming it; a lone --tls-cert is a usage error (exit 2)', async (t) => {
  const missing = startCli(['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem']);
  t.is(await new Promise((resolve) => missing.child.on('exit', resolve)), 1);
  t.regex(missing.output(), /cannot read the TLS certificate \/nonexistent\/cert\.pem .*no such file/);
  const lone = startCli(['--tls-cert', 'c.pem']);
  t.is(await new Promise((resolve) => lone.child.on('exit', resolve)), 2);
  t.regex(lone.output(), /--tls-cert needs --tls-key too/);
});

test('with --workers 2, every worker resumes the sessions any of them issued (shared ticket keys)', async (t) => {
  const { cli, port } = await startHttps(['--tls-self-signed', '--workers', '2']);
  try {
    const session = `${dirname(caFile())}/workers-session.pem`;
    const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-ign_eof'];
    const request = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';
    const first = await run('openssl', [...args, '-sess_out', session], request);
    t.regex(first.stdout, /\bNew, TLSv1\.3/);
    // Eight new connections: the kernel spreads them over both workers; each must resume.
    for (let i = 0; i < 8; i++) {
      const again = await run('openssl', [...args, '-sess_in', session], request);
      t.regex(again.stdout, /\bReused, TLSv1\.3/, `connection ${i}`);
    }
  } finally {
    t.is(await cli.stop(), 0);
  }
});
