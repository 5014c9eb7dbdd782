// Same-run comparison of the native layer's hello server against node:http and the C epoll floor, in CPU per request.
// Server pinned to CPU 1, wrk -t1 to CPU 0; order alternates per rep; medians. Usage: node dist/bench/native-compare.js
//   env: REPS=3 DUR=8 WARM=2 SCEN=<regex> TARGETS=<regex>   (needs wrk and cc; see src/native/README.md)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock } from './lock.js';
import { measure, median, runWrk, startServer, stopServer, type Row, type Target } from './pinned.js';
import { generateLuaScript } from './wrk.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = join(tmpdir(), 'sluice-native-bench');
// The shared bench lock (bench/run.ts, bench/profile.ts): two pinned benches at once would measure each other.
const LOCK = join(process.env.SLUICE_BENCH_DIR ?? join(tmpdir(), 'sluice-bench'), 'bench.lock');
const PORT = Number(process.env.PORT ?? 18080);
const SERVER_URL = `http://127.0.0.1:${PORT}/`;
const REPS = Number(process.env.REPS ?? 3);
const DUR = Number(process.env.DUR ?? 8);
const WARM = Number(process.env.WARM ?? 2);

/** One load shape. */
interface Scenario {
  name: string;
  conns: number;
  pipeline: number;
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
      const child = await startServer(target, PORT);
      runWrk({ url: SERVER_URL, conns: 64, seconds: WARM, lua: lua[1]!, pipeline: 1 }); // warm-up: JIT, caches
      for (const scenario of SCENARIOS) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const run = { url: SERVER_URL, conns: scenario.conns, seconds: DUR, lua: lua[scenario.pipeline]!, pipeline: scenario.pipeline };
        const row = measure(rep, target.name, scenario.name, child.pid!, run);
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
