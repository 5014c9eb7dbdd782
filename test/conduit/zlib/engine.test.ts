// Tests for the sync zlib engine and its pool: reuse after reset, caps, what is never pooled, and error reporting.
import test from 'ava';
import { crc32 as zlibCrc32, deflateRawSync, deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { adler32, crc32, crc32Portable } from '../../../src/conduit/zlib/framing.js';
import { ZlibEngine, ZlibError } from '../../../src/conduit/zlib/engine.js';
import { createEnginePool } from '../../../src/conduit/zlib/pool.js';

function finishAll(engine: ZlibEngine, input: Uint8Array): Buffer {
  const out = Buffer.alloc(input.length * 2 + 1024);
  engine.write(engine.flags.finish, input, 0, input.length, out, 0, out.length);
  return out.subarray(0, out.length - engine.availOut);
}

test('a reset gzip engine produces a fresh, identical member', (t) => {
  const data = Buffer.from('hello hello hello hello');
  const engine = new ZlibEngine({ kind: 'gzip', level: 6 });
  const first = finishAll(engine, data);
  engine.reset();
  const second = finishAll(engine, data);
  t.deepEqual(second, first);
  t.true(gunzipSync(second).equals(data));
  engine.close();
});

test('the pool hands back a released gzip engine and keeps at most maxPerSpec', (t) => {
  const pool = createEnginePool(1);
  const a = pool.acquire({ kind: 'gzip', level: 6 });
  const b = pool.acquire({ kind: 'gzip', level: 6 });
  pool.release(a, true);
  pool.release(b, true); // over the cap: closed
  t.is(pool.idle, 1);
  t.is(pool.acquire({ kind: 'gzip', level: 6 }), a);
  t.is(pool.idle, 0);
  t.not(pool.acquire({ kind: 'gzip', level: 6 }), b);
});

test('the pool keys engines by level', (t) => {
  const pool = createEnginePool();
  const a = pool.acquire({ kind: 'gzip', level: 1 });
  pool.release(a, true);
  t.not(pool.acquire({ kind: 'gzip', level: 9 }), a);
  t.is(pool.acquire({ kind: 'gzip', level: 1 }), a);
});

test('the pool reuses raw and zlib deflate engines per parameter set, and raw inflaters per window', (t) => {
  const pool = createEnginePool();
  const spec = { kind: 'deflate', raw: true, level: 6, windowBits: 15, memLevel: 8, strategy: 0 } as const;
  const a = pool.acquire(spec);
  pool.release(a, true);
  t.not(pool.acquire({ ...spec, windowBits: 10 }), a);
  t.not(pool.acquire({ ...spec, raw: false }), a);
  t.is(pool.acquire(spec), a);
  const i = pool.acquire({ kind: 'inflate-raw', windowBits: 8 });
  pool.release(i, true);
  t.is(pool.acquire({ kind: 'inflate-raw', windowBits: 9 }), i); // 8 is read as 9
});

test('the pool never keeps brotli or auto-detecting decoders, nor failed or unreusable ones', (t) => {
  const pool = createEnginePool();
  for (const spec of [{ kind: 'br', quality: 4 }, { kind: 'gunzip' }, { kind: 'inflate' }, { kind: 'unbrotli' }] as const) {
    pool.release(pool.acquire(spec), true);
  }
  pool.release(pool.acquire({ kind: 'gzip', level: 6 }), false);
  t.is(pool.idle, 0);
});

test('corrupt input raises a ZlibError with zlib\'s code, and the engine stays failed', (t) => {
  const engine = new ZlibEngine({ kind: 'gunzip' });
  const out = Buffer.alloc(1024);
  const bad = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]);
  const e = t.throws(() => engine.write(engine.flags.process, bad, 0, bad.length, out, 0, out.length), { instanceOf: ZlibError });
  t.is(e?.code, 'Z_DATA_ERROR');
  t.true(engine.failed);
  t.throws(() => engine.write(engine.flags.process, bad, 0, 0, out, 0, out.length), { is: e });
  engine.close();
});

test('a truncated stream fails at finish with "unexpected end of file"', (t) => {
  const engine = new ZlibEngine({ kind: 'gunzip' });
  const whole = gzipSync(Buffer.from('some text to compress, some text to compress'));
  const part = whole.subarray(0, whole.length - 6);
  const out = Buffer.alloc(1024);
  engine.write(engine.flags.process, part, 0, part.length, out, 0, out.length);
  const e = t.throws(() => engine.write(engine.flags.finish, part, 0, 0, out, 0, out.length), { instanceOf: ZlibError });
  t.is(e?.code, 'Z_BUF_ERROR');
});

test('Unzip decodes both gzip and zlib framing', (t) => {
  const data = Buffer.from('abcabcabcabc');
  for (const [kind, framed] of [['gunzip', gzipSync(data)], ['inflate', deflateSync(data)]] as const) {
    const engine = new ZlibEngine({ kind });
    t.deepEqual(finishAll(engine, framed).toString(), data.toString());
    engine.close();
  }
});

test('writeAll collects output in pieces and stops at a limit with the given error', (t) => {
  const engine = new ZlibEngine({ kind: 'inflate-raw', windowBits: 15 });
  const packed = deflateRawSync(Buffer.alloc(100_000, 7));
  t.true(engine.writeAll(engine.flags.finish, packed, 1000).equals(Buffer.alloc(100_000, 7)));
  engine.reset();
  t.throws(() => engine.writeAll(engine.flags.finish, packed, 1000, 5000), { instanceOf: RangeError });
  engine.reset();
  t.throws(() => engine.writeAll(engine.flags.finish, packed, 1000, 5000, (n) => new Error(`over ${n}`)), { message: 'over 5000' });
  engine.close();
});

test('CRC-32 and Adler-32 match zlib\'s, in one piece or many', (t) => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog'.repeat(500));
  t.is(crc32Portable(data), zlibCrc32(data));
  t.is(crc32Portable(data.subarray(100), crc32Portable(data.subarray(0, 100))), zlibCrc32(data));
  t.is(crc32(data, 0), zlibCrc32(data));
  const wrapped = deflateSync(data);
  t.is(adler32(data), wrapped.readUInt32BE(wrapped.byteLength - 4));
  t.is(adler32(data.subarray(9000), adler32(data.subarray(0, 9000))), adler32(data));
  t.is(adler32(new Uint8Array(0)), 1);
});
