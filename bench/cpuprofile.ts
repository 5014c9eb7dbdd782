// Self time from a V8 .cpuprofile (`node --cpu-prof`): sampled JS frames only, without 0x's --prof log writes,
// so it complements the 0x top list, which shows native frames but includes the profiler's own cost.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SelfTime } from './self-time.js';

/** The parts of a .cpuprofile document the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Preload that turns SIGINT/SIGTERM into a normal exit, so node writes the profile (a signal death would not). */
export const EXIT_ON_SIGNAL = 'data:text/javascript,for(const s of ["SIGINT","SIGTERM"])process.once(s,()=>process.exit(0))';

/** Node flags that write a .cpuprofile into `dir` when the process exits. */
export function buildCpuProfArgs(dir: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', EXIT_ON_SIGNAL];
}

/** V8's pseudo-frame for time spent waiting in the event loop: not work, so left out of the shares. */
export const IDLE_FRAME = '(idle)';

/** Folds sampled time per function (`name url:line`, 1-based line) and returns the `limit` largest, weight in µs;
 * idle time is excluded, so shares are of busy time. */
export function summarizeCpuProfile(p: CpuProfile, limit = 15): SelfTime[] {
  const names = new Map<number, string>();
  for (const n of p.nodes) {
    const f = n.callFrame;
    const where = f.url ? ` ${f.url.replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : '';
    names.set(n.id, `${f.functionName || '(anonymous)'}${where}`);
  }
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = Math.max(0, p.timeDeltas[i] ?? 0);
    const name = names.get(id) ?? `(unknown node ${id})`;
    if (name === IDLE_FRAME) return;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .map(([name, weight]) => ({ name, weight, fraction: total > 0 ? weight / total : 0 }))
    .sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** Reads the newest .cpuprofile in `dir`, or null when node wrote none. */
export function readNewestCpuProfile(dir: string): CpuProfile | null {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const last = files[files.length - 1];
  return last ? (JSON.parse(readFileSync(join(dir, last), 'utf8')) as CpuProfile) : null;
}
