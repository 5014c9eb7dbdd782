// Same-run comparison for the fetch adapter, in the server process's own CPU per request (utime + stime from /proc: the
// scheduler's exact runtime, which leaves out whatever else ran on the core): Sluice's Application hello against the
// same hello as a fetch handler, and the Hono GET /json app on Sluice against @hono/node-server, each Sluice fetch
// target both with the runtime's own Response (the default) and with FastResponse (by name, or installed as the global).
//
// Interleaved: every server is started (pinned to CPU 1; an idle one costs nothing) and warmed up first, then each
// round loads each of them for SLICE seconds from wrk -t1 -c64 on CPU 0, in table order and reversed on every second
// round. The ratios are taken within a round (the two servers of a pair are measured seconds apart, not minutes) and
// summarised as median [min-max] over the rounds. Why: other work on this shared machine moves a server's CPU per
// request by tens of percent, and not equally for every server (a client slowed by other work means smaller batches,
// which costs node:http far more per request than Sluice), so ratios of figures taken minutes apart move with it.
// Each slice also records how busy each core was with work other than the server and wrk ("foreign"), and the
// summary repeats the ratios over the rounds in which no slice saw more than FOREIGN of either core taken by it.
// Usage: node dist/bench/fetch-pinned.js   env: ROUNDS=6 SLICE=3 WARM=3 FOREIGN=0.1 TARGETS=<regex>
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLK_TCK, computeCoreUsage, parsePidStat, parseProcStat } from './cpu.js';
import { acquireLock, BENCH_LOCK } from './lock.js';
import { CLIENT_CPU, median, SERVER_CPU, startServer, stopServer, type Target } from './pinned.js';
import { computeSpread } from './stats.js';
import { generateLuaScript, parseResultLine } from './wrk.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = join(tmpdir(), 'sluice-fetch-bench');
const PORT = Number(process.env.PORT ?? 18090);
const ROUNDS = Number(process.env.ROUNDS ?? process.env.REPS ?? 6);
const SLICE = Number(process.env.SLICE ?? process.env.DUR ?? 3);
const WARM = Number(process.env.WARM ?? 3);
const FOREIGN = Number(process.env.FOREIGN ?? 0.1);

interface FetchTarget extends Target {
  path: '/' | '/json';
}

const node = (...path: string[]): string[] => [process.execPath, join(ROOT, 'dist', ...path)];
const FAST = { SLUICE_RESPONSE: 'fast' };
const OVERRIDE = { SLUICE_RESPONSE: 'override' };
/** Table order: the pairs compared below are neighbours, so they run back to back in every round. */
const TARGETS: FetchTarget[] = ([
  { name: 'sluice-app-hello', path: '/', command: node('examples', 'hello.js') },
  { name: 'sluice-fetch-hello', path: '/', command: node('bench', 'fetch-hello.js') },
  { name: 'sluice-fetch-fast', path: '/', command: node('bench', 'fetch-hello.js'), env: FAST },
  { name: 'hono-node-fetch-hello', path: '/', command: node('bench', 'peers', 'hono-node-hello.js') },
  { name: 'sluice-hono', path: '/json', command: node('bench', 'hono-json.js') },
  { name: 'hono-node-hono', path: '/json', command: node('bench', 'peers', 'hono-node-json.js') },
  { name: 'sluice-hono-override', path: '/json', command: node('bench', 'hono-json.js'), env: OVERRIDE },
] as FetchTarget[]).filter((t) => new RegExp(process.env.TARGETS ?? '.').test(t.name));

/** subject / base, each per round. */
const PAIRS: readonly (readonly [string, string])[] = [
  ['sluice-fetch-hello', 'sluice-app-hello'],
  ['sluice-fetch-fast', 'sluice-app-hello'],
  ['sluice-fetch-hello', 'hono-node-fetch-hello'],
  ['sluice-hono', 'hono-node-hono'],
  ['sluice-hono-override', 'hono-node-hono'],
];

/** One slice: one target loaded for SLICE seconds in one round. */
interface Slice {
  round: number;
  target: string;
  rps: number;
  errors: number;
  procUs: number;
  userUs: number;
  /** The server core's busy time per request (kernel work and anything else on the core included). */
  coreUs: number;
  /** Share of each core's time taken by work other than the server (core 1) and wrk (core 0). */
  serverForeign: number;
  clientForeign: number;
}

type Stat = { utime: number; stime: number };
const tickUs = 1e6 / CLK_TCK;

function procStat(pid: number): Stat {
  const p = parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { utime: p.utime, stime: p.stime };
}

/** Runs wrk pinned to the client core through a shell that prints its own stat afterwards: its cutime/cstime are wrk's. */
function runWrk(url: string, seconds: number, lua: string): { result: Record<string, number> | null; cpuUs: number } {
  const text = execFileSync('taskset', ['-c', String(CLIENT_CPU), 'sh', '-c', 'wrk "$@"; cat /proc/$$/stat', 'sh',
    '-t1', '-c64', `-d${seconds}s`, '--timeout', '10s', '-s', lua, url], { encoding: 'utf8', env: { ...process.env, WRK_PIPELINE: '1' } });
  const lines = text.trim().split('\n');
  const shell = parsePidStat(lines[lines.length - 1]!);
  return { result: parseResultLine(text), cpuUs: (shell.cutime + shell.cstime) * tickUs };
}

function measureSlice(round: number, target: FetchTarget, pid: number, port: number, lua: string): Slice | null {
  const cores0 = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  const proc0 = procStat(pid);
  const { result, cpuUs: wrkUs } = runWrk(`http://127.0.0.1:${port}${target.path}`, SLICE, lua);
  const proc1 = procStat(pid);
  const cores1 = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  if (result === null || !result.requests) return null;
  const requests = result.requests;
  const server = computeCoreUsage(cores0.get(SERVER_CPU)!, cores1.get(SERVER_CPU)!);
  const client = computeCoreUsage(cores0.get(CLIENT_CPU)!, cores1.get(CLIENT_CPU)!);
  const procUs = (proc1.utime - proc0.utime + proc1.stime - proc0.stime) * tickUs;
  const wallUs = (server.busy > 0 ? server.busyUs / server.busy : SLICE * 1e6);
  const errors = ['err_connect', 'err_read', 'err_write', 'err_status', 'err_timeout'].reduce((a, k) => a + (result[k] ?? 0), 0);
  return {
    round, target: target.name, rps: requests / (result.duration_us! / 1e6), errors,
    procUs: procUs / requests, userUs: ((proc1.utime - proc0.utime) * tickUs) / requests, coreUs: server.busyUs / requests,
    serverForeign: Math.max(0, (server.busyUs - procUs) / wallUs), clientForeign: Math.max(0, (client.busyUs - wrkUs) / wallUs),
  };
}

const fixed = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : '-');
const pct = (v: number): string => `${Math.round(v * 100)}%`;

const isClean = (s: Slice): boolean => s.serverForeign <= FOREIGN && s.clientForeign <= FOREIGN;

/** subject / base in each round both were measured in (only rounds where both slices were clean, if asked). */
function ratios(slices: Slice[], subject: string, base: string, pick: (s: Slice) => number, cleanOnly = false): number[] {
  const out: number[] = [];
  for (const round of new Set(slices.map((s) => s.round))) {
    const a = slices.find((s) => s.round === round && s.target === subject);
    const b = slices.find((s) => s.round === round && s.target === base);
    if (a !== undefined && b !== undefined && (!cleanOnly || (isClean(a) && isClean(b)))) out.push(pick(a) / pick(b));
  }
  return out;
}

function summarize(slices: Slice[]): string {
  const lines = ['| target | path | req/s | proc µs/req | user µs/req | core µs/req | foreign srv/cli core | errors |', '|---|---|---|---|---|---|---|---|'];
  for (const target of TARGETS) {
    const runs = slices.filter((s) => s.target === target.name);
    if (runs.length === 0) continue;
    const m = (pick: (s: Slice) => number): number => median(runs.map(pick));
    lines.push(`| ${target.name} | ${target.path} | ${Math.round(m((s) => s.rps))} | ${fixed(m((s) => s.procUs))} | ${fixed(m((s) => s.userUs))} | ` +
      `${fixed(m((s) => s.coreUs))} | ${pct(m((s) => s.serverForeign))}/${pct(m((s) => s.clientForeign))} | ${runs.reduce((a, s) => a + s.errors, 0)} |`);
  }
  const spread = (v: number[]): string => {
    const s = computeSpread(v);
    return s === null ? '-' : `${fixed(s.median)} [${fixed(s.min)}-${fixed(s.max)}]`;
  };
  lines.push('', `Ratios within each round, median [min-max] over the rounds; "clean": only the rounds in which neither slice of ` +
    `the pair had more than ${pct(FOREIGN)} of either core taken by other work (n of them).`, '',
    '| subject / base | proc | user | proc, clean rounds (n) | proc, each round |', '|---|---|---|---|---|');
  for (const [subject, base] of PAIRS) {
    const proc = ratios(slices, subject, base, (s) => s.procUs);
    if (proc.length === 0) continue;
    const clean = ratios(slices, subject, base, (s) => s.procUs, true);
    lines.push(`| ${subject} / ${base} | ${spread(proc)} | ${spread(ratios(slices, subject, base, (s) => s.userUs))} | ` +
      `${spread(clean)} (${clean.length}) | ${proc.map((r) => fixed(r)).join(', ')} |`);
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
  const servers = [];
  try {
    for (const [i, target] of TARGETS.entries()) servers.push({ target, port: PORT + i, child: await startServer(target, PORT + i) });
    for (const s of servers) runWrk(`http://127.0.0.1:${s.port}${s.target.path}`, WARM, lua);
    const slices: Slice[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const s of round % 2 === 1 ? servers : [...servers].reverse()) {
        const slice = measureSlice(round, s.target, s.child.pid!, s.port, lua);
        if (slice === null) process.stderr.write(`no result: ${s.target.name}\n`);
        else {
          slices.push(slice);
          process.stderr.write(`${JSON.stringify(slice)}\n`);
        }
      }
    }
    writeFileSync(join(WORK, 'fetch-pinned.json'), JSON.stringify(slices, null, 1));
    const loadAtEnd = readFileSync('/proc/loadavg', 'utf8').trim();
    process.stdout.write(`${summarize(slices)}\n\n${ROUNDS} rounds x ${SLICE} s per target after ${WARM} s of warm-up each; ` +
      `raw slices: ${join(WORK, 'fetch-pinned.json')}\nloadavg at start: ${loadAtStart}; at end: ${loadAtEnd}\n`);
  } finally {
    for (const s of servers) await stopServer(s.child);
  }
}

await main();
