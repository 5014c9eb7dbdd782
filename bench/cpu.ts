// CPU accounting from /proc: the server core's busy time (/proc/stat) and the server process tree's user time
// (/proc/<pid>/stat). Core busy time stays valid when the client saturates its own core; it includes kernel work.
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Jiffies of one CPU line of /proc/stat. */
export interface CoreTimes {
  total: number;
  idle: number;
  steal: number;
}

/** utime/stime of one process, with its reaped children's (cutime/cstime), in clock ticks. */
export interface ProcTimes {
  pid: number;
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

/** Busy and steal fractions of a core over an interval, plus the busy time in microseconds. */
export interface CoreUsage {
  busy: number;
  steal: number;
  busyUs: number;
}

/** Clock ticks per second (USER_HZ); /proc times are in these units. */
export const CLK_TCK = readClockTicks();

function readClockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** Parses /proc/stat into per-core times keyed by core number (the aggregate "cpu" line is skipped). */
export function parseProcStat(text: string): Map<number, CoreTimes> {
  const cores = new Map<number, CoreTimes>();
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    // user nice system idle iowait irq softirq steal [guest guest_nice: already counted in user/nice]
    const f = m[2]!.trim().split(/\s+/).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
    cores.set(Number(m[1]), { total, idle: (f[3] ?? 0) + (f[4] ?? 0), steal: f[7] ?? 0 });
  }
  return cores;
}

/** Computes a core's usage between two snapshots; `tck` converts jiffies to seconds. */
export function computeCoreUsage(before: CoreTimes, after: CoreTimes, tck = CLK_TCK): CoreUsage {
  const total = after.total - before.total;
  if (total <= 0) return { busy: 0, steal: 0, busyUs: 0 };
  const busyJiffies = total - (after.idle - before.idle);
  return { busy: busyJiffies / total, steal: (after.steal - before.steal) / total, busyUs: (busyJiffies * 1e6) / tck };
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so fields count from the last ')'. */
export function parsePidStat(text: string): ProcTimes {
  const close = text.lastIndexOf(')');
  if (close < 0) throw Object.assign(new Error('malformed /proc/<pid>/stat'), { code: 'BAD_PROC_STAT' });
  const pid = Number(text.slice(0, text.indexOf('(')).trim());
  const f = text.slice(close + 2).trim().split(/\s+/);
  // After ')': state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17), numbered as in proc(5).
  const at = (field: number): number => Number(f[field - 3]);
  if (f.length < 15) throw Object.assign(new Error('short /proc/<pid>/stat'), { code: 'BAD_PROC_STAT' });
  return { pid, ppid: at(4), utime: at(14), stime: at(15), cutime: at(16), cstime: at(17) };
}

/** Picks `root` and all its descendants out of a process list. */
export function selectTree(procs: ProcTimes[], root: number): ProcTimes[] {
  const byParent = new Map<number, ProcTimes[]>();
  for (const p of procs) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out = procs.filter((p) => p.pid === root);
  for (let i = 0; i < out.length; i++) out.push(...(byParent.get(out[i]!.pid) ?? []));
  return out;
}

/** Sums user ticks over a process tree, counting reaped children (cutime) too. */
export function sumUserTicks(tree: ProcTimes[]): number {
  return tree.reduce((a, p) => a + p.utime + p.cutime, 0);
}

/** Sums user and system ticks over a process tree, reaped children included: the tree's own CPU time. Unlike a core's
 * busy time it leaves out whatever else ran on that core, and its total is the scheduler's exact runtime (only the
 * user/system split is sampled per tick). */
export function sumCpuTicks(tree: ProcTimes[]): number {
  return tree.reduce((a, p) => a + p.utime + p.stime + p.cutime + p.cstime, 0);
}

/** Reads the per-core times now. */
export function readCoreTimes(): Map<number, CoreTimes> {
  return parseProcStat(readFileSync('/proc/stat', 'utf8'));
}

/** Reads every live process's times (processes that vanish mid-scan are skipped). */
export function readAllProcTimes(): ProcTimes[] {
  const out: ProcTimes[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      out.push(parsePidStat(readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch {
      // raced with exit
    }
  }
  return out;
}

/** A before/after CPU sample around one load run. */
export interface CpuSample {
  cores: Map<number, CoreTimes>;
  userTicks: number;
  /** User + system ticks of the tree (absent in samples that did not read them). */
  cpuTicks?: number;
}

/** Samples the cores and the user time of the tree rooted at `pid`. */
export function sampleCpu(pid: number): CpuSample {
  const tree = selectTree(readAllProcTimes(), pid);
  return { cores: readCoreTimes(), userTicks: sumUserTicks(tree), cpuTicks: sumCpuTicks(tree) };
}

/** CPU figures of one load run. */
export interface CpuFigures {
  serverCore: CoreUsage;
  clientCore: CoreUsage;
  userUs: number;
  /** The tree's user + system µs, or null when a sample lacks them. */
  procUs: number | null;
}

/** Turns two samples into the server core's and client core's usage and the process tree's user microseconds. */
export function diffCpu(before: CpuSample, after: CpuSample, serverCore: number, clientCore: number, tck = CLK_TCK): CpuFigures {
  const usage = (core: number): CoreUsage => {
    const b = before.cores.get(core);
    const a = after.cores.get(core);
    return b && a ? computeCoreUsage(b, a, tck) : { busy: 0, steal: 0, busyUs: 0 };
  };
  const procUs = before.cpuTicks === undefined || after.cpuTicks === undefined ? null : ((after.cpuTicks - before.cpuTicks) * 1e6) / tck;
  return { serverCore: usage(serverCore), clientCore: usage(clientCore), userUs: ((after.userTicks - before.userTicks) * 1e6) / tck, procUs };
}

/** Microseconds per request, or null when there were no requests. */
export function computeMicrosPerRequest(us: number, requests: number): number | null {
  return requests > 0 ? us / requests : null;
}
