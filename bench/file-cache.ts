// File-cache micro-bench (`node dist/bench/file-cache.js`): ns per cache hit, and per request for the static app's
// whole lookup, with the exact (watched) caches, beside what a hit cost before them (a TTL cache's Map lookup) and what
// a miss costs (a watched walk from /). Variants interleaved, 1 warm-up + 5 timed rounds (min and median).
import { mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { empty } from '../src/conduit/index.js';
import { createStaticLookup } from '../src/middleware/static/static-files.js';
import { resolveSafePath } from '../src/middleware/static/safe-path.js';
import { closeFileCaches, fileCaches } from '../src/server/file-caches.js';
import { Request } from '../src/server/request.js';
import { parseRequestHead } from '../src/server/request-head.js';

const ROUNDS = 5;
const N = 1_000_000;
const N_MISS = 2_000;

const root = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-file-cache-bench-')));
const file = join(root, 'index.html');
writeFileSync(file, '<h1>hello</h1>');
const caches = fileCaches();
const lookup = createStaticLookup(root, { caches });

function request(target: string): Request {
  const buf = Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1');
  const parsed = parseRequestHead(buf, 0, buf.length);
  if (parsed.kind !== 'head') throw new Error('bad request');
  return new Request(parsed.head, empty(), { remoteAddress: () => null, signal: new AbortController().signal });
}

// What a hit cost before the caches were exact: the TTL cache's Map of stat results.
const ttlMap = new Map<string, unknown>([[file, statSync(file)]]);
const req = request('/index.html');
let sink = 0;

interface Variant {
  readonly name: string;
  readonly units: number;
  readonly run: () => void;
}

const variants: Variant[] = [
  { name: 'TTL-era hit: Map.get of a stat', units: N, run: () => { for (let i = 0; i < N; i++) if (ttlMap.get(file) !== undefined) sink++; } },
  { name: 'exact hit: info.get', units: N, run: () => { for (let i = 0; i < N; i++) if (caches.info.get(file) !== null) sink++; } },
  { name: 'exact hit: info.realpath', units: N, run: () => { for (let i = 0; i < N; i++) if (caches.info.realpath(file) !== null) sink++; } },
  { name: 'safe path resolved per request', units: N, run: () => {
    for (let i = 0; i < N; i++) if (resolveSafePath(root, '/index.html', { realpath: (p) => caches.info.realpath(p) }).kind === 'ok') sink++;
  } },
  { name: 'static app lookup, whole (target memo + stat + response)', units: N, run: () => {
    for (let i = 0; i < N; i++) if (lookup(req).kind === 'answer') sink++;
  } },
  { name: 'miss: watched walk from / (entry dropped each time)', units: N_MISS, run: () => {
    for (let i = 0; i < N_MISS; i++) {
      caches.info.invalidate(file);
      if (caches.info.get(file) !== null) sink++;
    }
  } },
];

const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
    const t0 = process.hrtime.bigint();
    v.run();
    const ns = Number(process.hrtime.bigint() - t0) / v.units;
    if (round > 0) samples.get(v.name)!.push(ns);
  }
}

console.log('| lookup | ns (min) | ns (median) |\n|---|---|---|');
for (const v of variants) {
  const xs = samples.get(v.name)!.sort((a, b) => a - b);
  console.log(`| ${v.name} | ${xs[0]!.toFixed(1)} | ${xs[Math.floor(xs.length / 2)]!.toFixed(1)} |`);
}
if (sink === 0) console.log('(nothing hit)');
closeFileCaches();
rmSync(root, { recursive: true, force: true });
