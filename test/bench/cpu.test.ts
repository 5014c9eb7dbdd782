import test from 'ava';
import { computeCoreUsage, computeMicrosPerRequest, diffCpu, parsePidStat, parseProcStat, selectTree, sumUserTicks,
  type CpuSample, type ProcTimes } from '../../bench/cpu.js';

const PROC_STAT = `cpu  300 0 100 1000 10 0 5 2 0 0
cpu0 100 0 50 600 5 0 2 1 7 0
cpu1 200 0 50 400 5 0 3 1 0 0
intr 12345
ctxt 999
`;

test('parseProcStat reads each core and skips the aggregate line', (t) => {
  const cores = parseProcStat(PROC_STAT);
  t.deepEqual([...cores.keys()], [0, 1]);
  // total = user+nice+system+idle+iowait+irq+softirq+steal; guest is already inside user
  t.deepEqual(cores.get(0), { total: 758, idle: 605, steal: 1 });
  t.deepEqual(cores.get(1), { total: 659, idle: 405, steal: 1 });
});

test('computeCoreUsage counts iowait as idle and converts busy jiffies to microseconds', (t) => {
  const u = computeCoreUsage({ total: 1000, idle: 500, steal: 0 }, { total: 1200, idle: 550, steal: 10 }, 100);
  t.is(u.busy, 0.75);
  t.is(u.steal, 0.05);
  t.is(u.busyUs, 1_500_000); // 150 busy jiffies at 100 Hz
});

test('computeCoreUsage of an empty interval is zero, not NaN', (t) => {
  t.deepEqual(computeCoreUsage({ total: 5, idle: 1, steal: 0 }, { total: 5, idle: 1, steal: 0 }, 100), { busy: 0, steal: 0, busyUs: 0 });
});

test('parsePidStat counts fields from the last parenthesis of the command name', (t) => {
  const line = '4242 (my (odd) srv) S 17 4242 4242 0 -1 4194560 500 0 0 0 123 45 6 7 20 0 1 0 100 1000 50 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
  t.deepEqual(parsePidStat(line), { pid: 4242, ppid: 17, utime: 123, stime: 45, cutime: 6, cstime: 7 });
});

test('parsePidStat rejects malformed text', (t) => {
  t.is((t.throws(() => parsePidStat('garbage')) as Error & { code?: string }).code, 'BAD_PROC_STAT');
  t.is((t.throws(() => parsePidStat('1 (x) S 0 1')) as Error & { code?: string }).code, 'BAD_PROC_STAT');
});

const proc = (pid: number, ppid: number, utime: number, cutime = 0): ProcTimes => ({ pid, ppid, utime, stime: 0, cutime, cstime: 0 });

test('selectTree returns the root and all descendants, not siblings', (t) => {
  const procs = [proc(1, 0, 0), proc(10, 1, 0), proc(11, 10, 0), proc(12, 10, 0), proc(20, 1, 0), proc(13, 11, 0)];
  t.deepEqual(selectTree(procs, 10).map((p) => p.pid).sort((a, b) => a - b), [10, 11, 12, 13]);
  t.deepEqual(selectTree(procs, 99), []);
});

test('sumUserTicks includes reaped children through cutime', (t) => {
  t.is(sumUserTicks([proc(10, 1, 100, 30), proc(11, 10, 50)]), 180);
});

test('diffCpu reports the server and client cores and the tree\'s user time', (t) => {
  const before: CpuSample = { cores: new Map([[0, { total: 0, idle: 0, steal: 0 }], [1, { total: 0, idle: 0, steal: 0 }]]), userTicks: 10 };
  const after: CpuSample = { cores: new Map([[0, { total: 100, idle: 90, steal: 0 }], [1, { total: 100, idle: 20, steal: 0 }]]), userTicks: 60 };
  const d = diffCpu(before, after, 1, 0, 100);
  t.is(d.serverCore.busy, 0.8);
  t.is(d.clientCore.busy, 0.1);
  t.is(d.userUs, 500_000);
  t.is(d.serverCore.busyUs, 800_000);
});

test('diffCpu reports zero for a core missing from a sample', (t) => {
  const s: CpuSample = { cores: new Map(), userTicks: 0 };
  t.deepEqual(diffCpu(s, s, 1, 0, 100).serverCore, { busy: 0, steal: 0, busyUs: 0 });
});

test('computeMicrosPerRequest divides, and is null without requests', (t) => {
  t.is(computeMicrosPerRequest(800_000, 25_000), 32);
  t.is(computeMicrosPerRequest(800_000, 0), null);
});
