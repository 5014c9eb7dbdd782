// A real HAProxy for the load-balancer tests: installed from Debian when missing (as bench/setup.ts installs nginx),
// run in the foreground with a generated config, and stopped after. Also a sluice CLI instance to put behind it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCommand } from '../../bench/setup.js';
import { run, type Running } from './running.js';

export { run, type Running };

/** Why HAProxy is unavailable (tests skip and say so), or null when it is installed (or was just installed). */
export function haproxyMissing(): string | null {
  if (process.env.SLUICE_SKIP_HAPROXY === '1') return 'SLUICE_SKIP_HAPROXY=1';
  return ensureCommand('haproxy', 'haproxy', (line) => process.stderr.write(`[haproxy] ${line}\n`))
    ? null : 'haproxy is not installed and could not be installed (apt-get install -y haproxy needs root or sudo)';
}

/** A free loopback port (bound then released: the tests' processes bind it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts on port (polling; gives up after timeoutMs). */
export async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** HAProxy running `config` (global and defaults are added: foreground, loopback-friendly timeouts). */
export async function startHaproxy(frontendPort: number, config: string): Promise<Running & { dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, `global
  maxconn 4096
defaults
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout check 2s
${config}
`);
  const proc = run('haproxy', ['-db', '-f', file]);
  try {
    await Promise.race([waitForPort(frontendPort), proc.exited.then((code) => {
      throw new Error(`haproxy exited (${code}):\n${proc.output()}`);
    })]);
  } catch (err) {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { ...proc, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `sluice serve dir` with args; resolves once it accepts on port (stopped again if it never does). */
export async function startSluice(bin: string, dir: string, port: number, args: readonly string[]): Promise<Running> {
  const proc = run(process.execPath, [bin, 'serve', dir, '--host', '127.0.0.1', '--port', String(port), ...args]);
  try {
    await waitForPort(port, 40_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}; sluice said:\n${proc.output()}`);
  }
  return proc;
}
