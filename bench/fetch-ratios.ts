// The fetch group's ratios, taken pair by pair within each repetition (the two targets of a pair run back to back, see
// targets.ts), then summarised over the repetitions. Why paired: on a shared machine the load other work puts on either
// core moves a server's CPU per request by tens of percent between repetitions, and not by the same amount for every
// server (a client slowed by other work means smaller batches, which costs node:http more per request than Sluice), so
// a ratio of two medians taken minutes apart mixes machine states; a ratio of neighbours does not, and its spread says
// how far one run can be trusted. `proc` is the server process tree's own CPU (user + system, the scheduler's exact
// runtime): unlike `srv` (the server core's busy time) it leaves out whatever else ran on the core.
import type { RunRecord } from './report.js';
import { computeSpread } from './stats.js';

/** The pairs the fetch targets are judged by (README, "Web-standard handlers"): subject, base, scenario. */
export const FETCH_PAIRS: readonly (readonly [subject: string, base: string, scenario: string])[] = [
  ['sluice-hono', 'hono-node-hono', 'fetch-hono-json-ka-c64'],
  ['sluice-hono-override', 'hono-node-hono', 'fetch-hono-json-ka-c64'],
  ['sluice-fetch-hello', 'sluice-app-hello', 'fetch-hello-ka-c64'],
  ['sluice-fetch-fast', 'sluice-app-hello', 'fetch-hello-ka-c64'],
  ['sluice-fetch-hello', 'hono-node-fetch-hello', 'fetch-hello-ka-c64'],
];

type Metric = 'srv' | 'proc' | 'user';
const PICK: Record<Metric, (r: RunRecord) => number | null | undefined> = {
  srv: (r) => r.cpu.serverUsPerReq,
  proc: (r) => r.cpu.procUsPerReq,
  user: (r) => r.cpu.userUsPerReq,
};

/** subject/base for each repetition both were measured in, for one metric. */
export function pairedRatios(runs: readonly RunRecord[], subject: string, base: string, scenario: string, metric: Metric): number[] {
  const of = (target: string, rep: number): number | null => {
    const run = runs.find((r) => r.target === target && r.scenario === scenario && r.rep === rep && r.load.failed === null);
    const v = run === undefined ? null : PICK[metric](run);
    return typeof v === 'number' && v > 0 ? v : null;
  };
  const reps = [...new Set(runs.map((r) => r.rep))].sort((a, b) => a - b);
  const out: number[] = [];
  for (const rep of reps) {
    const a = of(subject, rep);
    const b = of(base, rep);
    if (a !== null && b !== null) out.push(a / b);
  }
  return out;
}

/** The "## fetch ratios" section: per repetition, then median [min-max], for srv, proc and user CPU per request. */
export function renderFetchRatios(runs: readonly RunRecord[]): string[] {
  const rows: string[] = [];
  for (const [subject, base, scenario] of FETCH_PAIRS) {
    for (const metric of ['srv', 'proc', 'user'] as const) {
      const ratios = pairedRatios(runs, subject, base, scenario, metric);
      const s = computeSpread(ratios);
      if (s === null) continue;
      rows.push(`| ${subject} / ${base} | ${metric} | ${ratios.map((r) => r.toFixed(2)).join(', ')} | ${s.median.toFixed(2)} | ` +
        `${s.min.toFixed(2)}-${s.max.toFixed(2)} |`);
    }
  }
  if (rows.length === 0) return [];
  return ['## fetch ratios (CPU µs per request, paired within each repetition)', '',
    'srv = the server core\'s busy time, proc = the server process\'s own user + system time, user = its user time.', '',
    '| subject / base | CPU | each rep | median | min-max |', '|---|---|---|---|---|', ...rows, ''];
}
