// Bench driver (`npm run bench`): setup, then per repetition each target is started pinned to the server core,
// verified, warmed up and loaded from the client core; targets interleave and their order alternates per rep.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeMicrosPerRequest, diffCpu, sampleCpu } from './cpu.js';
import { runLoad, type LoadPlan } from './load.js';
import { runHttpsStage } from './https-stage.js';
import { acquireLock, BENCH_LOCK } from './lock.js';
import { collectMachineInfo } from './machine.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { runPinned, sleep } from './processes.js';
import { renderMarkdown, summarizeRuns, writeReport, type BenchReport, type RunRecord, type SkipRecord } from './report.js';
import { selectScenarios, type Scenario } from './scenarios.js';
import { startServer, stopServer, type RunningServer } from './server.js';
import { ensureSetup, REPO_ROOT, type BenchEnv } from './setup.js';
import { selectTargets, type Target } from './targets.js';
import { verifyTarget } from './verify.js';
import { formatWorkerShare, readWorkerConnections } from './worker-share.js';

/** Pause between scenarios, so sockets in TIME_WAIT and the server's timers settle. */
const PAUSE_MS = 500;

/** Which core runs the server and which runs the clients (null: one core, no pinning). */
export function chooseCores(nproc: number): { server: number | null; client: number | null } {
  return nproc >= 2 ? { server: 1, client: 0 } : { server: null, client: null };
}

/** Target order of one repetition: the table order, reversed on every second repetition. */
export function orderForRep<T>(items: readonly T[], rep: number): T[] {
  return rep % 2 === 0 ? [...items].reverse() : [...items];
}

interface Ctx {
  opts: BenchOptions;
  env: BenchEnv;
  cores: { server: number | null; client: number | null };
  scratch: string;
  runs: RunRecord[];
  skips: SkipRecord[];
  log: (s: string) => void;
  /** The server running now, killed if the driver is interrupted. */
  current: RunningServer | null;
}

/** Records a skip once per (target, scenario, kind); repeats only bump its count. */
function addSkip(ctx: Ctx, skip: Omit<SkipRecord, 'times'>): void {
  const seen = ctx.skips.find((s) => s.target === skip.target && s.scenario === skip.scenario && s.kind === skip.kind);
  if (seen) seen.times++;
  else ctx.skips.push({ ...skip, times: 1 });
}

async function measure(ctx: Ctx, server: RunningServer, s: Scenario, rep: number): Promise<void> {
  const plan: LoadPlan = { port: server.port, path: s.path, durationS: ctx.opts.durationS, clientCore: ctx.cores.client,
    scratchDir: ctx.scratch, sinkBin: ctx.env.sinkBin, wsLoadBin: ctx.env.wsLoadBin, serverPid: server.pid };
  const before = sampleCpu(server.pid);
  // A prefork target's spread over its workers is read halfway through the load, while every connection is open.
  let workerConns: number[] | undefined;
  const probe = server.target.prefork !== true ? null
    : setTimeout(() => (workerConns = readWorkerConnections(server.pid, server.port)), (ctx.opts.durationS * 1000) / 2);
  const load = await runLoad(s, plan);
  if (probe !== null) clearTimeout(probe);
  const after = sampleCpu(server.pid);
  if (load.failed !== null) return addSkip(ctx, { target: server.target.name, scenario: s.name, kind: 'load-failed', reason: load.failed });
  const cpu = diffCpu(before, after, ctx.cores.server ?? 0, ctx.cores.client ?? 0);
  const record: RunRecord = { rep, target: server.target.name, role: server.target.role, group: s.group, scenario: s.name, metric: s.metric, load,
    cpu: { serverBusy: cpu.serverCore.busy, clientBusy: cpu.clientCore.busy, serverSteal: cpu.serverCore.steal,
      serverUsPerReq: computeMicrosPerRequest(cpu.serverCore.busyUs, load.requests), userUsPerReq: computeMicrosPerRequest(cpu.userUs, load.requests),
      procUsPerReq: cpu.procUs === null ? null : computeMicrosPerRequest(cpu.procUs, load.requests) },
    ...(workerConns === undefined ? {} : { workerConns }) };
  ctx.runs.push(record);
  const rps = load.durationS > 0 ? Math.round(load.requests / load.durationS) : 0;
  ctx.log(`  ${s.name}: ${rps} req/s, ${(load.bytes / Math.max(load.durationS, 1e-9) / 1048576).toFixed(1)} MB/s, ` +
    `srv ${record.cpu.serverUsPerReq?.toFixed(1) ?? '-'} µs/req (proc ${record.cpu.procUsPerReq?.toFixed(1) ?? '-'}), errors ${load.errors}, dropped ${load.dropped}, non-2xx ${load.non2xx}` +
    (workerConns === undefined ? '' : `, workers ${formatWorkerShare(workerConns)}`));
}

async function runTarget(ctx: Ctx, t: Target, scenarios: Scenario[], rep: number): Promise<void> {
  const started = await startServer(t, ctx.env, ctx.cores.server);
  if (started.kind !== 'running') {
    ctx.log(`${t.name}: ${started.kind === 'unavailable' ? 'skipped' : 'FAILED'}: ${started.reason}`);
    return addSkip(ctx, { target: t.name, scenario: null, kind: started.kind, reason: started.reason });
  }
  const server = started.server;
  ctx.current = server;
  ctx.log(`${t.name} (pid ${server.pid}, port ${server.port}), rep ${rep}`);
  try {
    const good: Scenario[] = [];
    for (const s of scenarios) {
      const problem = await verifyTarget(server.port, s.path, s);
      if (problem === null) good.push(s);
      else {
        ctx.log(`  ${s.name}: WRONG RESPONSE: ${problem}`);
        addSkip(ctx, { target: t.name, scenario: s.name, kind: 'wrong-response', reason: problem });
      }
    }
    if (good.length === 0) return;
    // Warm-up: JIT, caches and page cache, with the first scenario's load; its figures are discarded. The memory
    // scenario is not a warm-up: the connections it opened would stay in the baseline it is measured against.
    const isMemory = (s: Scenario): boolean => s.load.kind === 'idle' || s.load.kind === 'ws-idle';
    const warm = good.find((s) => !isMemory(s));
    if (warm !== undefined) {
      await runLoad(warm, { port: server.port, path: warm.path, durationS: ctx.opts.warmupS, clientCore: ctx.cores.client,
        scratchDir: ctx.scratch, sinkBin: ctx.env.sinkBin, wsLoadBin: ctx.env.wsLoadBin });
    }
    // Memory first, right after the warm-up (JIT'd code and caches in place): after the load scenarios a garbage-
    // collected heap has grown and has room to spare, so idle connections would seem to cost less than they do, and
    // differently for a server whose memory is native (uWebSockets.js, nginx) than for one whose memory is V8's.
    for (const s of [...good.filter(isMemory), ...good.filter((s) => !isMemory(s))]) {
      await sleep(PAUSE_MS);
      await measure(ctx, server, s, rep);
    }
  } finally {
    await stopServer(server);
    ctx.current = null;
  }
}

async function runConduitBench(core: number | null): Promise<BenchReport['conduit']> {
  const script = join(REPO_ROOT, 'dist', 'bench', 'conduit.js');
  if (!existsSync(script)) return { kind: 'unavailable', reason: 'not built yet (dist/bench/conduit.js missing)' };
  const done = await runPinned(core, process.execPath, [script, '--json'], 300_000);
  const line = done.stdout.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
  try {
    const parsed: unknown = JSON.parse(line ?? '');
    if (done.code !== 0 || typeof parsed !== 'object' || parsed === null) throw new Error(`exit code ${done.code}`);
    const ns = Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
    return { kind: 'ok', nsPerElement: ns };
  } catch (err) {
    return { kind: 'unavailable', reason: `conduit.js --json gave no JSON object (${(err as Error).message}): ${done.stderr.trim().split('\n').pop() ?? ''}` };
  }
}

/** Keeps the driver itself off the server core. */
function pinSelf(core: number | null): void {
  if (core === null) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
  } catch {
    // taskset missing: the driver is idle during loads anyway
  }
}

async function main(): Promise<void> {
  const opts = parseBenchOptions(process.argv.slice(2));
  if (opts.help) return void console.log(USAGE);
  const log = (s: string): void => console.error(s);
  const env = ensureSetup();
  if (!env.hasWrk) throw Object.assign(new Error('wrk is not installed and could not be installed (apt-get install wrk)'), { code: 'NO_WRK' });
  await acquireLock(BENCH_LOCK, log);
  const cores = chooseCores(cpus().length);
  pinSelf(cores.client);
  const ctx: Ctx = { opts, env, cores, scratch: mkdtempSync(join(tmpdir(), 'sluice-bench-run-')), runs: [], skips: [], log, current: null };
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0] ?? 0;
  const targets = selectTargets(opts.only).map((t) => ({ t, scenarios: selectScenarios(t.group, opts.scenario, opts.quick)
    .filter((s) => t.scenarios === undefined || t.scenarios.test(s.name)) }))
    .filter((x) => x.scenarios.length > 0);
  log(`bench: ${opts.quick ? 'quick' : 'full'}, ${opts.reps} rep(s) x ${opts.durationS} s, ${targets.length} target(s), ` +
    `server core ${cores.server ?? '-'}, client core ${cores.client ?? '-'}`);
  const onSignal = (): void => {
    log('interrupted');
    ctx.current?.child.kill('SIGTERM'); // TERM, not KILL: nginx's master then stops its worker
    rmSync(ctx.scratch, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (let rep = 1; rep <= opts.reps; rep++) {
      for (const { t, scenarios } of orderForRep(targets, rep)) await runTarget(ctx, t, scenarios, rep);
    }
  } finally {
    rmSync(ctx.scratch, { recursive: true, force: true });
  }
  // HTTPS rows: their own driver (TLS clients), in this run and under this lock; not part of the --quick smoke.
  const https = opts.quick ? null : await runHttpsStage(opts.only, opts.scenario, opts.reps, opts.durationS);
  const conduit = opts.conduit ? await runConduitBench(cores.server) : { kind: 'unavailable' as const, reason: 'skipped (--no-conduit)' };
  const report: BenchReport = { startedAt, mode: opts.quick ? 'quick' : 'full', reps: opts.reps, durationS: opts.durationS,
    machine: collectMachineInfo(cores.server, cores.client, loadAtStart), rows: summarizeRuns(ctx.runs), runs: ctx.runs, skips: ctx.skips, conduit };
  const files = writeReport(join(REPO_ROOT, 'bench', 'results'), report);
  console.log(renderMarkdown(report));
  if (https !== null) console.log(`\n${https}`);
  log(`results: ${files.slice(0, 2).join(', ')}`);
}

if (process.argv[1]?.endsWith('run.js')) {
  main().catch((err: Error & { code?: string }) => {
    console.error(`bench: ${err.code ? `${err.code}: ` : ''}${err.message}`);
    process.exit(1);
  });
}
