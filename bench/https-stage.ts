// The HTTPS stage of `npm run bench`: bench/native-tls-compare.ts (Sluice's serve({ tls }), the bare native TLS
// layer, nginx HTTPS and node:https in one run) started as a child when --only and --scenario select any of its rows.
// Key decision: its own driver (s_time for full handshakes, curl for the file, TLS idle clients) rather than the plain
// table's clients, which speak only HTTP; run.ts holds the machine's bench lock for it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runPinned } from './processes.js';
import { REPO_ROOT } from './setup.js';

/** The stage's targets (native-tls-compare's names). */
export const HTTPS_TARGETS = ['sluice-https', 'native-tls', 'nginx-tls', 'node-https', 'native-plain', 'sluice-plain'] as const;
/** The stage's scenarios: keep-alive c64, a full handshake per connection, idle connections' memory, a 100 MiB file. */
export const HTTPS_SCENARIOS = ['https-ka-c64', 'https-new-conn', 'https-idle', 'https-file100m'] as const;
/** Set by run.ts for its child: the pid that holds the bench lock on the child's behalf. */
export const LOCK_HELD_BY = 'SLUICE_BENCH_LOCK_HELD_BY';

/** What the stage would run for these filters: regex sources for its TARGETS and SCEN, or null when nothing matches. */
export function selectHttpsStage(only: RegExp, scenario: RegExp): { targets: string; scenarios: string } | null {
  const targets = HTTPS_TARGETS.filter((t) => only.test(t));
  const scenarios = HTTPS_SCENARIOS.filter((s) => scenario.test(s));
  if (targets.length === 0 || scenarios.length === 0) return null;
  return { targets: `^(${targets.join('|')})$`, scenarios: `^(${scenarios.join('|')})$` };
}

/** Runs the stage (the caller holds the bench lock); its Markdown tables, or why it could not run. */
export async function runHttpsStage(only: RegExp, scenario: RegExp, reps: number, durationS: number): Promise<string | null> {
  const selected = selectHttpsStage(only, scenario);
  if (selected === null) return null;
  const script = join(REPO_ROOT, 'dist', 'bench', 'native-tls-compare.js');
  if (!existsSync(script)) return 'HTTPS: not built yet (dist/bench/native-tls-compare.js missing)';
  const env = { REPS: String(reps), DUR: String(durationS), TARGETS: selected.targets, SCEN: selected.scenarios, [LOCK_HELD_BY]: String(process.pid) };
  const done = await runPinned(null, process.execPath, [script], 60 * 60_000, env);
  return done.code === 0 ? `## HTTPS (same run: Sluice, native layer, nginx, node:https)\n\n${done.stdout.trim()}`
    : `HTTPS: native-tls-compare exited ${done.code}: ${done.stderr.trim().split('\n').slice(-3).join(' / ')}`;
}
