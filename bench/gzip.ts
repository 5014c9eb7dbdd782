// gzip bench: (1) CPU per MiB of the ways to gzip a 100 KiB JSON body in-process (sync pooled engine, streaming
// conduit, zlib.gzipSync, node's async stream as `compression` uses it); (2) the cost of one flushed SSE event,
// sync vs async zlib; (3) sluice-gzip beside node:http + compression over HTTP in the same run (wrk, same level 6),
// with req/s and the server's CPU (user + system) per request.
// Run: npx tsc -p . && node dist/bench/gzip.js [--duration 5] [--reps 3] [--conns 16] [--skip-servers] [--skip-micro]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { FLUSH, fromArray, sinkNull, type Flushable } from '../src/conduit/index.js';
import { compressBytes, compressConduit } from '../src/conduit/zlib/compress.js';
import { buildJsonPayload, JSON_PAYLOAD_BYTES, REPO_ROOT } from './setup.js';
import { runWrk } from './wrk.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DURATION_S = option('--duration', 5);
const REPS = option('--reps', 3);
const CONNS = option('--conns', 16);
const LEVEL = 6; // zlib's default: also what `compression` uses
const MIB = 1024 * 1024;

const payload = Buffer.from(buildJsonPayload(JSON_PAYLOAD_BYTES));

/** CPU (user + system, all threads) and wall time of `fn`, repeated for about `budgetMs`. */
async function measure(name: string, fn: () => unknown, budgetMs = 1500): Promise<void> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < budgetMs) {
    await fn();
    n++;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = (cpu.user + cpu.system) / n;
  const wallUs = ((performance.now() - t0) * 1000) / n;
  console.log(`| ${name} | ${n} | ${cpuUs.toFixed(0)} | ${((cpuUs * MIB) / payload.length / 1000).toFixed(1)} | ${wallUs.toFixed(0)} |`);
}

/** node's streaming zlib per body: a fresh Gzip, write, end, collect (what `compression` does per response). */
function asyncGzip(body: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = createGzip({ level: LEVEL });
    const out: Buffer[] = [];
    z.on('data', (d: Buffer) => out.push(d));
    z.on('end', () => resolve(Buffer.concat(out)));
    z.on('error', reject);
    z.end(body);
  });
}

async function micro(): Promise<void> {
  const size = compressBytes('gzip', payload, { level: LEVEL }).length;
  if (!gunzipSync(compressBytes('gzip', payload, { level: LEVEL })).equals(payload)) throw new Error('round trip failed');
  console.log(`\n## In-process: gzip -${LEVEL} of a ${payload.length}-byte JSON body (-> ${size} bytes)\n`);
  console.log('| method | bodies | CPU µs/body | CPU ms/MiB | wall µs/body |');
  console.log('|---|---|---|---|---|');
  await measure('sluice compressBytes (sync handle, pooled engine)', () => compressBytes('gzip', payload, { level: LEVEL }));
  await measure('sluice compressConduit (stream, 16 KiB pieces)', () =>
    fromArray([payload]).pipe(compressConduit('gzip', { level: LEVEL })).run(sinkNull()));
  await measure('zlib.gzipSync (fresh state per body)', () => gzipSync(payload, { level: LEVEL }));
  await measure('zlib.createGzip async (threadpool; as `compression`)', () => asyncGzip(payload));
  await measure('sluice compressBytes br q4 (for scale)', () => compressBytes('br', payload));

  const EVENTS = 2000;
  const event = Buffer.from(`data: ${JSON.stringify({ id: 1, text: 'x'.repeat(60) })}\n\n`);
  console.log(`\n## One server-sent event (${event.length} bytes) + sync flush\n`);
  console.log('| method | CPU µs/event | wall µs/event |');
  console.log('|---|---|---|');
  const items: Flushable<Uint8Array>[] = [];
  for (let i = 0; i < EVENTS; i++) items.push(event, FLUSH);
  const syncCpu0 = process.cpuUsage();
  let t0 = performance.now();
  fromArray(items).pipe(compressConduit('gzip', { level: LEVEL })).run(sinkNull());
  let c = process.cpuUsage(syncCpu0);
  console.log(`| sluice conduit (sync handle) | ${((c.user + c.system) / EVENTS).toFixed(1)} | ${((performance.now() - t0) * 1000 / EVENTS).toFixed(1)} |`);
  const z = createGzip({ level: LEVEL });
  z.on('data', () => {});
  const asyncCpu0 = process.cpuUsage();
  t0 = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    z.write(event);
    await new Promise<void>((r) => z.flush(constants.Z_SYNC_FLUSH, () => r()));
  }
  c = process.cpuUsage(asyncCpu0);
  console.log(`| zlib.createGzip write + flush (async) | ${((c.user + c.system) / EVENTS).toFixed(1)} | ${((performance.now() - t0) * 1000 / EVENTS).toFixed(1)} |`);
  z.end();
}

/** utime + stime of a process (clock ticks; USER_HZ = 100 on Linux). */
function cpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function fetchOnce(port: number): Promise<{ status: number; encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/json', headers: { 'accept-encoding': 'gzip' }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, encoding: res.headers['content-encoding'], body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

async function start(script: string, port: number, json: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, PORT: String(port), BENCH_JSON: json }, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetchOnce(port);
      if (r.status !== 200 || r.encoding !== 'gzip' || !gunzipSync(r.body).equals(payload)) throw new Error(`${script}: wrong response`);
      return child;
    } catch (e) {
      if (e instanceof Error && e.message.includes('wrong response')) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error(`${script} did not start`);
}

async function servers(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-gzip-bench-'));
  const json = join(scratch, 'bench.json');
  writeFileSync(json, payload);
  const targets = [
    { name: 'sluice-gzip (examples/json.js)', script: join(REPO_ROOT, 'dist', 'examples', 'json.js') },
    { name: 'node:http + compression', script: join(REPO_ROOT, 'dist', 'bench', 'peers', 'node-gzip.js') },
  ];
  const results = new Map<string, Array<{ rps: number; cpuUs: number }>>();
  console.log(`\n## Over HTTP: GET /json, Accept-Encoding: gzip, wrk -t1 -c${CONNS}, ${DURATION_S} s x ${REPS} reps, alternating\n`);
  for (let rep = 0; rep < REPS; rep++) {
    for (const [i, target] of targets.entries()) {
      const port = 19500 + rep * 2 + i;
      const child = await start(target.script, port, json);
      try {
        await runWrk({ url: `http://127.0.0.1:${port}/json`, conns: CONNS, durationS: 1, timeoutS: 5, pipeline: 1, headers: ['Accept-Encoding: gzip'] }, null, scratch);
        const before = cpuTicks(child.pid!);
        const r = await runWrk({ url: `http://127.0.0.1:${port}/json`, conns: CONNS, durationS: DURATION_S, timeoutS: 5, pipeline: 1, headers: ['Accept-Encoding: gzip'] }, null, scratch);
        const cpuUs = ((cpuTicks(child.pid!) - before) * 10_000) / r.requests;
        const rps = r.requests / (r.durationUs / 1e6);
        results.set(target.name, [...(results.get(target.name) ?? []), { rps, cpuUs }]);
        console.error(`  rep ${rep + 1} ${target.name}: ${rps.toFixed(0)} req/s, ${cpuUs.toFixed(0)} µs CPU/req, errors ${JSON.stringify(r.errors)}`);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log('| server | req/s (median) | server CPU µs/req (user+sys, median) | req/s range |');
  console.log('|---|---|---|---|');
  for (const [name, rs] of results) {
    const rps = rs.map((r) => r.rps);
    console.log(`| ${name} | ${median(rps).toFixed(0)} | ${median(rs.map((r) => r.cpuUs)).toFixed(0)} | ${Math.min(...rps).toFixed(0)}-${Math.max(...rps).toFixed(0)} |`);
  }
}

console.log(`# gzip bench (Node ${process.version}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
if (!flag('--skip-micro')) await micro();
if (!flag('--skip-servers')) await servers();
