// A bench target: HAProxy on $PORT (mode tcp, send-proxy-v2, one thread, as an L4 balancer such as AWS NLB) in front
// of $BACKEND ('sluice': `sluice serve www --proxy-protocol`; 'nginx': the bench nginx with `listen ... proxy_protocol`),
// so Sluice and nginx are compared behind the same balancer. HAProxy is installed from Debian when missing. Exits when
// either process does; SIGTERM/SIGINT stop both.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { ensureCommand, ensureSetup, REPO_ROOT } from './setup.js';
import { renderNginxConfig } from './targets.js';

const port = Number(process.env.PORT);
const backend = process.env.BACKEND === 'nginx' ? 'nginx' : 'sluice';

/** BACKEND_ARGS: more `sluice serve` flags, space-separated (ad-hoc comparisons: BACKEND_ARGS=--defer-accept). */
function extraArgs(): string[] {
  return (process.env.BACKEND_ARGS ?? '').split(' ').filter((a) => a !== '');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return free;
}

/** Resolves once something accepts on `at` (the balancer starts only then, so its first connection finds a server). */
async function waitForPort(at: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(at, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`behind-haproxy: the ${backend} backend never listened on ${at}`);
}

function startBackend(at: number): ChildProcess {
  const env = ensureSetup({ install: false, log: () => {} });
  if (backend === 'sluice') {
    return spawn(process.execPath, [join(REPO_ROOT, 'bin', 'sluice.js'), 'serve', env.wwwDir, '--host', '127.0.0.1', '--port', String(at),
      '--quiet', '--proxy-protocol', '--trusted-proxy', '127.0.0.1', ...extraArgs()], { stdio: 'inherit' });
  }
  const template = readFileSync(join(REPO_ROOT, 'bench', 'peers', 'nginx.conf'), 'utf8').replace('backlog=4096;', 'backlog=4096 proxy_protocol;');
  const conf = join(env.nginxPrefix, 'nginx-lb.conf');
  writeFileSync(conf, renderNginxConfig(template, { port: at, prefix: env.nginxPrefix, www: env.wwwDir }));
  return spawn('nginx', ['-p', env.nginxPrefix, '-e', join(env.nginxPrefix, 'error.log'), '-c', conf], { stdio: 'inherit' });
}

async function main(): Promise<void> {
  if (!ensureCommand('haproxy', 'haproxy', (line) => process.stderr.write(`[behind-haproxy] ${line}\n`))) {
    process.stderr.write('behind-haproxy: haproxy is not installed and could not be installed\n');
    process.exit(1);
  }
  const at = await freePort();
  const server = startBackend(at);
  await waitForPort(at);
  const cfg = join(ensureSetup({ install: false, log: () => {} }).workDir, `haproxy-${port}.cfg`);
  writeFileSync(cfg, `global
  maxconn 8000
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:${port} backlog 4096
  default_backend be
backend be
  server s 127.0.0.1:${at} send-proxy-v2 maxconn 8000
`);
  const lb = spawn('haproxy', ['-db', '-f', cfg], { stdio: 'inherit' });
  const children = [server, lb];
  const stop = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (const c of children) c.on('exit', () => {
    stop();
    process.exitCode = 0;
  });
}

void main();
