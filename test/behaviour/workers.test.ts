// `sluice serve --workers N` as a user runs it: N processes each with its own SO_REUSEPORT listener. A worker killed
// with SIGKILL is replaced while requests keep succeeding; SIGHUP swaps every worker without a failed request;
// SIGTERM drains them all and exits 0; a port that is taken fails the start with a clear message.
import test from './transport.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type Running } from './running.js';

const BIN = join(process.cwd(), 'bin', 'sluice.js');
const DIR = mkdtempSync(join(tmpdir(), 'sluice-workers-'));
const BODY = 'served by a worker\n';
const START_TIMEOUT_MS = 40_000;

test.before(() => writeFileSync(join(DIR, 'index.html'), BODY));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

interface Supervised {
  readonly child: ChildProcess;
  readonly port: number;
  readonly pids: number[];
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  readonly exited: Promise<number | null>;
}

function launch(args: string[]): Running {
  return run(process.execPath, [BIN, 'serve', DIR, '--host', '127.0.0.1', ...args]);
}

async function startWorkers(workers: number, port = 0, extra: string[] = []): Promise<Supervised> {
  const run = launch(['--port', String(port), '--workers', String(workers), ...extra]);
  const m = await run.waitFor(/with \d+ workers \(pids ([\d, ]+)\) at\n {2}http:\/\/127\.0\.0\.1:(\d+)\//);
  return { ...run, pids: m[1]!.split(', ').map(Number), port: Number(m[2]) };
}

/** One GET on a fresh connection (no keep-alive, so each request is a new accept somewhere in the group). */
function getFresh(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stop(s: { child: ChildProcess; exited: Promise<number | null> }): Promise<number | null> {
  s.child.kill('SIGTERM');
  return s.exited;
}

test('workers survive a killed worker: requests keep succeeding and a new worker appears', async (t) => {
  const s = await startWorkers(2);
  try {
    t.is(s.pids.length, 2);
    t.true(s.pids.every(isAlive));
    t.not(s.pids[0], s.child.pid);
    for (let i = 0; i < 10; i++) t.is(await getFresh(s.port), `200 ${BODY}`);
    const [victim, survivor] = s.pids as [number, number];
    process.kill(victim, 'SIGKILL');
    // Sequential fresh connections right after the kill: the kernel only hands them to live listeners.
    const after: string[] = [];
    for (let i = 0; i < 30; i++) after.push(await getFresh(s.port));
    t.deepEqual(after.filter((r) => r !== `200 ${BODY}`), []);
    const m = await s.waitFor(/worker \d restarted \(pid (\d+)\)/);
    const replacement = Number(m[1]);
    t.false(s.pids.includes(replacement));
    t.true(isAlive(replacement));
    t.true(isAlive(survivor));
    t.regex(s.output(), new RegExp(`worker \\d \\(pid ${victim}\\) exited \\(SIGKILL\\); restarting in \\d+ ms`));
    for (let i = 0; i < 10; i++) t.is(await getFresh(s.port), `200 ${BODY}`);
  } finally {
    t.is(await stop(s), 0);
  }
});

test('SIGHUP replaces every worker without failing a request, then SIGTERM drains all and exits 0', async (t) => {
  const s = await startWorkers(2);
  let loading = true;
  const failures: string[] = [];
  let served = 0;
  const load = (async () => {
    while (loading) {
      try {
        const r = await getFresh(s.port);
        if (r === `200 ${BODY}`) served++;
        else failures.push(r);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  })();
  try {
    s.child.kill('SIGHUP');
    const m = await s.waitFor(/reloaded \(pids ([\d, ]+)\)/);
    const fresh = m[1]!.split(', ').map(Number);
    t.is(fresh.length, 2);
    t.deepEqual(fresh.filter((p) => s.pids.includes(p)), []);
    // The old generation drains and exits.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (s.pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    t.false(s.pids.some(isAlive));
    t.true(fresh.every(isAlive));
    loading = false;
    await load;
    t.deepEqual(failures, []);
    t.true(served > 0);
    t.is(await stop(s), 0);
    t.false(fresh.some(isAlive));
  } finally {
    loading = false;
    s.child.kill('SIGKILL');
  }
});

test('--metrics-path with workers: every scrape, whichever worker takes it, counts every worker, across a SIGHUP swap', async (t) => {
  const s = await startWorkers(2, 0, ['--metrics-path', '/metrics']);
  const served = (text: string): number => Number(/^sluice_requests_total\{code="2xx"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
  try {
    for (let i = 0; i < 40; i++) t.is(await getFresh(s.port), `200 ${BODY}`);
    // Fresh connections land on either worker; each scrape is counted once it has been answered.
    for (let k = 0; k < 8; k++) t.is(served(await getFresh(s.port, '/metrics')), 40 + k);
    s.child.kill('SIGHUP');
    await s.waitFor(/reloaded \(pids/);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (s.pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // The old generation has exited: its counts stay in the sum.
    const after = await getFresh(s.port, '/metrics');
    t.is(served(after), 48);
    t.regex(after, /^sluice_open_connections 1$/m);
  } finally {
    t.is(await stop(s), 0);
  }
});

test('a port taken by another program fails the start with exit 1 and names the port', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const run = launch(['--port', String(port), '--workers', '2']);
    t.is(await run.exited, 1);
    t.regex(run.output(), new RegExp(`sluice: port ${port} is already in use`));
    t.notRegex(run.output(), /\n\s+at /);
  } finally {
    blocker.close();
  }
});
