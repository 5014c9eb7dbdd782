// Profiler (`npm run profile [scenario] [--target name]`): runs a node target under 0x on the server core while
// wrk loads it, then prints the flamegraph's path and the top self-time functions from 0x's own stack tree.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readTreePids, startServer, type ReadyLaunch } from './server.js';
import { runLoad } from './load.js';
import { acquireLock } from './lock.js';
import { computeRps } from './report.js';
import { chooseCores } from './run.js';
import { findScenario, SCENARIOS, type Scenario } from './scenarios.js';
import { extractMergedTree, renderSelfTime, summarizeSelfTime } from './self-time.js';
import { ensureSetup, REPO_ROOT } from './setup.js';
import { TARGETS, type Target } from './targets.js';
import { verifyTarget } from './verify.js';
import { waitExit } from './processes.js';

/** Time 0x gets to turn the V8 log into a flamegraph after the server exits. */
const RENDER_TIMEOUT_MS = 180_000;

/** The target profiled for a scenario when none is named: the group's Sluice target, else its node:http baseline. */
export function pickProfileTarget(s: Scenario, named: string | undefined, available: (t: Target) => boolean): Target | undefined {
  if (named !== undefined) return TARGETS.find((t) => t.name === named);
  const group = TARGETS.filter((t) => t.group === s.group);
  return group.find((t) => t.role === 'subject' && available(t)) ?? group.find((t) => t.role === 'node');
}

/** Puts 0x in front of a node launch; other programs cannot be profiled with it. */
export function wrapWith0x(l: ReadyLaunch, outDir: string): ReadyLaunch | { kind: 'unavailable'; reason: string } {
  if (l.cmd !== process.execPath) return { kind: 'unavailable', reason: `0x profiles node programs only (not ${l.cmd})` };
  const bin = join(REPO_ROOT, 'node_modules', '.bin', '0x');
  return { kind: 'launch', cmd: bin, args: ['--output-dir', outDir, '--tree-debug', '--', process.execPath, ...l.args], env: l.env };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    target: { type: 'string' }, duration: { type: 'string', default: '10' }, top: { type: 'string', default: '15' } } });
  const scenario = findScenario(positionals[0] ?? 'hello-ka-c64');
  if (!scenario) throw new Error(`unknown scenario "${positionals[0]}"; one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const env = ensureSetup();
  await acquireLock(join(env.workDir, 'bench.lock'), (s) => console.error(s));
  const cores = chooseCores(cpus().length);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = pickProfileTarget(scenario, values.target, (t) => t.launch({ port: 0, env }).kind === 'launch');
  if (!target || target.group !== scenario.group) throw new Error(`no ${scenario.group} target named "${values.target}"`);
  const outDir = join(REPO_ROOT, 'bench', 'results', `profile-${stamp}-${target.name}`);
  console.error(`profile: ${target.name} under 0x, ${scenario.name} for ${values.duration} s`);
  const started = await startServer(target, env, cores.server, (l) => wrapWith0x(l, outDir));
  if (started.kind !== 'running') throw new Error(`${target.name}: ${started.reason}`);
  const server = started.server;
  const problem = await verifyTarget(server.port, scenario.path, scenario);
  if (problem !== null) console.error(`warning: wrong response (${problem}); profiling anyway`);
  const plan = { port: server.port, path: scenario.path, clientCore: cores.client, scratchDir: env.workDir, sinkBin: env.sinkBin };
  await runLoad(scenario, { ...plan, durationS: 2 });
  const load = await runLoad(scenario, { ...plan, durationS: Number(values.duration) });
  console.error(load.failed ?? `load: ${Math.round(computeRps(load))} req/s, errors ${load.errors}, dropped ${load.dropped}, non-2xx ${load.non2xx}`);
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
    console.log(`top ${values.top} functions by self time (samples, share of all samples):`);
    console.log(renderSelfTime(summarizeSelfTime(tree, Number(values.top))));
  } else {
    console.log('no stacks file from 0x: top list unavailable');
  }
  console.log(`flamegraph: ${html}`);
}

if (process.argv[1]?.endsWith('profile.js')) {
  main().catch((err: Error) => {
    console.error(`profile: ${err.message}`);
    process.exit(1);
  });
}
