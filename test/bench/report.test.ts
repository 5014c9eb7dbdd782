import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from '../../bench/load.js';
import { computeMbps, formatLatency, formatMicros, formatRate, formatSpread, renderMarkdown, renderRow, singleProcessTarget, summarizeRuns, TABLE_HEADER, writeReport,
  type BenchReport, type RunRecord } from '../../bench/report.js';
import type { TargetRole } from '../../bench/targets.js';

const load = (requests: number, extra: Partial<LoadResult> = {}): LoadResult => ({ requests, durationS: 1, bytes: requests * 100,
  p50Us: 100, p99Us: 1000, errors: 0, dropped: 0, non2xx: 0, detail: {}, failed: null, ...extra });
const run = (target: string, role: TargetRole, scenario: string, rep: number, l: LoadResult, metric: 'rps' | 'MBps' = 'rps'): RunRecord => ({
  rep, target, role, group: 'hello', scenario, metric, load: l,
  cpu: { serverBusy: 0.9, clientBusy: 0.5, serverSteal: 0, serverUsPerReq: 1e6 / l.requests, userUsPerReq: 5e5 / l.requests } });

const RUNS: RunRecord[] = [
  run('sluice-hello', 'subject', 'hello-ka-c64', 1, load(60_000)), run('node-hello', 'node', 'hello-ka-c64', 1, load(30_000)),
  run('nginx-hello', 'nginx', 'hello-ka-c64', 1, load(90_000)),
  run('sluice-hello', 'subject', 'hello-ka-c64', 2, load(40_000, { errors: 2, dropped: 3, non2xx: 1 })), run('node-hello', 'node', 'hello-ka-c64', 2, load(20_000)),
  run('nginx-hello', 'nginx', 'hello-ka-c64', 2, load(80_000)),
  run('sluice-hello', 'subject', 'hello-ka-c64', 3, load(50_000)), run('node-hello', 'node', 'hello-ka-c64', 3, load(25_000)),
  run('nginx-hello', 'nginx', 'hello-ka-c64', 3, load(0, { failed: 'wrk crashed' })),
];

test('summarizeRuns takes medians over repetitions and ratios of medians', (t) => {
  const rows = summarizeRuns(RUNS);
  t.deepEqual(rows.map((r) => r.target), ['sluice-hello', 'node-hello', 'nginx-hello']);
  const sluice = rows[0]!;
  t.is(sluice.n, 3);
  t.is(sluice.rps!.median, 50_000);
  t.is(sluice.rps!.lowFraction, -0.2);
  t.is(sluice.vsNode, 2);
  t.is(sluice.vsNginx, 50_000 / 85_000);
  t.is(sluice.errors, 2);
  t.is(sluice.dropped, 3);
  t.is(sluice.non2xx, 1);
  t.is(sluice.serverUsPerReq, 20);
});

test('summarizeRuns leaves failed loads out of the medians', (t) => {
  const nginx = summarizeRuns(RUNS).find((r) => r.target === 'nginx-hello')!;
  t.is(nginx.n, 2);
  t.is(nginx.rps!.median, 85_000);
  t.is(nginx.vsNginx, 1);
});

test('summarizeRuns compares byte scenarios on MB/s and has no ratio without a baseline', (t) => {
  const rows = summarizeRuns([
    run('sluice-static', 'subject', 'static-file1m-c16', 1, load(10, { bytes: 2 * 1048576 }), 'MBps'),
    run('node-static', 'node', 'static-file1m-c16', 1, load(40, { bytes: 1048576 }), 'MBps'),
  ]);
  t.is(rows[0]!.vsNode, 2);
  t.is(rows[0]!.vsNginx, null);
});

test('computeMbps is MiB per second and zero for an empty run', (t) => {
  t.is(computeMbps(load(1, { bytes: 3 * 1048576, durationS: 2 })), 1.5);
  t.is(computeMbps(load(1, { durationS: 0 })), 0);
});

const rate = test.macro((t, v: number, s: string) => t.is(formatRate(v), s));
test('formatRate groups thousands', rate, 31360.4, '31,360');
test('formatRate abbreviates millions', rate, 1_047_052, '1.05M');
test('formatRate keeps decimals for slow byte scenarios', rate, 0.4166, '0.42');
test('formatRate keeps one decimal below 100', rate, 42.66, '42.7');

test('formatMicros keeps one decimal for small costs and groups large ones', (t) => {
  t.is(formatMicros(31.94), '31.9');
  t.is(formatMicros(2_910_000), '2,910,000');
  t.is(formatMicros(null), '-');
});

const latency = test.macro((t, v: number | null, s: string) => t.is(formatLatency(v), s));
test('formatLatency shows microseconds below 1 ms', latency, 78.4, '78us');
test('formatLatency shows milliseconds below 1 s', latency, 1180, '1.18ms');
test('formatLatency shows seconds above 1 s', latency, 6_757_680, '6.76s');
test('formatLatency shows n/a for an unmeasurable latency', latency, null, 'n/a');

test('formatSpread shows signed percentages, and a dash for one repetition', (t) => {
  t.is(formatSpread({ n: 3, median: 100, min: 75, max: 114, lowFraction: -0.25, highFraction: 0.14 }), '-25/+14%');
  t.is(formatSpread({ n: 1, median: 1, min: 1, max: 1, lowFraction: 0, highFraction: 0 }), '-');
  t.is(formatSpread(null), '-');
});

test('renderRow has one cell per header column', (t) => {
  const row = renderRow(summarizeRuns(RUNS)[0]!);
  t.is(row.split(' | ').length, TABLE_HEADER.length);
  t.true(row.startsWith('| sluice-hello | hello-ka-c64 | 3 | 50,000 | -20/+20% | 100us | 1.00ms |'));
  t.true(row.endsWith('| 2.00 | 0.59 | - | 90/50 | 2 | 3 | 1 |'));
});

const REPORT: BenchReport = { startedAt: '2026-11-23T19:41:24.064Z', mode: 'quick', reps: 1, durationS: 3,
  machine: { nproc: 2, model: 'AMD EPYC', kernel: '6.18', os: 'Debian 12', node: 'v20', wrk: 'wrk 4.1.0', nginx: 'nginx/1.22.1', serverCore: 1, clientCore: 0, loadAtStart: 0.2 },
  rows: summarizeRuns(RUNS), runs: RUNS, skips: [{ target: 'sluice-static', scenario: null, kind: 'unavailable', reason: 'not built yet', times: 1 },
    { target: 'sluice-gzip', scenario: 'gzip-json-c16', kind: 'wrong-response', reason: 'no gzip', times: 3 }],
  conduit: { kind: 'unavailable', reason: 'not built yet (dist/bench/conduit.js missing)' } };

test('renderMarkdown shows the machine, the group table, the skips and the conduit status', (t) => {
  const md = renderMarkdown(REPORT);
  t.true(md.includes('2 x AMD EPYC, Debian 12, Linux 6.18, Node v20, wrk 4.1.0, nginx nginx/1.22.1.'));
  t.true(md.includes('Server pinned to CPU 1, clients to CPU 0.'));
  t.true(md.includes('## hello'));
  t.false(md.includes('## static'));
  t.true(md.includes('- sluice-static: unavailable: not built yet'));
  t.true(md.includes('- sluice-gzip / gzip-json-c16: wrong-response (x3): no gzip'));
  t.true(md.includes('not available: not built yet (dist/bench/conduit.js missing)'));
});

test('renderMarkdown warns when the machine was busy at the start', (t) => {
  t.false(renderMarkdown(REPORT).includes('Warning: load average'));
  const md = renderMarkdown({ ...REPORT, machine: { ...REPORT.machine, loadAtStart: 11.8 } });
  t.true(md.includes('Warning: load average 11.8 on 2 core(s) when the run started'));
});

test('renderMarkdown lists conduit figures when the micro-bench ran', (t) => {
  const md = renderMarkdown({ ...REPORT, conduit: { kind: 'ok', nsPerElement: { 'map x3': 12.345 } } });
  t.true(md.includes('| map x3 | 12.3 |'));
});

test('renderMarkdown shows each prefork run\'s spread over workers and its CPU against the single-process twin', (t) => {
  const runs: RunRecord[] = [
    { ...run('sluice-static', 'subject', 'static-ka-c64', 1, load(10_000)) },
    { ...run('sluice-static-w2', 'subject', 'static-ka-c64', 1, load(8_000)), workerConns: [30, 34] },
    { ...run('sluice-static-w2', 'subject', 'static-ka-c64', 2, load(8_000)), workerConns: [0, 0] },
  ];
  const md = renderMarkdown({ ...REPORT, runs, rows: summarizeRuns(runs) });
  t.true(md.includes('## prefork workers'));
  t.true(md.includes('| sluice-static-w2 | static-ka-c64 | 30/34 (47/53%), 0/0 | 125 | sluice-static 100 | 1.25 |'));
  t.false(renderMarkdown(REPORT).includes('## prefork workers'));
});

test('singleProcessTarget drops the worker-count suffix', (t) => {
  t.is(singleProcessTarget('sluice-static-w2'), 'sluice-static');
  t.is(singleProcessTarget('sluice-static'), 'sluice-static');
});

test('writeReport writes latest and timestamped copies of the Markdown and the JSON', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'report-test-'));
  const files = writeReport(dir, REPORT);
  t.deepEqual(files.map((f) => f.slice(dir.length + 1)), ['latest.md', 'latest.json', '2026-11-23T19-41-24-064Z.md', '2026-11-23T19-41-24-064Z.json']);
  t.deepEqual(JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')).rows[0].target, 'sluice-hello');
  t.is(readFileSync(join(dir, 'latest.md'), 'utf8'), renderMarkdown(REPORT));
});

test('a WebSocket row compares server CPU per message with the same run uWebSockets.js and ws (lower is better)', (t) => {
  const base = RUNS[0]!;
  const run = (target: string, role: RunRecord['role'], usPerMsg: number, messages: number): RunRecord => ({
    ...base, target, role, group: 'ws', scenario: 'ws-echo64-c100', metric: 'cpuPerMsg',
    load: { ...base.load, requests: messages }, cpu: { ...base.cpu, serverUsPerReq: usPerMsg },
  });
  const rows = summarizeRuns([run('sluice-ws', 'subject', 6, 100_000), run('uws-ws', 'uws', 5, 120_000), run('ws-ws', 'node', 20, 40_000)]);
  const sluice = rows.find((r) => r.target === 'sluice-ws')!;
  t.is(sluice.vsUws, 1.2);
  t.is(sluice.vsNode, 0.3);
  t.regex(renderMarkdown({ ...REPORT, rows, runs: [] }), /## ws\n\nreq\/s = messages\/s/);
});
