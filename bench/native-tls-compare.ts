// Same-run comparison of HTTPS in Sluice (serve({ tls }), bench/sluice-https.ts) and on the bare native layer
// (bench/native-hello.ts with TLS) against nginx's HTTPS and node:https, with the plain servers as the floor: CPU per
// keep-alive request (wrk), per full handshake (parallel `openssl s_time -new`: never resumed; wrk keeps its session
// and resumes about half), per MiB of a 100 MiB file (curl), and memory per idle connection. The HTTPS stage of
// `npm run bench` (bench/https-stage.ts); alone: `npm run bench:https`.
//   env: REPS=3 DUR=6 WARM=2 IDLE=2000 SCEN=<regex> TARGETS=<regex>   (needs wrk, nginx, openssl; see bench/setup.ts)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { LOCK_HELD_BY } from './https-stage.js';
import { acquireLock } from './lock.js';
import { CLIENT_CPU, measure, measureAsync, median, runWrk, startServer, stopServer, type Row, type Target } from './pinned.js';
import { generateLuaScript, parseResultLine } from './wrk.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = join(tmpdir(), 'sluice-native-tls-bench');
const LOCK = join(process.env.SLUICE_BENCH_DIR ?? join(tmpdir(), 'sluice-bench'), 'bench.lock');
const PORT = Number(process.env.PORT ?? 18443);
const REPS = Number(process.env.REPS ?? 3);
const DUR = Number(process.env.DUR ?? 6);
const WARM = Number(process.env.WARM ?? 2);
const IDLE = Number(process.env.IDLE ?? 2000);
const CERT = join(WORK, 'cert.pem');
const KEY = join(WORK, 'key.pem');
const RESUMED_FILE = join(WORK, 'resumed.json');
const FILE = join(WORK, '100m.bin');
const FILE_MIB = 100;
const FILE_FETCHES = 4;

/** A load shape: keep-alive (wrk), a new connection per request (a full handshake on HTTPS), or idle connections. */
interface Scenario {
  name: string;
  conns: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'https-ka-c64', conns: 64 },
  { name: 'https-new-conn', conns: 64 },
  { name: 'https-idle', conns: IDLE },
  { name: 'https-file100m', conns: 1 },
].filter((s) => new RegExp(process.env.SCEN ?? '.').test(s.name));

interface HttpsTarget extends Target {
  secure: boolean;
  /** The server for the file scenario, when it is not the hello server itself. */
  fileCommand?: string[];
}

function prepare(): HttpsTarget[] {
  for (const [tool, pkg] of [['wrk', 'wrk'], ['nginx', 'nginx'], ['openssl', 'openssl'], ['taskset', 'util-linux']]) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      process.stderr.write(`native-tls-compare needs ${tool}: apt-get install -y -q ${pkg} (or run npm run bench once)\n`);
      process.exit(1);
    }
  }
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(CERT)) {
    // ECDSA P-256, as in the handshake target; TLS 1.3 picks X25519 for the key exchange.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', KEY, '-out', CERT, '-days', '30', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  }
  if (!existsSync(FILE)) writeFileSync(FILE, randomBytes(FILE_MIB << 20)); // incompressible
  const template = readFileSync(join(ROOT, 'bench', 'peers', 'nginx-tls.conf'), 'utf8');
  const conf = join(WORK, 'nginx-tls.conf');
  const vars: Record<string, string> = { '@PORT@': String(PORT), '@PREFIX@': WORK, '@CERT@': CERT, '@KEY@': KEY, '@FILE@': FILE };
  writeFileSync(conf, Object.entries(vars).reduce((text, [k, v]) => text.replaceAll(k, v), template));
  const tls = { TLS_CERT: CERT, TLS_KEY: KEY, FILE };
  const hello = join(ROOT, 'dist', 'bench', 'native-hello.js');
  const file = [process.execPath, join(ROOT, 'dist', 'bench', 'native-file.js')];
  const sluice = join(ROOT, 'dist', 'bench', 'sluice-https.js');
  const targets: HttpsTarget[] = [
    { name: 'sluice-https', command: [process.execPath, sluice], env: tls, secure: true },
    { name: 'native-tls', command: [process.execPath, hello], fileCommand: file, env: { ...tls, TLS_RESUMED_FILE: RESUMED_FILE }, secure: true },
    { name: 'nginx-tls', command: ['nginx', '-p', WORK, '-e', join(WORK, 'error.log'), '-c', conf], secure: true },
    { name: 'node-https', command: [process.execPath, join(ROOT, 'dist', 'bench', 'peers', 'node-https-hello.js')], env: tls, secure: true },
    { name: 'native-plain', command: [process.execPath, hello], fileCommand: file, env: { FILE }, secure: false },
    { name: 'sluice-plain', command: [process.execPath, sluice], env: { FILE }, secure: false },
  ];
  return targets.filter((t) => new RegExp(process.env.TARGETS ?? '.').test(t.name));
}

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]);
}

/** Server RSS growth per idle connection (KB), with IDLE connections opened by a separate client process. */
async function measureIdle(target: HttpsTarget, pid: number): Promise<number> {
  const before = rssKb(pid);
  const client = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'idle-clients.js'), String(PORT), String(IDLE), target.secure ? 'tls' : 'plain'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  client.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  while (!out.includes('ready')) await once(client.stdout, 'data');
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = rssKb(pid);
  client.stdin.end();
  await once(client, 'exit');
  return (after - before) / IDLE;
}

// Parallel `openssl s_time -new` clients: each connection is a full TLS 1.3 handshake (X25519, the P-256
// certificate), then close_notify and close, with no request (C clients: node's own reach ~100 handshakes/s here).
const S_TIME_CLIENTS = 4;

/** A new connection each time, pinned to the client core: s_time for HTTPS, handshake-client.js for plain TCP. */
async function runHandshakes(target: HttpsTarget, conns: number): Promise<Record<string, number> | null> {
  if (!target.secure) {
    const client = join(ROOT, 'dist', 'bench', 'handshake-client.js');
    const args = ['-c', String(CLIENT_CPU), process.execPath, client, String(PORT), String(conns), String(DUR), 'plain'];
    return parseResultLine(execFileSync('taskset', args, { encoding: 'utf8' }));
  }
  const started = Date.now();
  const outputs = await Promise.all(
    Array.from({ length: S_TIME_CLIENTS }, () => {
      const child = spawn('taskset', ['-c', String(CLIENT_CPU), 'openssl', 's_time', '-connect', `127.0.0.1:${PORT}`, '-new', '-time', String(DUR)]);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      return once(child, 'exit').then(() => out);
    }),
  );
  // "N connections in Xs; ..." (user time); the real-time line says "N connections in T real seconds".
  const connections = outputs.reduce((sum, out) => sum + Number(/(\d+) connections in [\d.]+s;/.exec(out)?.[1] ?? 0), 0);
  return { requests: connections, duration_us: (Date.now() - started) * 1000, p99_us: 0 };
}

/** Downloads FILE FILE_FETCHES times with curl pinned to the client core; requests = MiB, so rps is MiB/s. */
async function runDownloads(target: HttpsTarget): Promise<Record<string, number> | null> {
  const url = `${target.secure ? 'https' : 'http'}://127.0.0.1:${PORT}/file`;
  const started = Date.now();
  for (let i = 0; i < FILE_FETCHES; i++) {
    const child = spawn('taskset', ['-c', String(CLIENT_CPU), 'curl', '-sk', '--fail', '-o', '/dev/null', url], { stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number];
    if (code !== 0) return null;
  }
  return { requests: FILE_MIB * FILE_FETCHES, duration_us: (Date.now() - started) * 1000, p99_us: 0 };
}

interface IdleRow {
  rep: number;
  target: string;
  kbPerConn: number;
}

function summarize(rows: Row[], idle: IdleRow[], targets: HttpsTarget[], resumed: string): string {
  const lines = ['| scenario | target | req/s | p99 ms | proc µs/req | user µs/req | core µs/req | proc vs nginx | errors |', '|---|---|---|---|---|---|---|---|---|'];
  for (const scenario of SCENARIOS.filter((s) => s.name !== 'https-idle' && s.name !== 'https-file100m')) {
    const of = (name: string): Row[] => rows.filter((r) => r.scenario === scenario.name && r.target === name);
    const nginx = of('nginx-tls').length ? median(of('nginx-tls').map((r) => r.procUs)) : NaN;
    for (const target of targets) {
      const runs = of(target.name);
      if (runs.length === 0) continue;
      const m = (pick: (r: Row) => number): number => median(runs.map(pick));
      const ratio = Number.isFinite(nginx) ? `${(m((r) => r.procUs) / nginx).toFixed(2)}x` : '-';
      lines.push(`| ${scenario.name} | ${target.name} | ${Math.round(m((r) => r.rps))} | ${m((r) => r.p99Ms).toFixed(1)} | ` +
        `${m((r) => r.procUs).toFixed(2)} | ${m((r) => r.userUs).toFixed(2)} | ${m((r) => r.coreUs).toFixed(2)} | ${ratio} | ${runs.reduce((a, r) => a + r.errors, 0)} |`);
    }
  }
  const files = rows.filter((r) => r.scenario === 'https-file100m');
  if (files.length > 0) {
    lines.push('', `| ${FILE_MIB} MiB file x${FILE_FETCHES} (curl) | target | MiB/s | server ms per MiB | user ms per MiB |`, '|---|---|---|---|---|');
    for (const target of targets) {
      const runs = files.filter((r) => r.target === target.name);
      if (runs.length) lines.push(`| | ${target.name} | ${median(runs.map((r) => r.rps)).toFixed(0)} | ${(median(runs.map((r) => r.procUs)) / 1000).toFixed(3)} | ${(median(runs.map((r) => r.userUs)) / 1000).toFixed(3)} |`);
    }
  }
  if (idle.length > 0) {
    lines.push('', `| idle connections (${IDLE}) | server RSS KB per connection (median, all reps) |`, '|---|---|');
    for (const target of targets) {
      const values = idle.filter((r) => r.target === target.name).map((r) => r.kbPerConn);
      if (values.length) lines.push(`| ${target.name} | ${median(values).toFixed(1)} (${values.map((v) => v.toFixed(1)).join(', ')}) |`);
    }
  }
  lines.push('', `native-tls connections accepted / resumed (all scenarios of the last rep): ${resumed}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const targets = prepare();
  const lua = join(WORK, 'wrk.lua');
  writeFileSync(lua, generateLuaScript(1));
  mkdirSync(join(LOCK, '..'), { recursive: true });
  // Started by `npm run bench` (bench/https-stage.ts), whose driver holds the lock for us.
  if (process.env[LOCK_HELD_BY] !== String(process.ppid)) await acquireLock(LOCK, (line) => process.stderr.write(`${line}\n`));
  const loadAtStart = readFileSync('/proc/loadavg', 'utf8').trim();
  const rows: Row[] = [];
  const idle: IdleRow[] = [];
  let resumed = 'not measured';
  for (let rep = 1; rep <= REPS; rep++) {
    for (const target of rep % 2 === 1 ? targets : [...targets].reverse()) {
      rmSync(RESUMED_FILE, { force: true });
      const child = await startServer(target, PORT);
      const url = `${target.secure ? 'https' : 'http'}://127.0.0.1:${PORT}/`;
      runWrk({ url, conns: 64, seconds: WARM, lua, pipeline: 1 }); // warm-up: JIT, caches
      for (const scenario of SCENARIOS.filter((s) => s.name !== 'https-file100m')) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (scenario.name === 'https-idle') {
          idle.push({ rep, target: target.name, kbPerConn: await measureIdle(target, child.pid!) });
          process.stderr.write(`${JSON.stringify(idle.at(-1))}\n`);
          continue;
        }
        const row = scenario.name === 'https-new-conn'
          ? await measureAsync(rep, target.name, scenario.name, child.pid!, () => runHandshakes(target, scenario.conns))
          : measure(rep, target.name, scenario.name, child.pid!, { url, conns: scenario.conns, seconds: DUR, lua, pipeline: 1 });
        if (row === null) process.stderr.write(`no result: ${target.name} ${scenario.name}\n`);
        else rows.push(row), process.stderr.write(`${JSON.stringify(row)}\n`);
      }
      await stopServer(child);
      if (target.name === 'native-tls' && existsSync(RESUMED_FILE)) resumed = readFileSync(RESUMED_FILE, 'utf8');
      if (SCENARIOS.some((s) => s.name === 'https-file100m')) {
        const server = await startServer(target.fileCommand ? { ...target, command: target.fileCommand } : target, PORT);
        const row = await measureAsync(rep, target.name, 'https-file100m', server.pid!, () => runDownloads(target));
        if (row === null) process.stderr.write(`no result: ${target.name} file-100m\n`);
        else rows.push(row), process.stderr.write(`${JSON.stringify(row)}\n`);
        await stopServer(server);
      }
    }
  }
  writeFileSync(join(WORK, 'native-tls-compare.json'), JSON.stringify({ rows, idle }, null, 1));
  const loadAtEnd = readFileSync('/proc/loadavg', 'utf8').trim();
  process.stdout.write(`${summarize(rows, idle, targets, resumed)}\n\nraw rows: ${join(WORK, 'native-tls-compare.json')}\n` +
    `loadavg at start: ${loadAtStart}; at end: ${loadAtEnd}\n`);
}

await main();
