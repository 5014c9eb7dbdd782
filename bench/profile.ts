// Profiler (`npm run profile [scenario] [--target name]`): runs a node target under 0x on the server core while
// wrk loads it and prints the flamegraph's path and the top self-time frames from 0x's stack tree; then (unless
// --no-cpu-prof) loads it again under `node --cpu-prof` for a JS-only top list free of --prof's log writes.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCpuProfArgs, readNewestCpuProfile, summarizeCpuProfile } from './cpuprofile.js';
import { runLoad } from './load.js';
import { acquireLock, BENCH_LOCK } from './lock.js';
import { stopProcess, waitExit } from './processes.js';
import { computeRps } from './report.js';
import { chooseCores } from './run.js';
import { findScenario, SCENARIOS, type Scenario } from './scenarios.js';
import { extractMergedTree, renderSelfTime, summarizeSelfTime } from './self-time.js';
import { readTreePids, startServer, type ReadyLaunch, type RunningServer } from './server.js';
import { ensureSetup, REPO_ROOT, type BenchEnv } from './setup.js';
import { TARGETS, type Launch, type Target } from './targets.js';
import { verifyTarget } from './verify.js';

/** Time 0x gets to turn the V8 log into a flamegraph after the server exits. */
const RENDER_TIMEOUT_MS = 180_000;

/** The target profiled for a scenario when none is named: the group's Sluice target, else its node:http baseline. */
export function pickProfileTarget(s: Scenario, named: string | undefined, available: (t: Target) => boolean): Target | undefined {
  if (named !== undefined) return TARGETS.find((t) => t.name === named);
  const group = TARGETS.filter((t) => t.group === s.group);
  return group.find((t) => t.role === 'subject' && available(t)) ?? group.find((t) => t.role === 'node');
}

/** Puts 0x in front of a node launch; other programs cannot be profiled with it. */
export function wrapWith0x(l: ReadyLaunch, outDir: string): Launch {
  if (l.cmd !== process.execPath) return { kind: 'unavailable', reason: `0x profiles node programs only (not ${l.cmd})` };
  const bin = join(REPO_ROOT, 'node_modules', '.bin', '0x');
  return { kind: 'launch', cmd: bin, args: ['--output-dir', outDir, '--tree-debug', '--', process.execPath, ...l.args], env: l.env };
}

/** Adds --cpu-prof (and an exit-on-signal preload) to a node launch. */
export function wrapWithCpuProf(l: ReadyLaunch, outDir: string): Launch {
  if (l.cmd !== process.execPath) return { kind: 'unavailable', reason: `--cpu-prof needs a node program (not ${l.cmd})` };
  return { ...l, args: [...buildCpuProfArgs(outDir), ...l.args] };
}

interface Job {
  target: Target;
  scenario: Scenario;
  env: BenchEnv;
  cores: { server: number | null; client: number | null };
  durationS: number;
}

/** Starts the wrapped target, verifies it, warms it up, loads it; returns the still-running server. */
async function loadUnder(job: Job, wrap: (l: ReadyLaunch) => Launch): Promise<RunningServer> {
  const started = await startServer(job.target, job.env, job.cores.server, wrap);
  if (started.kind !== 'running') throw new Error(`${job.target.name}: ${started.reason}`);
  const server = started.server;
  const problem = await verifyTarget(server.port, job.scenario.path, job.scenario);
  if (problem !== null) console.error(`warning: wrong response (${problem}); profiling anyway`);
  const plan = { port: server.port, path: job.scenario.path, clientCore: job.cores.client, scratchDir: job.env.workDir, sinkBin: job.env.sinkBin, wsLoadBin: job.env.wsLoadBin };
  await runLoad(job.scenario, { ...plan, durationS: 2 });
  const load = await runLoad(job.scenario, { ...plan, durationS: job.durationS });
  console.error(load.failed ?? `load: ${Math.round(computeRps(load))} req/s, errors ${load.errors}, dropped ${load.dropped}, non-2xx ${load.non2xx}`);
  return server;
}

async function profileWith0x(job: Job, outDir: string, top: number): Promise<void> {
  const server = await loadUnder(job, (l) => wrapWith0x(l, outDir));
  // 0x stops the profiled node on SIGINT to both (what Ctrl+C does in a terminal), then renders.
  const children = readTreePids(server.pid).filter((p) => p !== server.pid);
  server.child.kill('SIGINT');
  for (const pid of children) process.kill(pid, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const rendered = await Promise.race([waitExit(server.child).then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), RENDER_TIMEOUT_MS)))]);
  clearTimeout(timer);
  if (!rendered) {
    server.child.kill('SIGKILL');
    throw new Error(`0x did not finish within ${RENDER_TIMEOUT_MS / 1000} s: ${server.logTail()}`);
  }
  const html = join(outDir, 'flamegraph.html');
  if (!existsSync(html)) throw new Error(`0x wrote no flamegraph: ${server.logTail()}`);
  const stacks = readdirSync(outDir).find((f) => /^stacks\.\d+\.json$/.test(f));
  if (stacks) {
    const tree = extractMergedTree(JSON.parse(readFileSync(join(outDir, stacks), 'utf8')));
    console.log(`0x: top ${top} frames by self time (samples; native frames included, __write is mostly --prof's own log):`);
    console.log(renderSelfTime(summarizeSelfTime(tree, top)));
  } else {
    console.log('0x wrote no stacks file: top list unavailable');
  }
  console.log(`flamegraph: ${html}`);
}

async function profileWithCpuProf(job: Job, outDir: string, top: number): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const server = await loadUnder(job, (l) => wrapWithCpuProf(l, outDir));
  await stopProcess(server.child, 15_000, 'SIGINT');
  const profile = readNewestCpuProfile(outDir);
  if (profile === null) return void console.log(`--cpu-prof wrote no profile into ${outDir}`);
  console.log(`--cpu-prof: top ${top} JS functions by self time, share of busy time ("(program)" = native, "(garbage collector)" = GC):`);
  console.log(renderSelfTime(summarizeCpuProfile(profile, top), 'us'));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    target: { type: 'string' }, duration: { type: 'string', default: '10' }, top: { type: 'string', default: '15' },
    'no-cpu-prof': { type: 'boolean', default: false } } });
  const scenario = findScenario(positionals[0] ?? 'hello-ka-c64');
  if (!scenario) throw new Error(`unknown scenario "${positionals[0]}"; one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const env = ensureSetup();
  await acquireLock(BENCH_LOCK, (s) => console.error(s));
  const target = pickProfileTarget(scenario, values.target, (t) => t.launch({ port: 0, env }).kind === 'launch');
  if (!target || target.group !== scenario.group) throw new Error(`no ${scenario.group} target named "${values.target}"`);
  const job: Job = { target, scenario, env, cores: chooseCores(cpus().length), durationS: Number(values.duration) };
  const top = Number(values.top);
  const outDir = join(REPO_ROOT, 'bench', 'results', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}-${target.name}`);
  console.error(`profile: ${target.name} under 0x, ${scenario.name} for ${job.durationS} s`);
  await profileWith0x(job, outDir, top);
  if (values['no-cpu-prof']) return;
  console.error(`profile: ${target.name} under --cpu-prof, ${scenario.name} for ${job.durationS} s`);
  await profileWithCpuProf(job, join(outDir, 'cpu-prof'), top);
}

if (process.argv[1]?.endsWith('profile.js')) {
  main().catch((err: Error) => {
    console.error(`profile: ${err.message}`);
    process.exit(1);
  });
}
