// Load dispatcher: runs a scenario's client (wrk, sink or the upload client) and normalizes its figures,
// so the report sees one shape whatever generated the load.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAllProcTimes, selectTree } from './cpu.js';
import type { Scenario } from './scenarios.js';
import { REPO_ROOT } from './setup.js';
import { runPinned, sleep } from './processes.js';
import { runSink } from './sink.js';
import { parseResultLine, runWrk, type WrkResult } from './wrk.js';

/** Figures of one load run, whatever client produced them. */
export interface LoadResult {
  requests: number;
  durationS: number;
  bytes: number;
  /** Latency percentiles in µs; null when the client cannot measure them (pipelining, sink). */
  p50Us: number | null;
  p99Us: number | null;
  /** Failed requests: connect and write errors, timeouts, corrupted echoes. */
  errors: number;
  /** Connections the server dropped: wrk's read errors, a sink or upload connection closed mid-response. */
  dropped: number;
  non2xx: number;
  /** Client-specific breakdown, for the JSON. */
  detail: Record<string, number>;
  /** Why the client produced no figures, or null. */
  failed: string | null;
}

/** Where and how long to drive a scenario. */
export interface LoadPlan {
  port: number;
  path: string;
  durationS: number;
  clientCore: number | null;
  scratchDir: string;
  sinkBin: string;
  /** The WebSocket load client (bench/peers/ws-load.c). */
  wsLoadBin: string;
  /** The server's pid (its process tree's memory is read by the idle scenario). */
  serverPid?: number;
}

/** Normalizes a wrk result; pipelined latencies are dropped because wrk's histogram is wrong then. */
export function normalizeWrk(r: WrkResult, pipeline: number): LoadResult {
  const e = r.errors;
  return {
    requests: r.requests, durationS: r.durationUs / 1e6, bytes: r.bytes,
    p50Us: pipeline > 1 ? null : r.p50Us, p99Us: pipeline > 1 ? null : r.p99Us,
    errors: e.connect + e.write + e.timeout, dropped: e.read, non2xx: e.status,
    detail: { connect: e.connect, read: e.read, write: e.write, timeout: e.timeout, maxUs: r.maxUs }, failed: null,
  };
}

/** A result that carries only the reason for failure. */
export function failedLoad(why: string): LoadResult {
  return { requests: 0, durationS: 0, bytes: 0, p50Us: null, p99Us: null, errors: 0, dropped: 0, non2xx: 0, detail: {}, failed: why };
}

/** Normalizes the upload client's RESULT line (its socket errors are drops, mismatched echoes are errors). */
export function normalizeUpload(text: string): LoadResult {
  const r = parseResultLine(text);
  if (!r || r.requests === undefined || r.duration_us === undefined) return failedLoad(`upload client: ${text.trim().split('\n').pop() ?? 'no output'}`);
  const mismatches = r.mismatches ?? 0;
  return {
    requests: r.requests, durationS: r.duration_us / 1e6, bytes: r.bytes ?? 0, p50Us: r.p50_us ?? null, p99Us: r.p99_us ?? null,
    errors: mismatches, dropped: r.errors ?? 0, non2xx: r.non2xx ?? 0, detail: { errors: r.errors ?? 0, mismatches }, failed: null,
  };
}

/** Normalizes the WebSocket client's RESULT line: requests are messages (echo round trips, or deliveries). */
export function normalizeWsLoad(stdout: string, stderr: string): LoadResult {
  const r = parseResultLine(stdout);
  if (!r || r.messages === undefined || r.seconds === undefined) return failedLoad(`ws-load: ${stderr.trim().split('\n').pop() ?? 'no output'}`);
  return {
    requests: r.messages, durationS: r.seconds, bytes: r.bytes ?? 0, p50Us: null, p99Us: null, errors: r.errors ?? 0, dropped: 0,
    non2xx: 0, detail: {}, failed: null,
  };
}

/** Runs the scenario's load against 127.0.0.1:plan.port. */
export async function runLoad(s: Scenario, plan: LoadPlan): Promise<LoadResult> {
  const load = s.load;
  switch (load.kind) {
    case 'wrk': {
      try {
        const r = await runWrk({ url: `http://127.0.0.1:${plan.port}${plan.path}`, conns: load.conns, durationS: plan.durationS,
          timeoutS: load.timeoutS, pipeline: load.pipeline, headers: load.headers }, plan.clientCore, plan.scratchDir);
        return normalizeWrk(r, load.pipeline);
      } catch (err) {
        return failedLoad((err as Error).message);
      }
    }
    case 'sink': {
      const r = await runSink(plan.sinkBin, plan.port, plan.path, load.conns, plan.durationS, plan.clientCore);
      if (r.failed !== null) return { ...failedLoad(`sink: ${r.failed}`), dropped: 1 };
      return { requests: r.responses, durationS: r.seconds, bytes: r.bytes, p50Us: null, p99Us: null, errors: 0, dropped: 0, non2xx: 0,
        detail: {}, failed: null };
    }
    case 'idle':
      return runIdle(plan, [join(REPO_ROOT, 'dist', 'bench', 'idle-client.js'), '--port', String(plan.port), '--conns',
        String(load.conns), '--path', plan.path], process.execPath);
    case 'ws-idle':
      return runIdle(plan, ['idle', String(plan.port), String(load.conns), '64', '0'], plan.wsLoadBin);
    case 'ws': {
      const done = await runPinned(plan.clientCore, plan.wsLoadBin, [load.mode, String(plan.port), String(load.conns), String(load.bytes),
        String(plan.durationS), String(load.window)], (plan.durationS + 120) * 1000);
      return normalizeWsLoad(done.stdout, done.stderr);
    }
    case 'upload': {
      const client = join(REPO_ROOT, 'dist', 'bench', 'upload-client.js');
      const done = await runPinned(plan.clientCore, process.execPath, [client, '--port', String(plan.port), '--path', plan.path,
        '--bytes', String(load.bytes), '--duration', String(plan.durationS), '--conns', String(load.conns)], (plan.durationS + 120) * 1000);
      return normalizeUpload(done.stdout + '\n' + done.stderr);
    }
  }
}

/** Resident memory of a process and its descendants (nginx: master + worker), in KiB; null when unreadable. */
export function readTreeRssKiB(pid: number): number | null {
  let total = 0;
  for (const p of selectTree(readAllProcTimes(), pid)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p.pid}/status`, 'latin1'));
      if (m !== null) total += Number(m[1]);
    } catch {
      // exited meanwhile
    }
  }
  return total > 0 ? total : null;
}

/** How long the server gets to settle (lazy frees, GC) before its RSS is read with every connection idle. */
const IDLE_SETTLE_MS = 1500;

/**
 * The memory scenarios: server RSS before, then with `conns` idle connections open (keep-alive connections that each
 * made one request, or WebSockets that opened). requests = connections opened; detail.kibPerConn = RSS growth per one.
 */
async function runIdle(plan: LoadPlan, args: string[], program: string): Promise<LoadResult> {
  if (plan.serverPid === undefined) return failedLoad('idle: no server pid to read memory from');
  const before = readTreeRssKiB(plan.serverPid);
  const cmd = plan.clientCore === null ? program : 'taskset';
  const child = spawn(cmd, plan.clientCore === null ? args : ['-c', String(plan.clientCore), program, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = await new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('READY'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', () => resolve(null));
  });
  try {
    if (ready === null || before === null) return failedLoad(`idle client: ${ready === null ? 'never ready' : 'no RSS'}: ${out.trim()}`);
    const [, opened, failed, ms] = ready.split(' ').map(Number) as [number, number, number, number];
    await sleep(IDLE_SETTLE_MS);
    const after = readTreeRssKiB(plan.serverPid);
    if (after === null || opened === 0) return failedLoad('idle: the server exited or no connection opened');
    return {
      requests: opened, durationS: ms / 1000, bytes: 0, p50Us: null, p99Us: null, errors: failed, dropped: 0, non2xx: 0,
      detail: { baselineKiB: before, loadedKiB: after, kibPerConn: (after - before) / opened }, failed: null,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}
