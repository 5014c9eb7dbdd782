// Pinned same-run comparisons (native-compare, native-tls-compare): a server on CPU 1, wrk -t1 on CPU 0, and the
// server process's own CPU time per request from /proc, which still compares servers when the machine is busy.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { CLK_TCK, computeCoreUsage, parsePidStat, parseProcStat } from './cpu.js';
import { parseResultLine } from './wrk.js';

/** The core the server is pinned to. */
export const SERVER_CPU = 1;
/** The core wrk is pinned to. */
export const CLIENT_CPU = 0;

/** One server under test. */
export interface Target {
  name: string;
  command: string[];
  env?: Record<string, string>;
}

/** Figures of one (rep, target, scenario) run. */
export interface Row {
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

/** One wrk run's shape. */
export interface WrkRun {
  url: string;
  conns: number;
  seconds: number;
  lua: string;
  pipeline: number;
  headers?: string[];
}

/** Whether something accepts TCP connections on port. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts target pinned to SERVER_CPU (taskset execs it, so the child's pid is the server's) and waits for port. */
export async function startServer(target: Target, port: number): Promise<ChildProcess> {
  if (await canConnect(port)) throw new Error(`port ${port} is already taken: stop whatever listens there first`);
  const child = spawn('taskset', ['-c', String(SERVER_CPU), ...target.command], {
    env: { ...process.env, PORT: String(port), BACKLOG: '4096', ...target.env },
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if (await canConnect(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${target.name} did not come up`);
}

/** SIGTERM, then waits for the exit. */
export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Runs wrk -t1 pinned to CLIENT_CPU; its RESULT line, or null. */
export function runWrk(run: WrkRun): Record<string, number> | null {
  const args = ['-c', String(CLIENT_CPU), 'wrk', '-t1', `-c${run.conns}`, `-d${run.seconds}s`, '--timeout', '10s', '-s', run.lua];
  for (const header of run.headers ?? []) args.push('-H', header);
  const text = execFileSync('taskset', [...args, run.url], { encoding: 'utf8', env: { ...process.env, WRK_PIPELINE: String(run.pipeline) } });
  return parseResultLine(text);
}

type Sample = { core: ReturnType<typeof parseProcStat>; utime: number; stime: number };

function sample(pid: number): Sample {
  const proc = parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { core: parseProcStat(readFileSync('/proc/stat', 'utf8')), utime: proc.utime, stime: proc.stime };
}

/** One measured wrk run against the server process pid. */
export function measure(rep: number, target: string, scenario: string, pid: number, run: WrkRun): Row | null {
  const before = sample(pid);
  const result = runWrk(run);
  return toRow(rep, target, scenario, before, sample(pid), result);
}

/** One measured run of any load client that reports wrk.ts's RESULT fields (requests, duration_us, p99_us, err_*). */
export async function measureAsync(rep: number, target: string, scenario: string, pid: number, run: () => Promise<Record<string, number> | null>): Promise<Row | null> {
  const before = sample(pid);
  const result = await run();
  return toRow(rep, target, scenario, before, sample(pid), result);
}

function toRow(rep: number, target: string, scenario: string, before: Sample, after: Sample, result: Record<string, number> | null): Row | null {
  if (result === null || !result.requests) return null;
  const requests = result.requests;
  const core = computeCoreUsage(before.core.get(SERVER_CPU)!, after.core.get(SERVER_CPU)!);
  const tickUs = 1e6 / CLK_TCK;
  const errors = ['err_connect', 'err_read', 'err_write', 'err_status', 'err_timeout'].reduce((a, k) => a + (result[k] ?? 0), 0);
  return {
    rep,
    target,
    scenario,
    rps: requests / (result.duration_us! / 1e6),
    p99Ms: result.p99_us! / 1000,
    errors,
    coreUs: core.busyUs / requests,
    procUs: ((after.utime - before.utime + after.stime - before.stime) * tickUs) / requests,
    userUs: ((after.utime - before.utime) * tickUs) / requests,
  };
}

/** The median of values. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
