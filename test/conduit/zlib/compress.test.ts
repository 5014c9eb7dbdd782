// Tests for the compression conduit and the one-shot: round trips over every chunking, Flush semantics (each flush
// point is decodable at once), bounded output pieces, and prompt, exactly-once engine release.
import test from 'ava';
import { createGunzip, constants, gunzipSync, brotliDecompressSync } from 'node:zlib';
import { bracketSource, FLUSH, fromArray, isFlush, sinkList, source, take, type Flushable, Source } from '../../../src/conduit/index.js';
import { compressBytes, compressConduit, gzipConduit, specOf } from '../../../src/conduit/zlib/compress.js';
import { noise, recordingPool, sample } from './fixtures.js';

function bytesOf(out: Flushable<Uint8Array>[]): Buffer {
  return Buffer.concat(out.filter((x): x is Uint8Array => !isFlush(x)));
}

function runSync<T>(s: Source<T>): T[] {
  const r = s.run(sinkList());
  if (r instanceof Promise) throw new Error('expected a synchronous run');
  return r;
}

test('gzip round-trips a body split at every offset', (t) => {
  const data = sample(700);
  for (let i = 0; i <= data.length; i++) {
    const out = runSync(fromArray([data.subarray(0, i), data.subarray(i)]).pipe(gzipConduit()));
    if (!gunzipSync(bytesOf(out)).equals(data)) return t.fail(`split at ${i}`);
  }
  t.pass();
});

test('gzip round-trips a body fed one byte at a time, with a tiny output buffer', (t) => {
  const data = sample(3000, 3);
  const pieces = [...data].map((b) => Uint8Array.of(b));
  const out = runSync(fromArray(pieces).pipe(gzipConduit({ chunkBytes: 64 })));
  t.true(gunzipSync(bytesOf(out)).equals(data));
  t.true(out.every((x) => isFlush(x) || x.byteLength <= 64));
});

test('gzip round-trips random data under random chunkings and levels', (t) => {
  let seed = 99;
  const rnd = (n: number): number => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  for (let round = 0; round < 40; round++) {
    const data = round % 2 === 0 ? sample(rnd(200_000), round + 1) : noise(rnd(100_000), round + 1);
    const pieces: Flushable<Uint8Array>[] = [];
    for (let p = 0; p < data.length;) {
      const n = 1 + rnd(40_000);
      pieces.push(data.subarray(p, p + n));
      if (rnd(4) === 0) pieces.push(FLUSH);
      p += n;
    }
    const out = runSync(fromArray(pieces).pipe(gzipConduit({ level: 1 + rnd(9), chunkBytes: 256 + rnd(32_768) })));
    if (!gunzipSync(bytesOf(out)).equals(data)) return t.fail(`round ${round}`);
  }
  t.pass();
});

test('brotli round-trips and flushes', (t) => {
  const data = sample(50_000, 5);
  const out = runSync(fromArray<Flushable<Uint8Array>>([data.subarray(0, 10_000), FLUSH, data.subarray(10_000)]).pipe(compressConduit('br')));
  t.true(brotliDecompressSync(bytesOf(out)).equals(data));
  t.is(out.filter(isFlush).length, 1);
});

test('an empty body is a valid, empty gzip member', (t) => {
  const out = runSync(fromArray<Uint8Array>([]).pipe(gzipConduit()));
  t.is(gunzipSync(bytesOf(out)).length, 0);
  t.true(bytesOf(out).length >= 18); // 10-byte header + empty deflate block + 8-byte trailer
  const onlyEmpties = runSync(fromArray([new Uint8Array(0), new Uint8Array(0)]).pipe(gzipConduit()));
  t.deepEqual(bytesOf(onlyEmpties), bytesOf(out));
});

test('everything before a Flush is decodable before the Flush is passed on', (t) => {
  const events = ['data: one\n\n', 'data: two two\n\n', 'data: three three three\n\n'].map((s) => Buffer.from(s));
  const input: Flushable<Uint8Array>[] = events.flatMap((e) => [e, FLUSH]);
  const out = runSync(fromArray(input).pipe(gzipConduit()));
  // Feed a sync-flush gunzip incrementally: at each Flush the decoded text is exactly the events so far.
  const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
  const decoded: Buffer[] = [];
  gunzip.on('data', (d: Buffer) => decoded.push(d));
  let flushes = 0;
  const checks: string[] = [];
  return new Promise<void>((resolve) => {
    const next = (i: number): void => {
      if (i === out.length) {
        t.is(flushes, 3);
        t.deepEqual(checks, ['data: one\n\n', 'data: one\n\ndata: two two\n\n', events.map(String).join('')]);
        resolve();
        return;
      }
      const x = out[i]!;
      if (isFlush(x)) {
        flushes++;
        gunzip.flush(constants.Z_SYNC_FLUSH, () => {
          checks.push(Buffer.concat(decoded).toString());
          next(i + 1);
        });
      } else gunzip.write(x, () => next(i + 1));
    };
    next(0);
  });
});

test('a Flush with no new input costs no zlib flush: it is passed straight on', (t) => {
  const out = runSync(fromArray<Flushable<Uint8Array>>([FLUSH, Buffer.from('abc'), FLUSH, FLUSH, FLUSH]).pipe(gzipConduit()));
  const kinds = out.map((x) => (isFlush(x) ? 'F' : 'B'));
  // Leading flush passes through; one sync-flush for 'abc'; repeated flushes add no bytes; then the trailer.
  t.deepEqual(kinds, ['F', 'B', 'F', 'F', 'F', 'B']);
  t.is(gunzipSync(bytesOf(out)).toString(), 'abc');
});

test('a large chunk comes out in pieces of at most chunkBytes, one piece per pull', (t) => {
  const data = noise(1 << 20);
  const out = runSync(fromArray([data]).pipe(gzipConduit({ chunkBytes: 16 * 1024 })));
  t.true(out.length >= 64);
  t.true(out.every((x) => !isFlush(x) && x.byteLength <= 16 * 1024));
  t.true(gunzipSync(bytesOf(out)).equals(data));
});

function bracketed(log: string[], items: Flushable<Uint8Array>[]): Source<Flushable<Uint8Array>> {
  return bracketSource(() => log.push('+source'), () => fromArray(items), () => void log.push('-source'));
}

test('the engine is taken with the first input and given back once at the natural end', (t) => {
  const log: string[] = [];
  const s = bracketed(log, [Buffer.from('x')]).pipe(gzipConduit({ pool: recordingPool(log) }));
  t.deepEqual(log, []);
  runSync(s);
  log.push('done');
  // A source still waiting for its first element holds no engine (an idle SSE stream costs no zlib state).
  t.deepEqual(log, ['+source', '+gzip', '-source', '-gzip', 'done']);
});

test('the engine is given back as soon as downstream stops pulling', (t) => {
  const log: string[] = [];
  const data = noise(200_000);
  const s = bracketed(log, [data]).pipe(gzipConduit({ pool: recordingPool(log), chunkBytes: 1024 }), take(1));
  const out = runSync(s);
  log.push('done');
  t.is(out.length, 1);
  // Released together, newest first (LIFO).
  t.deepEqual(log, ['+source', '+gzip', '-gzip', '-source', 'done']);
});

test('the engine is given back when the app source throws', async (t) => {
  const log: string[] = [];
  const failing = source<Flushable<Uint8Array>>(function* (io) {
    yield* io.bracket(() => log.push('+source'), () => void log.push('-source'));
    yield* io.emit(Buffer.from('partial'));
    yield* io.await(Promise.resolve());
    throw Object.assign(new Error('app failed'), { code: 'APP' });
  });
  const err = await t.throwsAsync(failing.pipe(gzipConduit({ pool: recordingPool(log) })).runAsync(sinkList()));
  log.push('done');
  t.is((err as { code?: string }).code, 'APP');
  t.deepEqual(log, ['+source', '+gzip', '-gzip', '-source', 'done']);
});

test('a body that is never run never takes an engine', (t) => {
  const log: string[] = [];
  fromArray([Buffer.from('x')]).pipe(gzipConduit({ pool: recordingPool(log) }));
  t.deepEqual(log, []);
});

test('compressBytes round-trips gzip and br, empty bodies included', (t) => {
  for (const data of [Buffer.alloc(0), sample(10), sample(100_000), noise(70_000)]) {
    t.true(gunzipSync(compressBytes('gzip', data, { chunkBytes: 1024 })).equals(data));
    t.true(brotliDecompressSync(compressBytes('br', data)).equals(data));
  }
});

test('compressBytes gives its engine back, and only once', (t) => {
  const log: string[] = [];
  compressBytes('gzip', sample(5000), { pool: recordingPool(log) });
  t.deepEqual(log, ['+gzip', '-gzip']);
});

test('specOf checks levels and qualities', (t) => {
  t.deepEqual(specOf('gzip'), { kind: 'gzip', level: 6 });
  t.deepEqual(specOf('br', { quality: 11 }, 100), { kind: 'br', quality: 11, sizeHint: 100 });
  t.throws(() => specOf('gzip', { level: 0 }), { instanceOf: RangeError });
  t.throws(() => specOf('gzip', { level: 10 }), { instanceOf: RangeError });
  t.throws(() => specOf('br', { quality: 12 }), { instanceOf: RangeError });
  t.throws(() => specOf('br', { quality: 1.5 }), { instanceOf: RangeError });
});
