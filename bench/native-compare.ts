// Same-run comparison of the native layer's hello server against node:http and the C epoll floor, in CPU per request.
// Server pinned to CPU 1, wrk -t1 to CPU 0; order alternates per rep; medians. Usage: node dist/bench/native-compare.js
//   env: REPS=3 DUR=8 WARM=2 SCEN=<regex> TARGETS=<regex>   (needs wrk and cc; see src/native/README.md)
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLK_TCK, computeCoreUsage, parsePidStat, parseProcStat } from './cpu.js';
import { acquireLock } from './lock.js';
import { generateLuaScript, parseResultLine } from './wrk.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = join(tmpdir(), 'sluice-native-bench');
// The shared bench lock (bench/run.ts, bench/profile.ts): two pinned benches at once would measure each other.
const LOCK = join(process.env.SLUICE_BENCH_DIR ?? join(tmpdir(), 'sluice-bench'), 'bench.lock');
const PORT = Number(process.env.PORT ?? 18080);
const REPS = Number(process.env.REPS ?? 3);
const DUR = Number(process.env.DUR ?? 8);
const WARM = Number(process.env.WARM ?? 2);
const SERVER_CPU = 1;
const CLIENT_CPU = 0;

/** One server under test. */
interface Target {
  name: string;
  command: string[];
}

/** One load shape. */
interface Scenario {
  name: string;
  conns: number;
  pipeline: number;
}

/** Figures of one (rep, target, scenario) run. */
interface Row {
  rep: number;
  target: string;
  scenario: string;
  rps: number;
  p99Ms: number;
  errors: number;
  coreUs: number; // busy time of the server's CPU per request (kernel and softirq included; other load too)
  procUs: number; // the server process's utime + stime per request
  userUs: number; // the server process's utime per request
}

const SCENARIOS: Scenario[] = [
  { name: 'ka-c1', conns: 1, pipeline: 1 },
  { name: 'ka-c64', conns: 64, pipeline: 1 },
  { name: 'ka-c1000', conns: 1000, pipeline: 1 },
  { name: 'pipe16-c64', conns: 64, pipeline: 16 },
].filter((s) => new RegExp(process.env.SCEN ?? '.').test(s.name));

function requireTool(tool: string, install: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`native-compare needs ${tool}: ${install}\n`);
    process.exit(1);
  }
}

function prepare(): { targets: Target[]; lua: Record<number, string> } {
  requireTool('wrk', 'apt-get update -qq && apt-get install -y -q wrk');
  requireTool('cc', 'apt-get install -y -q gcc');
  requireTool('taskset', 'apt-get install -y -q util-linux');
  mkdirSync(WORK, { recursive: true });
  const cepoll = join(WORK, 'cepoll');
  execFileSync('cc', ['-O2', '-o', cepoll, join(ROOT, 'bench', 'peers', 'cepoll.c')]);
  const lua: Record<number, string> = {};
  for (const depth of new Set(SCENARIOS.map((s) => s.pipeline))) {
    lua[depth] = join(WORK, `wrk-${depth}.lua`);
    writeFileSync(lua[depth]!, generateLuaScript(depth));
  }
  const targets: Target[] = [
    { name: 'native-hello', command: [process.execPath, join(ROOT, 'dist', 'bench', 'native-hello.js')] },
    { name: 'node-hello', command: [process.execPath, join(ROOT, 'dist', 'bench', 'peers', 'node-hello.js')] },
    { name: 'c-epoll', command: [cepoll, String(PORT)] },
  ];
  return { targets: targets.filter((t) => new RegExp(process.env.TARGETS ?? '.').test(t.name)), lua };
}

function canConnect(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: PORT });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function startServer(target: Target): Promise<ChildProcess> {
  if (await canConnect()) throw new Error(`port ${PORT} is already taken: stop whatever listens there first`);
  const child = spawn('taskset', ['-c', String(SERVER_CPU), ...target.command], {
    env: { ...process.env, PORT: String(PORT), BACKLOG: '4096' },
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if (await canConnect()) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${target.name} did not come up`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function runWrk(conns: number, seconds: number, lua: string, pipeline: number): Record<string, number> | null {
  const args = ['-c', String(CLIENT_CPU), 'wrk', '-t1', `-c${conns}`, `-d${seconds}s`, '--timeout', '10s', '-s', lua];
  const text = execFileSync('taskset', [...args, `http://127.0.0.1:${PORT}/`], {
    encoding: 'utf8',
    env: { ...process.env, WRK_PIPELINE: String(pipeline) },
  });
  return parseResultLine(text);
}

function sample(pid: number): { core: ReturnType<typeof parseProcStat>; utime: number; stime: number } {
  const proc = parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { core: parseProcStat(readFileSync('/proc/stat', 'utf8')), utime: proc.utime, stime: proc.stime };
}

// taskset execs the server, so the child's pid is the server's.
function measure(rep: number, target: Target, scenario: Scenario, pid: number, lua: string): Row | null {
  const before = sample(pid);
  const result = runWrk(scenario.conns, DUR, lua, scenario.pipeline);
  const after = sample(pid);
  if (result === null || !result.requests) return null;
  const requests = result.requests;
  const core = computeCoreUsage(before.core.get(SERVER_CPU)!, after.core.get(SERVER_CPU)!);
  const tickUs = 1e6 / CLK_TCK;
  const errors = ['err_connect', 'err_read', 'err_write', 'err_status', 'err_timeout'].reduce((a, k) => a + (result[k] ?? 0), 0);
  return {
    rep,
    target: target.name,
    scenario: scenario.name,
    rps: requests / (result.duration_us! / 1e6),
    p99Ms: result.p99_us! / 1000,
    errors,
    coreUs: core.busyUs / requests,
    procUs: ((after.utime - before.utime + after.stime - before.stime) * tickUs) / requests,
    userUs: ((after.utime - before.utime) * tickUs) / requests,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summarize(rows: Row[], targets: Target[]): string {
  const lines = [
    '| scenario | target | req/s | p99 ms | core µs/req | proc µs/req | user µs/req | core vs C | errors |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const scenario of SCENARIOS) {
    const of = (name: string): Row[] => rows.filter((r) => r.scenario === scenario.name && r.target === name);
    const cCore = of('c-epoll').length ? median(of('c-epoll').map((r) => r.coreUs)) : NaN;
    for (const target of targets) {
      const runs = of(target.name);
      if (runs.length === 0) continue;
      const m = (pick: (r: Row) => number): number => median(runs.map(pick));
      const ratio = Number.isFinite(cCore) ? `${(m((r) => r.coreUs) / cCore).toFixed(2)}x` : '-';
      lines.push(
        `| ${scenario.name} | ${target.name} | ${Math.round(m((r) => r.rps))} | ${m((r) => r.p99Ms).toFixed(1)} | ` +
          `${m((r) => r.coreUs).toFixed(2)} | ${m((r) => r.procUs).toFixed(2)} | ${m((r) => r.userUs).toFixed(2)} | ${ratio} | ` +
          `${runs.reduce((a, r) => a + r.errors, 0)} |`,
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { targets, lua } = prepare();
  mkdirSync(join(LOCK, '..'), { recursive: true });
  await acquireLock(LOCK, (line) => process.stderr.write(`${line}\n`));
  const loadAtStart = readFileSync('/proc/loadavg', 'utf8').trim();
  const rows: Row[] = [];
  for (let rep = 1; rep <= REPS; rep++) {
    const order = rep % 2 === 1 ? targets : [...targets].reverse(); // alternate to spread drift
    for (const target of order) {
      const child = await startServer(target);
      runWrk(64, WARM, lua[1]!, 1); // warm-up: JIT, caches
      for (const scenario of SCENARIOS) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const row = measure(rep, target, scenario, child.pid!, lua[scenario.pipeline]!);
        if (row === null) process.stderr.write(`no result: ${target.name} ${scenario.name}\n`);
        else {
          rows.push(row);
          process.stderr.write(`${JSON.stringify(row)}\n`);
        }
      }
      await stopServer(child);
    }
  }
  const table = summarize(rows, targets);
  writeFileSync(join(WORK, 'native-compare.json'), JSON.stringify(rows, null, 1));
  const loadAtEnd = readFileSync('/proc/loadavg', 'utf8').trim();
  process.stdout.write(`${table}\n\nraw rows: ${join(WORK, 'native-compare.json')}\nloadavg at start: ${loadAtStart}; at end: ${loadAtEnd}\n`);
}

await main();
