// Conduit micro-bench: ns per element for the same pipeline (3 maps + a fold) in sluice and its peers, side by side in
// one process, variants interleaved, 1 warm-up + 5 timed rounds (min and median). `--json` prints one JSON object.
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pull from 'pull-stream';
import {
  awaitForever, conduit, END, fold, fromArray, isolate, map, mapAsync, ResumableSource, sink, takeBytes, type Conduit, type Sink,
} from '../src/conduit/index.js';

const N = 1_000_000;
const N_ASYNC = 200_000;
const CHUNK = 64 * 1024;
const CHUNKS = 1024; // 64 MiB
const TAKE = 40 * 1024 * 1024 + 12_345;
/** Each bytes sample repeats the pipeline this often: one run is only ~641 chunks, too short to time alone. */
const BYTE_REPS = 200;
const ROUNDS = 5;

const f1 = (x: number): number => x + 1;
const f2 = (x: number): number => x * 2;
const f3 = (x: number): number => x - 3;
const add = (a: number, x: number): number => a + x;

const data = Array.from({ length: N }, (_, i) => i);
const dataAsync = data.slice(0, N_ASYNC);
const chunks = Array.from({ length: CHUNKS }, () => Buffer.alloc(CHUNK, 1));

function expectedSum(xs: readonly number[]): number {
  let acc = 0;
  for (let i = 0; i < xs.length; i++) acc += f3(f2(f1(xs[i]!)));
  return acc;
}

/** One pipeline to time: `units` elements (or chunks) pass per run; run() returns a checksum compared to `expect`. */
interface Variant {
  readonly name: string;
  readonly group: 'elements' | 'one async stage' | 'bytes (ns per 64 KiB chunk)';
  readonly units: number;
  readonly expect: number;
  readonly run: () => number | Promise<number>;
}

// Generator-style custom stages: the ergonomic way to write a stage.
function genMap(f: (x: number) => number): Conduit<number, number> {
  return conduit<number, number>(function* (io) {
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return;
      yield* io.emit(f(x));
    }
  });
}
function genMapAsync(f: (x: number) => Promise<number>): Conduit<number, number> {
  return conduit<number, number>(function* (io) {
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return;
      yield* io.emit(yield* io.await(f(x)));
    }
  });
}
const genSum: Sink<number, number> = sink<number, number>(function* (io) {
  let acc = 0;
  for (;;) {
    const x = yield* io.receive();
    if (x === END) return acc;
    acc += x;
  }
});
const afMap = (f: (x: number) => number): Conduit<number, number> => awaitForever<number, number>((x, emit) => emit(f(x)));

function* genFrom(xs: readonly number[]): Generator<number> {
  for (let i = 0; i < xs.length; i++) yield xs[i]!;
}
function* genThrough(it: Iterable<number>, f: (x: number) => number): Generator<number> {
  for (const x of it) yield f(x);
}
async function* agenFrom(xs: readonly number[]): AsyncGenerator<number> {
  for (let i = 0; i < xs.length; i++) yield xs[i]!;
}
async function* agenThrough(it: AsyncIterable<number>, f: (x: number) => number | Promise<number>): AsyncGenerator<number> {
  for await (const x of it) yield await f(x);
}

function nodeMap(f: (x: number) => number): Transform {
  return new Transform({ objectMode: true, transform: (x: number, _e, cb) => cb(null, f(x)) });
}
async function nodeStreams(): Promise<number> {
  let acc = 0;
  const sum = new Writable({ objectMode: true, write: (x: number, _e, cb) => ((acc += x), cb()) });
  await pipeline(Readable.from(data), nodeMap(f1), nodeMap(f2), nodeMap(f3), sum);
  return acc;
}

function pullStream(xs: number[], middle: ReturnType<typeof pull.map<number, number>>): Promise<number> {
  return new Promise((resolve, reject) => {
    pull(pull.values(xs), pull.map(f1), middle, pull.map(f3), pull.reduce(add, 0, (err, acc) => (err ? reject(err) : resolve(acc))));
  });
}

const BYTE_UNITS = Math.ceil(TAKE / CHUNK) * BYTE_REPS;
const sumLengths = fold((n: number, c: Uint8Array) => n + c.length, 0);

function syncOnly<R>(r: R | Promise<R>): R {
  if (r instanceof Promise) throw new Error('expected a synchronous run');
  return r;
}

const asyncF2 = (x: number): Promise<number> => Promise.resolve(f2(x));
const sum = expectedSum(data);
const sumAsync = expectedSum(dataAsync);

const variants: Variant[] = [
  { name: 'loop', group: 'elements', units: N, expect: sum, run: () => expectedSum(data) },
  { name: 'sluice', group: 'elements', units: N, expect: sum, run: () => fromArray(data).pipe(map(f1), map(f2), map(f3)).run(fold(add, 0)) },
  { name: 'sluice-generators', group: 'elements', units: N, expect: sum, run: () => fromArray(data).pipe(genMap(f1), genMap(f2), genMap(f3)).run(genSum) },
  { name: 'sluice-await-forever', group: 'elements', units: N, expect: sum, run: () => fromArray(data).pipe(afMap(f1), afMap(f2), afMap(f3)).run(fold(add, 0)) },
  { name: 'pull-stream', group: 'elements', units: N, expect: sum, run: () => pullStream(data, pull.map(f2)) },
  { name: 'node-streams', group: 'elements', units: N, expect: sum, run: nodeStreams },
  {
    name: 'sync-generators', group: 'elements', units: N, expect: sum, run: () => {
      let acc = 0;
      for (const x of genThrough(genThrough(genThrough(genFrom(data), f1), f2), f3)) acc += x;
      return acc;
    },
  },
  {
    name: 'async-generators', group: 'elements', units: N, expect: sum, run: async () => {
      let acc = 0;
      for await (const x of agenThrough(agenThrough(agenThrough(agenFrom(data), f1), f2), f3)) acc += x;
      return acc;
    },
  },
  {
    name: 'sluice-async', group: 'one async stage', units: N_ASYNC, expect: sumAsync,
    run: () => fromArray(dataAsync).pipe(map(f1), mapAsync(asyncF2), map(f3)).run(fold(add, 0)),
  },
  {
    name: 'sluice-generators-async', group: 'one async stage', units: N_ASYNC, expect: sumAsync,
    run: () => fromArray(dataAsync).pipe(genMap(f1), genMapAsync(asyncF2), genMap(f3)).run(genSum),
  },
  {
    name: 'sluice-await-forever-async', group: 'one async stage', units: N_ASYNC, expect: sumAsync,
    run: () => fromArray(dataAsync).pipe(afMap(f1), awaitForever<number, number>((x, emit) => asyncF2(x).then(emit)), afMap(f3)).run(fold(add, 0)),
  },
  {
    name: 'pull-stream-async', group: 'one async stage', units: N_ASYNC, expect: sumAsync,
    run: () => pullStream(dataAsync, pull.asyncMap<number, number>((x, cb) => void asyncF2(x).then((y) => cb(null, y)))),
  },
  {
    name: 'async-generators-async', group: 'one async stage', units: N_ASYNC, expect: sumAsync, run: async () => {
      let acc = 0;
      for await (const x of agenThrough(agenThrough(agenThrough(agenFrom(dataAsync), f1), asyncF2), f3)) acc += x;
      return acc;
    },
  },
  {
    name: 'bytes-loop', group: 'bytes (ns per 64 KiB chunk)', units: BYTE_UNITS, expect: TAKE * BYTE_REPS, run: () => {
      let all = 0;
      for (let rep = 0; rep < BYTE_REPS; rep++) {
        let left = TAKE;
        for (let i = 0; i < chunks.length && left > 0; i++) {
          const c = chunks[i]!;
          const piece = c.length <= left ? c : c.subarray(0, left);
          left -= piece.length;
          all += piece.length;
        }
      }
      return all;
    },
  },
  {
    name: 'bytes-sluice', group: 'bytes (ns per 64 KiB chunk)', units: BYTE_UNITS, expect: TAKE * BYTE_REPS, run: () => {
      let all = 0;
      for (let rep = 0; rep < BYTE_REPS; rep++) all += syncOnly(fromArray(chunks).pipe(takeBytes(TAKE)).run(sumLengths));
      return all;
    },
  },
  {
    name: 'bytes-sluice-resumable', group: 'bytes (ns per 64 KiB chunk)', units: CHUNKS * BYTE_REPS, expect: CHUNKS * CHUNK * BYTE_REPS, run: () => {
      // The connection shape: isolate a body off a resumable source, then read the rest (the split tail is a leftover).
      let all = 0;
      for (let rep = 0; rep < BYTE_REPS; rep++) {
        const conn = ResumableSource.from(fromArray(chunks));
        all += syncOnly(conn.connect(isolate(TAKE).into(sumLengths)));
        all += syncOnly(conn.connect(sumLengths));
      }
      return all;
    },
  },
];

async function timeOnce(v: Variant): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await v.run();
  const ns = Number(process.hrtime.bigint() - t0);
  if (r !== v.expect) throw new Error(`${v.name}: checksum ${r}, expected ${v.expect}`);
  return ns / v.units;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round <= ROUNDS; round++) {
    // Interleaved, and the order rotates each round, so drift and position effects spread over every variant.
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + round) % variants.length]!;
      const ns = await timeOnce(v);
      if (round > 0) samples.get(v.name)!.push(ns);
    }
  }
  const min = (name: string): number => Math.min(...samples.get(name)!);
  if (json) {
    console.log(JSON.stringify(Object.fromEntries(variants.map((v) => [v.name, Number(min(v.name).toFixed(1))]))));
    return;
  }
  console.log(`node ${process.version}; N = ${N} (async: ${N_ASYNC}); ${ROUNDS} timed rounds after 1 warm-up; ns per element`);
  let group = '';
  for (const v of variants) {
    if (v.group !== group) {
      group = v.group;
      console.log(`\n${group}\n| variant | min | median |\n|---|---|---|`);
    }
    console.log(`| ${v.name} | ${min(v.name).toFixed(1)} | ${median(samples.get(v.name)!).toFixed(1)} |`);
  }
  const ratio = (a: string, b: string): string => (min(b) / min(a)).toFixed(2);
  console.log(`\nsluice vs pull-stream: ${ratio('sluice', 'pull-stream')}x faster (target >= 2.5x); vs node-streams: ${ratio('sluice', 'node-streams')}x (target >= 8x)`);
  console.log(`sluice-generators vs pull-stream: ${ratio('sluice-generators', 'pull-stream')}x; sluice-await-forever vs pull-stream: ${ratio('sluice-await-forever', 'pull-stream')}x`);
  console.log(`sluice-async vs pull-stream-async: ${ratio('sluice-async', 'pull-stream-async')}x`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
