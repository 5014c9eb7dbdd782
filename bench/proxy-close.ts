// What the PROXY protocol costs per connection, end to end: a new connection per request (Connection: close, 64 at a
// time, from bench/handshake-client.js on CPU 0) against the server on CPU 1, with no header (PROXY off), a v1 text header and a v2 binary
// header (PROXY on) sent in the connection's first write, as HAProxy sends them. Sluice (serve({ proxyProtocol })) and
// nginx (`listen ... proxy_protocol`) run side by side, modes interleaved within each rep so that drift hits all alike.
// The figure is the server process's user (and user + system) CPU per connection, and its difference from PROXY off.
// The -deferred targets add TCP_DEFER_ACCEPT (serve({ deferAccept }), nginx's `listen ... deferred`).
//   `npm run bench:proxy-close`   env: REPS=5 DUR=4 WARM=1 TARGETS=<regex>
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock } from './lock.js';
import { CLIENT_CPU, measureAsync, median, startServer, stopServer, type Row, type Target } from './pinned.js';
import { ensureCommand, ensureSetup } from './setup.js';
import { parseResultLine } from './wrk.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = join(tmpdir(), 'sluice-proxy-close-bench');
const LOCK = join(process.env.SLUICE_BENCH_DIR ?? join(tmpdir(), 'sluice-bench'), 'bench.lock');
const PORT = Number(process.env.PORT ?? 18480);
const REPS = Number(process.env.REPS ?? 5);
const DUR = Number(process.env.DUR ?? 4);
const WARM = Number(process.env.WARM ?? 1);
const CONNS = 64;

type Mode = 'off' | 'v1' | 'v2';
const MODES: readonly Mode[] = ['off', 'v1', 'v2'];

/** bench/peers/close-load.c pinned to the client core: a new connection per request, the header in its first write. */
function runClient(bin: string, mode: Mode, seconds: number): Record<string, number> | null {
  const args = ['-c', String(CLIENT_CPU), bin, String(PORT), String(CONNS), String(seconds), mode];
  return parseResultLine(execFileSync('taskset', args, { encoding: 'utf8' }));
}

interface ProxyTarget {
  name: string;
  target(mode: Mode): Target;
}

function targets(): ProxyTarget[] {
  const sluice = join(ROOT, 'dist', 'bench', 'sluice-https.js');
  const template = readFileSync(join(ROOT, 'bench', 'peers', 'nginx.conf'), 'utf8');
  const nginxConf = (mode: Mode, deferred: boolean): string => {
    const conf = join(WORK, `nginx-${mode}${deferred ? '-deferred' : ''}.conf`);
    const listen = `backlog=4096${deferred ? ' deferred' : ''}${mode === 'off' ? '' : ' proxy_protocol'};`;
    // One process (no master): the worker's CPU is then the pid's own, which is what is sampled.
    writeFileSync(conf, template.replace('daemon off;', 'daemon off;\nmaster_process off;').replace('backlog=4096;', listen).replaceAll('@PORT@', String(PORT)).replaceAll('@PREFIX@', WORK).replaceAll('@WWW@', WORK));
    return conf;
  };
  const all: ProxyTarget[] = [
    { name: 'sluice', target: (mode) => ({ name: `sluice-${mode}`, command: [process.execPath, sluice], env: mode === 'off' ? {} : { PROXY_PROTOCOL: '1' } }) },
    { name: 'nginx', target: (mode) => ({ name: `nginx-${mode}`, command: ['nginx', '-p', WORK, '-e', join(WORK, 'error.log'), '-c', nginxConf(mode, false)] }) },
    // TCP_DEFER_ACCEPT on both (serve({ deferAccept }), nginx's `listen ... deferred`): no accept before the first bytes.
    { name: 'sluice-deferred', target: (mode) => ({ name: `sluice-deferred-${mode}`, command: [process.execPath, sluice],
      env: mode === 'off' ? { DEFER_ACCEPT: '1' } : { PROXY_PROTOCOL: '1', DEFER_ACCEPT: '1' } }) },
    { name: 'nginx-deferred', target: (mode) => ({ name: `nginx-deferred-${mode}`, command: ['nginx', '-p', WORK, '-e', join(WORK, 'error.log'), '-c', nginxConf(mode, true)] }) },
  ];
  return all.filter((t) => new RegExp(process.env.TARGETS ?? '.').test(t.name));
}

function summarize(rows: Row[], names: string[]): string {
  const lines = ['| target | PROXY | conn/s | user µs/conn | user + sys µs/conn | user Δ vs off | user + sys Δ vs off | errors |', '|---|---|---|---|---|---|---|---|'];
  for (const name of names) {
    const of = (mode: Mode): Row[] => rows.filter((r) => r.target === `${name}-${mode}`);
    const base = of('off');
    for (const mode of MODES) {
      const runs = of(mode);
      if (runs.length === 0) continue;
      const m = (pick: (r: Row) => number): number => median(runs.map(pick));
      // Per-rep differences (each rep ran the modes back to back), then their median: drift between reps cancels.
      const delta = (pick: (r: Row) => number): string => {
        if (mode === 'off' || base.length === 0) return '-';
        const diffs = runs.map((r) => pick(r) - pick(base.find((b) => b.rep === r.rep) ?? base[0]!));
        return `${median(diffs) >= 0 ? '+' : ''}${median(diffs).toFixed(2)} (${diffs.map((d) => d.toFixed(2)).join(', ')})`;
      };
      lines.push(`| ${name} | ${mode} | ${Math.round(m((r) => r.rps))} | ${m((r) => r.userUs).toFixed(2)} | ${m((r) => r.procUs).toFixed(2)} | ` +
        `${delta((r) => r.userUs)} | ${delta((r) => r.procUs)} | ${runs.reduce((a, r) => a + r.errors, 0)} |`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  // The same Debian packages as `npm run bench` (bench/setup.ts), installed when missing.
  for (const [tool, pkg] of [['nginx', 'nginx-light'], ['taskset', 'util-linux']] as const) {
    if (!ensureCommand(tool, pkg, (line) => process.stderr.write(`[proxy-close] ${line}\n`))) {
      process.stderr.write(`proxy-close needs ${tool}: apt-get install -y ${pkg}\n`);
      process.exit(1);
    }
  }
  mkdirSync(WORK, { recursive: true });
  const env = ensureSetup({ install: false, log: (line) => process.stderr.write(`[proxy-close] ${line}\n`) });
  if (!existsSync(env.closeLoadBin)) throw new Error('proxy-close needs a C compiler for bench/peers/close-load.c');
  await acquireLock(LOCK, (line) => process.stderr.write(`${line}\n`));
  const list = targets();
  const rows: Row[] = [];
  const loadAtStart = readFileSync('/proc/loadavg', 'utf8').trim();
  for (let rep = 1; rep <= REPS; rep++) {
    for (const t of list) {
      for (const mode of rep % 2 === 1 ? MODES : [...MODES].reverse()) {
        const target = t.target(mode);
        const child = await startServer(target, PORT);
        try {
          runClient(env.closeLoadBin, mode, WARM);
          const row = await measureAsync(rep, target.name, 'close-c64', child.pid!, async () => runClient(env.closeLoadBin, mode, DUR));
          if (row === null) throw new Error(`${target.name}: wrk reported no requests (does the server accept the ${mode} header?)`);
          if (row.errors > 0) process.stderr.write(`${target.name}: ${row.errors} errors\n`);
          rows.push(row);
          process.stderr.write(`rep ${rep} ${target.name}: ${Math.round(row.rps)} conn/s, user ${row.userUs.toFixed(2)} µs, user+sys ${row.procUs.toFixed(2)} µs\n`);
        } finally {
          await stopServer(child);
        }
      }
    }
  }
  process.stdout.write(`\nPROXY protocol cost per connection (Connection: close, ${CONNS} connections, ${REPS} reps x ${DUR} s; load at start ${loadAtStart})\n\n`);
  process.stdout.write(`${summarize(rows, list.map((t) => t.name))}\n`);
}

await main();
