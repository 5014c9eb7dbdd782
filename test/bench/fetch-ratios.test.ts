import test from 'ava';
import type { LoadResult } from '../../bench/load.js';
import { pairedRatios, renderFetchRatios } from '../../bench/fetch-ratios.js';
import { diffCpu, sumCpuTicks, type CpuSample } from '../../bench/cpu.js';
import type { RunRecord } from '../../bench/report.js';

const load = (failed: string | null = null): LoadResult => ({ requests: 1000, durationS: 1, bytes: 0, p50Us: null, p99Us: null,
  errors: 0, dropped: 0, non2xx: 0, detail: {}, failed });
const run = (target: string, rep: number, srv: number, proc: number | undefined, failed: string | null = null): RunRecord => ({
  rep, target, role: 'subject', group: 'fetch', scenario: 'fetch-hono-json-ka-c64', metric: 'rps', load: load(failed),
  cpu: { serverBusy: 1, clientBusy: 1, serverSteal: 0, serverUsPerReq: srv, userUsPerReq: srv / 2, ...(proc === undefined ? {} : { procUsPerReq: proc }) } });

test('pairedRatios divides within each repetition, leaving out reps where either side failed or lacks the figure', (t) => {
  const runs = [
    run('sluice-hono', 1, 6, 5), run('hono-node-hono', 1, 12, 12.5),
    run('sluice-hono', 2, 30, 5.5), run('hono-node-hono', 2, 15, 11),
    run('sluice-hono', 3, 6, 5), run('hono-node-hono', 3, 12, 10, 'wrk crashed'),
    run('sluice-hono', 4, 6, undefined), run('hono-node-hono', 4, 12, undefined),
  ];
  t.deepEqual(pairedRatios(runs, 'sluice-hono', 'hono-node-hono', 'fetch-hono-json-ka-c64', 'srv'), [0.5, 2, 0.5]);
  t.deepEqual(pairedRatios(runs, 'sluice-hono', 'hono-node-hono', 'fetch-hono-json-ka-c64', 'proc'), [0.4, 0.5]);
  t.deepEqual(pairedRatios(runs, 'sluice-hono', 'hono-node-hono', 'fetch-hello-ka-c64', 'srv'), []);
});

test('renderFetchRatios shows each repetition, the median and the range, and nothing without fetch runs', (t) => {
  const text = renderFetchRatios([run('sluice-hono', 1, 6, 5), run('hono-node-hono', 1, 12, 10), run('sluice-hono', 2, 9, 6), run('hono-node-hono', 2, 10, 10)]).join('\n');
  t.regex(text, /\| sluice-hono \/ hono-node-hono \| srv \| 0\.50, 0\.90 \| 0\.70 \| 0\.50-0\.90 \|/);
  t.regex(text, /\| sluice-hono \/ hono-node-hono \| proc \| 0\.50, 0\.60 \| 0\.55 \| 0\.50-0\.60 \|/);
  t.deepEqual(renderFetchRatios([]), []);
});

test('the process tree\'s own CPU counts user and system time, reaped children included', (t) => {
  t.is(sumCpuTicks([{ pid: 1, ppid: 0, utime: 10, stime: 5, cutime: 2, cstime: 1 }]), 18);
  const core = new Map([[0, { total: 0, idle: 0, steal: 0 }], [1, { total: 0, idle: 0, steal: 0 }]]);
  const before: CpuSample = { cores: core, userTicks: 10, cpuTicks: 15 };
  const after: CpuSample = { cores: core, userTicks: 60, cpuTicks: 95 };
  t.is(diffCpu(before, after, 1, 0, 100).procUs, 800_000);
  t.is(diffCpu({ cores: core, userTicks: 0 }, after, 1, 0, 100).procUs, null);
});
