// Results: per-run records -> per (target, scenario) medians, spreads and ratios -> Markdown table and JSON.
// Ratios divide medians measured in the same run, never figures from another run or machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load.js';
import { describeLoad, type MachineInfo } from './machine.js';
import type { ScenarioGroup, ScenarioMetric } from './scenarios.js';
import { computeMedianOrNull, computeSpread, type Spread } from './stats.js';
import { formatWorkerShare } from './worker-share.js';
import { renderFetchRatios } from './fetch-ratios.js';
import type { TargetRole } from './targets.js';

/** CPU figures of one run, per request (µs) and as core busy fractions. */
export interface RunCpu {
  serverBusy: number;
  clientBusy: number;
  serverSteal: number;
  serverUsPerReq: number | null;
  userUsPerReq: number | null;
  /** The server process tree's own CPU (user + system) per request; absent in older reports. */
  procUsPerReq?: number | null;
}

/** One load run of one target in one scenario. */
export interface RunRecord {
  rep: number;
  target: string;
  role: TargetRole;
  group: ScenarioGroup;
  scenario: string;
  metric: ScenarioMetric;
  load: LoadResult;
  cpu: RunCpu;
  /** Connections each prefork worker held halfway through the load (prefork targets only). */
  workerConns?: number[];
}

/** A target or scenario that was not measured, and why. */
export interface SkipRecord {
  target: string;
  scenario: string | null;
  kind: 'unavailable' | 'failed' | 'wrong-response' | 'load-failed';
  /** The first occurrence's reason (later ones differ only in details such as the port). */
  reason: string;
  /** How many starts or runs hit it. */
  times: number;
}

/** Summary of one (target, scenario) over its repetitions. */
export interface Row {
  target: string;
  role: TargetRole;
  group: ScenarioGroup;
  scenario: string;
  metric: ScenarioMetric;
  n: number;
  rps: Spread | null;
  mbps: Spread | null;
  /** Server RSS growth per idle connection (memory scenarios), KiB. */
  kibPerConn: Spread | null;
  /** Server RSS before and with the connections open (memory scenarios), KiB medians. */
  baselineKiB: number | null;
  loadedKiB: number | null;
  p50Us: number | null;
  p99Us: number | null;
  serverUsPerReq: number | null;
  userUsPerReq: number | null;
  /** The server process tree's own CPU (user + system) per request: unlike srv, nothing else on its core counts. */
  procUsPerReq: number | null;
  serverBusy: number | null;
  clientBusy: number | null;
  vsNode: number | null;
  vsNginx: number | null;
  /** Against uWebSockets.js in the same run. */
  vsUws: number | null;
  errors: number;
  dropped: number;
  non2xx: number;
}

/** Everything one bench run produced. */
export interface BenchReport {
  startedAt: string;
  mode: 'quick' | 'full';
  reps: number;
  durationS: number;
  machine: MachineInfo;
  rows: Row[];
  runs: RunRecord[];
  skips: SkipRecord[];
  conduit: { kind: 'ok'; nsPerElement: Record<string, number> } | { kind: 'unavailable'; reason: string };
}

/** MiB per second moved by a run (responses' bytes, headers included). */
export function computeMbps(load: LoadResult): number {
  return load.durationS > 0 ? load.bytes / load.durationS / 1048576 : 0;
}

/** Requests (responses) per second of a run. */
export function computeRps(load: LoadResult): number {
  return load.durationS > 0 ? load.requests / load.durationS : 0;
}

/** Groups runs by (target, scenario), in first-seen order, and computes medians, spreads and ratios. */
export function summarizeRuns(runs: readonly RunRecord[]): Row[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    if (r.load.failed !== null) continue;
    const key = `${r.target}\u0000${r.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: Row[] = [...groups.values()].map((rs) => {
    const first = rs[0]!;
    return {
      target: first.target, role: first.role, group: first.group, scenario: first.scenario, metric: first.metric, n: rs.length,
      rps: computeSpread(rs.map((r) => computeRps(r.load))), mbps: computeSpread(rs.map((r) => computeMbps(r.load))),
      kibPerConn: first.metric === 'KiBperConn' ? computeSpread(rs.map((r) => r.load.detail.kibPerConn ?? 0)) : null,
      baselineKiB: computeMedianOrNull(rs.map((r) => r.load.detail.baselineKiB ?? null)),
      loadedKiB: computeMedianOrNull(rs.map((r) => r.load.detail.loadedKiB ?? null)),
      p50Us: computeMedianOrNull(rs.map((r) => r.load.p50Us)), p99Us: computeMedianOrNull(rs.map((r) => r.load.p99Us)),
      serverUsPerReq: computeMedianOrNull(rs.map((r) => r.cpu.serverUsPerReq)), userUsPerReq: computeMedianOrNull(rs.map((r) => r.cpu.userUsPerReq)),
      procUsPerReq: computeMedianOrNull(rs.map((r) => r.cpu.procUsPerReq ?? null)),
      serverBusy: computeMedianOrNull(rs.map((r) => r.cpu.serverBusy)), clientBusy: computeMedianOrNull(rs.map((r) => r.cpu.clientBusy)),
      vsNode: null, vsNginx: null, vsUws: null,
      errors: rs.reduce((a, r) => a + r.load.errors, 0), dropped: rs.reduce((a, r) => a + r.load.dropped, 0),
      non2xx: rs.reduce((a, r) => a + r.load.non2xx, 0),
    };
  });
  // CPU per message is a row's own median, not a spread of rates: its ratio compares those medians.
  const headline = (row: Row): number | null => (row.metric === 'cpuPerMsg' ? row.serverUsPerReq : headlineOf(row)?.median ?? null);
  const ratio = (row: Row, role: TargetRole): number | null => {
    const base = rows.find((b) => b.role === role && b.group === row.group && b.scenario === row.scenario);
    const v = headline(row);
    const bv = base ? headline(base) : null;
    return v !== null && bv !== null && bv > 0 ? v / bv : null;
  };
  for (const row of rows) {
    row.vsNode = ratio(row, 'node');
    row.vsNginx = ratio(row, 'nginx');
    row.vsUws = ratio(row, 'uws');
  }
  return rows;
}

/** The figure a row's ratios are taken on: req/s, MB/s, or KiB per idle connection (there, lower is better). */
function headlineOf(row: Row): Spread | null {
  return row.metric === 'MBps' ? row.mbps : row.metric === 'KiBperConn' ? row.kibPerConn : row.rps;
}

/** 31,360 / 1.05M / 0.42 style request rates (decimals only where whole numbers would hide the rate). */
export function formatRate(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v < 10) return v.toFixed(2);
  return v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
}

/** CPU microseconds: one decimal below 100, grouped whole numbers above ("2,910,000" for a 64 MiB echo). */
export function formatMicros(v: number | null): string {
  if (v === null) return '-';
  return v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
}

/** 78us / 1.18ms / 6.76s style latencies. */
export function formatLatency(us: number | null): string {
  if (us === null) return 'n/a';
  if (us >= 1e6) return `${(us / 1e6).toFixed(2)}s`;
  return us >= 1000 ? `${(us / 1000).toFixed(2)}ms` : `${Math.round(us)}us`;
}

/** "-25/+14%" spread of the headline figure. */
export function formatSpread(s: Spread | null): string {
  if (s === null || s.n < 2) return '-';
  const pct = (f: number): string => `${f >= 0 ? '+' : '-'}${Math.abs(Math.round(f * 100))}`;
  return `${pct(s.lowFraction)}/${pct(s.highFraction)}%`;
}

const fixed = (v: number | null, digits: number, suffix = ''): string => (v === null ? '-' : `${v.toFixed(digits)}${suffix}`);
const pctPair = (a: number | null, b: number | null): string => (a === null || b === null ? '-' : `${Math.round(a * 100)}/${Math.round(b * 100)}`);

/** Column headers of the results table (see docs/bench.md for their meaning). */
export const TABLE_HEADER = ['target', 'scenario', 'n', 'req/s', 'spread', 'p50', 'p99', 'MB/s', 'srv µs/req', 'user µs/req',
  'proc µs/req', 'x node', 'x nginx', 'x uws', 'cpu srv/cli %', 'errors', 'dropped', 'non-2xx'];

/** Renders one row of the results table. */
export function renderRow(r: Row): string {
  const headline = headlineOf(r);
  const cells = [r.target, r.scenario, String(r.n), r.rps ? formatRate(r.rps.median) : '-', formatSpread(headline),
    formatLatency(r.p50Us), formatLatency(r.p99Us), fixed(r.mbps?.median ?? null, r.mbps && r.mbps.median < 10 ? 1 : 0),
    formatMicros(r.serverUsPerReq), formatMicros(r.userUsPerReq), formatMicros(r.procUsPerReq), fixed(r.vsNode, 2), fixed(r.vsNginx, 2), fixed(r.vsUws, 2),
    pctPair(r.serverBusy, r.clientBusy), String(r.errors), String(r.dropped), String(r.non2xx)];
  return `| ${cells.join(' | ')} |`;
}

/** Renders the whole report as Markdown: machine, one table per group, skips, conduit micro-bench. */
export function renderMarkdown(rep: BenchReport): string {
  const m = rep.machine;
  const out = [`# Sluice bench: ${rep.startedAt} (${rep.mode}: ${rep.reps} rep(s) x ${rep.durationS} s)`, '',
    `${m.nproc} x ${m.model}, ${m.os}, Linux ${m.kernel}, Node ${m.node}, ${m.wrk}, nginx ${m.nginx}.`,
    m.serverCore === null ? 'One core: server and client share it, so CPU µs/req include the client.'
      : `Server pinned to CPU ${m.serverCore}, clients to CPU ${m.clientCore}.`, ''];
  const busy = describeLoad(m.loadAtStart, m.nproc);
  if (busy !== null) out.push(busy, '');
  for (const group of ['hello', 'static', 'gzip', 'echo', 'fetch', 'ws', 'lb'] as const) {
    const rows = rep.rows.filter((r) => r.group === group && r.metric !== 'KiBperConn');
    if (rows.length === 0) continue;
    // WebSocket rows: req/s is messages/s, srv µs/req is server CPU per message, and the ratios are of that CPU
    // (x node = against ws): lower is better.
    const note = group === 'ws' ? ['req/s = messages/s; srv µs/req = server CPU µs per message; x node (ws) and x uws compare that CPU (lower is better).', '']
      : group === 'lb' ? ['Behind one HAProxy (mode tcp, send-proxy-v2) that shares the server core: srv µs/req includes HAProxy\'s share.', ''] : [];
    out.push(`## ${group}`, '', ...note, `| ${TABLE_HEADER.join(' | ')} |`, `|${'---|'.repeat(TABLE_HEADER.length)}`, ...rows.map(renderRow), '');
  }
  out.push(...renderMemory(rep));
  out.push(...renderWorkers(rep));
  out.push(...renderFetchRatios(rep.runs));
  if (rep.skips.length > 0) {
    out.push('## Not measured', '');
    for (const s of rep.skips) out.push(`- ${s.target}${s.scenario ? ` / ${s.scenario}` : ''}: ${s.kind}${s.times > 1 ? ` (x${s.times})` : ''}: ${s.reason}`);
    out.push('');
  }
  out.push('## conduit micro-bench (ns/element)', '');
  if (rep.conduit.kind === 'ok') {
    out.push('| stage | ns/element |', '|---|---|', ...Object.entries(rep.conduit.nsPerElement).map(([k, v]) => `| ${k} | ${v.toFixed(1)} |`));
  } else {
    out.push(`not available: ${rep.conduit.reason}`);
  }
  return out.join('\n') + '\n';
}

/** The memory section: server RSS per idle keep-alive connection; its ratios are RSS over the baseline's (lower is better). */
function renderMemory(rep: BenchReport): string[] {
  const rows = rep.rows.filter((r) => r.metric === 'KiBperConn');
  if (rows.length === 0) return [];
  const mib = (kib: number | null): string => fixed(kib === null ? null : kib / 1024, 1);
  const out = ['## memory per idle connection (keep-alive HTTP, or an open WebSocket)', '',
    '| target | scenario | n | connections | spread | RSS before MiB | RSS with them MiB | KiB/conn | x node | x nginx | x uws |', '|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const conns = r.rps === null ? '-' : String(Math.round(rep.runs.find((x) => x.target === r.target && x.scenario === r.scenario)?.load.requests ?? 0));
    out.push(`| ${r.target} | ${r.scenario} | ${r.n} | ${conns} | ${formatSpread(r.kibPerConn)} | ${mib(r.baselineKiB)} | ${mib(r.loadedKiB)} | ` +
      `${fixed(r.kibPerConn?.median ?? null, 2)} | ${fixed(r.vsNode, 2)} | ${fixed(r.vsNginx, 2)} | ${fixed(r.vsUws, 2)} |`);
  }
  out.push('');
  return out;
}

/**
 * The prefork section: per repetition, the connections each worker held mid-load, and the median server CPU per
 * request against the single-process target of the same scenario (`sluice-static-w2` is compared with `sluice-static`).
 */
function renderWorkers(rep: BenchReport): string[] {
  const runs = rep.runs.filter((r) => r.workerConns !== undefined);
  const rowOf = (target: string, scenario: string): Row | undefined => rep.rows.find((x) => x.target === target && x.scenario === scenario);
  const prefork = rep.rows.filter((row) => runs.some((r) => r.target === row.target && r.scenario === row.scenario));
  if (prefork.length === 0) return [];
  const out = ['## prefork workers', '', '| target | scenario | connections per worker, each rep | srv µs/req | single process | ratio |',
    '|---|---|---|---|---|---|'];
  for (const row of prefork) {
    const shares = runs.filter((r) => r.target === row.target && r.scenario === row.scenario).map((r) => formatWorkerShare(r.workerConns));
    const single = singleProcessTarget(row.target);
    const mine = row.serverUsPerReq;
    const base = rowOf(single, row.scenario)?.serverUsPerReq ?? null;
    const ratio = mine !== null && base !== null && base > 0 ? mine / base : null;
    out.push(`| ${row.target} | ${row.scenario} | ${shares.join(', ')} | ${formatMicros(mine)} | ${single} ${formatMicros(base)} | ${fixed(ratio, 2)} |`);
  }
  out.push('');
  return out;
}

/** The single-process twin of a prefork target: its name without the `-w<N>` suffix. */
export function singleProcessTarget(name: string): string {
  return name.replace(/-w\d+$/, '');
}

/** Writes latest.md/latest.json and timestamped copies into `dir`; returns the paths written. */
export function writeReport(dir: string, rep: BenchReport): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = rep.startedAt.replace(/[:.]/g, '-');
  const md = renderMarkdown(rep);
  const json = JSON.stringify(rep, null, 2) + '\n';
  const files: [string, string][] = [['latest.md', md], ['latest.json', json], [`${stamp}.md`, md], [`${stamp}.json`, json]];
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}
