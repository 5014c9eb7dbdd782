// Same-run comparison for the fetch adapter, in the server process's own CPU per request (utime + stime from /proc,
// which still compares servers when other work shares the machine): Sluice's Application hello against the same hello
// as a fetch handler, and the Hono GET /json app on Sluice against @hono/node-server, each Sluice fetch target both
// with the lazy global Response (the default) and with undici's own (overrideGlobalObjects: false). Server pinned to
// CPU 1, wrk -t1 -c64 to CPU 0, order alternating per rep, medians; takes the shared bench lock.
// Usage: node dist/bench/fetch-pinned.js   env: REPS=3 DUR=5 WARM=2 TARGETS=<regex>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, BENCH_LOCK } from './lock.js';
import { measure, median, runWrk, startServer, stopServer, type Row, type Target } from './pinned.js';
import { generateLuaScript } from './wrk.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = join(tmpdir(), 'sluice-fetch-bench');
const PORT = Number(process.env.PORT ?? 18090);
const REPS = Number(process.env.REPS ?? 3);
const DUR = Number(process.env.DUR ?? 5);
const WARM = Number(process.env.WARM ?? 2);

interface FetchTarget extends Target {
  path: '/' | '/json';
}

const node = (...path: string[]): string[] => [process.execPath, join(ROOT, 'dist', ...path)];
const UNDICI = { SLUICE_OVERRIDE_GLOBALS: '0' };
const TARGETS: FetchTarget[] = ([
  { name: 'sluice-app-hello', path: '/', command: node('examples', 'hello.js') },
  { name: 'sluice-fetch-hello', path: '/', command: node('bench', 'fetch-hello.js') },
  { name: 'sluice-fetch-hello-undici', path: '/', command: node('bench', 'fetch-hello.js'), env: UNDICI },
  { name: 'hono-node-fetch-hello', path: '/', command: node('bench', 'peers', 'hono-node-hello.js') },
  { name: 'sluice-hono', path: '/json', command: node('bench', 'hono-json.js') },
  { name: 'sluice-hono-undici', path: '/json', command: node('bench', 'hono-json.js'), env: UNDICI },
  { name: 'hono-node-hono', path: '/json', command: node('bench', 'peers', 'hono-node-json.js') },
] as FetchTarget[]).filter((t) => new RegExp(process.env.TARGETS ?? '.').test(t.name));

function summarize(rows: Row[]): string {
  const lines = ['| target | path | req/s | proc µs/req | user µs/req | core µs/req | proc vs sluice-app-hello | proc vs hono-node-hono |', '|---|---|---|---|---|---|---|---|'];
  const procOf = (name: string): number => {
    const runs = rows.filter((r) => r.target === name);
    return runs.length ? median(runs.map((r) => r.procUs)) : NaN;
  };
  const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
  for (const target of TARGETS) {
    const runs = rows.filter((r) => r.target === target.name);
    if (runs.length === 0) continue;
    const m = (pick: (r: Row) => number): number => median(runs.map(pick));
    const proc = m((r) => r.procUs);
    lines.push(`| ${target.name} | ${target.path} | ${Math.round(m((r) => r.rps))} | ${proc.toFixed(2)} | ${m((r) => r.userUs).toFixed(2)} | ` +
      `${m((r) => r.coreUs).toFixed(2)} | ${ratio(proc, procOf('sluice-app-hello'))} | ${ratio(proc, procOf('hono-node-hono'))} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const lua = join(WORK, 'wrk-1.lua');
  writeFileSync(lua, generateLuaScript(1));
  mkdirSync(join(BENCH_LOCK, '..'), { recursive: true });
  await acquireLock(BENCH_LOCK, (line) => process.stderr.write(`${line}\n`));
  const loadAtStart = readFileSync('/proc/loadavg', 'utf8').trim();
  const rows: Row[] = [];
  for (let rep = 1; rep <= REPS; rep++) {
    const order = rep % 2 === 1 ? TARGETS : [...TARGETS].reverse();
    for (const target of order) {
      const url = `http://127.0.0.1:${PORT}${target.path}`;
      const child = await startServer(target, PORT);
      runWrk({ url, conns: 64, seconds: WARM, lua, pipeline: 1 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const row = measure(rep, target.name, 'ka-c64', child.pid!, { url, conns: 64, seconds: DUR, lua, pipeline: 1 });
      if (row === null) process.stderr.write(`no result: ${target.name}\n`);
      else {
        rows.push(row);
        process.stderr.write(`${JSON.stringify(row)}\n`);
      }
      await stopServer(child);
    }
  }
  writeFileSync(join(WORK, 'fetch-pinned.json'), JSON.stringify(rows, null, 1));
  const loadAtEnd = readFileSync('/proc/loadavg', 'utf8').trim();
  process.stdout.write(`${summarize(rows)}\n\nraw rows: ${join(WORK, 'fetch-pinned.json')}\nloadavg at start: ${loadAtStart}; at end: ${loadAtEnd}\n`);
}

await main();
