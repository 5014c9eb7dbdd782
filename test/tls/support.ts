// HTTPS test helpers: a TLS server on an ephemeral port with the test PKI's certificates, and the command-line
// clients the tests compare against (curl, openssl s_client), run asynchronously so the server keeps serving.
import { spawn } from 'node:child_process';
import { serve, type Application, type Server, type Settings, type TlsSettings } from '../../src/index.js';
import { localhostLeaf } from '../native/support/tls-harness.js';
import { testPki } from '../native/support/test-pki.js';
import { ensureCommand } from '../../bench/setup.js';

/** The default test certificate as serve()'s tls setting. */
export function localhostTls(extra: Partial<TlsSettings> = {}): TlsSettings {
  const leaf = localhostLeaf();
  return { cert: leaf.cert, key: leaf.key, ...extra };
}

/** The root CA that signed every test certificate (PEM). */
export function rootCa(): string {
  return testPki().root.cert;
}

/** Runs fn with an HTTPS server on 127.0.0.1:<ephemeral>, then closes it. */
export async function withTlsServer<T>(app: Application, settings: Partial<Settings>, fn: (port: number, server: Server) => Promise<T>): Promise<T> {
  const server = serve({ host: '127.0.0.1', port: 0, onException: () => {}, tls: localhostTls(), ...settings }, app);
  try {
    return await fn(server.port, server);
  } finally {
    await server.close();
  }
}

/** What a command printed and how it ended. */
export interface Ran {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a command without blocking the event loop (the server under test runs in this process). */
export function run(cmd: string, args: readonly string[], input = '', timeoutMs = 20_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** `openssl s_client` against 127.0.0.1:port, trusting the test root; `input` is sent after the handshake. */
export function sClient(port: number, args: readonly string[], input = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'): Promise<Ran> {
  return run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', caFile(), '-ign_eof', ...args], input);
}

let caPath: string | null = null;

/** The test root written to a file (for curl and openssl). */
export function caFile(): string {
  if (caPath !== null) return caPath;
  caPath = writeTemp('root.pem', rootCa());
  return caPath;
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string | null = null;

/** Writes a file into this process's temp folder (removed at exit); its path. */
export function writeTemp(name: string, content: string | Uint8Array): string {
  if (dir === null) {
    const made = mkdtempSync(join(tmpdir(), 'sluice-tls-test-'));
    dir = made;
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** curl is needed by these tests: installed from Debian when missing (root), else the test fails saying so. */
export function needCurl(): void {
  if (!ensureCommand('curl', 'curl')) throw new Error('curl is not installed and could not be installed (apt-get install curl)');
}
