// The compression conduits of sluice/conduit: every codec at every split of its input, decoders that stop at the end
// of their stream and leave the rest upstream, Flush before more input is read, limits, and checked containers.
import test from 'ava';
import * as zlib from 'node:zlib';
import {
  brotliCompress, brotliDecompress, bracketSource, concatBytes, ConduitError, deflate, FLUSH, fromArray, gunzip, gzip,
  inflate, isFlush, ResumableSource, sinkList, take, tap, ZlibError, type ByteCodec, type Flushable, type Source,
} from '../../../src/conduit/index.js';
import { bytes, splits, sync, text } from '../helpers.js';
import { recordingPool, sample } from './fixtures.js';

const PLAIN = bytes('hello hello hello, compressed world; hello again and again and again');
const TAIL = bytes('<raw bytes after the stream>');

type Case = { name: string; encode: () => ByteCodec<Flushable<Uint8Array>>; decode: () => ByteCodec<Flushable<Uint8Array>>; node: (b: Uint8Array) => Buffer; compressed: Buffer };

const CASES: Case[] = [
  { name: 'gzip', encode: () => gzip(), decode: () => gunzip(), node: (b) => zlib.gunzipSync(b), compressed: zlib.gzipSync(PLAIN) },
  { name: 'deflate (zlib)', encode: () => deflate(), decode: () => inflate(), node: (b) => zlib.inflateSync(b), compressed: zlib.deflateSync(PLAIN) },
  {
    name: 'deflate (raw, windowBits 9)', encode: () => deflate({ raw: true, windowBits: 9 }), decode: () => inflate({ raw: true, windowBits: 9 }),
    node: (b) => zlib.inflateRawSync(b), compressed: zlib.deflateRawSync(PLAIN, { windowBits: 9 }),
  },
  { name: 'brotli', encode: () => brotliCompress(), decode: () => brotliDecompress(), node: (b) => zlib.brotliDecompressSync(b), compressed: zlib.brotliCompressSync(PLAIN) },
];

function bytesOf(out: readonly Flushable<Uint8Array>[]): Buffer {
  return Buffer.concat(out.filter((x): x is Uint8Array => !isFlush(x)));
}

for (const c of CASES) {
  test(`${c.name}: the encoder's output decodes to the input, for every split of the input`, (t) => {
    for (const { name, chunks } of splits(PLAIN)) {
      const out = sync(fromArray<Uint8Array>(chunks).pipe(c.encode()).run(sinkList()));
      t.true(c.node(bytesOf(out)).equals(PLAIN), name);
    }
  });

  test(`${c.name}: the decoder stops at the end of the stream and leaves the bytes after it upstream, for every split`, (t) => {
    for (const { name, chunks } of splits(Buffer.concat([c.compressed, TAIL]))) {
      const conn = ResumableSource.from(fromArray<Uint8Array>(chunks));
      const decoded = sync(conn.connect(c.decode().into(sinkList())));
      t.is(text(decoded.filter((x): x is Uint8Array => !isFlush(x))), PLAIN.toString('latin1'), name);
      t.is(text(sync(conn.connect(sinkList()))), TAIL.toString('latin1'), name);
    }
  });

  test(`${c.name}: an empty input encodes to a valid empty stream and decodes to nothing`, (t) => {
    const empty = bytesOf(sync(fromArray<Uint8Array>([]).pipe(c.encode()).run(sinkList())));
    t.true(empty.byteLength > 0);
    t.is(c.node(empty).byteLength, 0);
    t.deepEqual(sync(fromArray<Uint8Array>([empty]).pipe(c.decode()).run(sinkList())), []);
    t.deepEqual(sync(fromArray<Uint8Array>([]).pipe(c.decode()).run(sinkList())), []);
  });

  test(`${c.name}: a Flush makes everything before it decodable before the next input is read`, (t) => {
    const log: string[] = [];
    const input: Flushable<Uint8Array>[] = [bytes('first event;'), FLUSH, bytes('second event;'), FLUSH];
    const out = sync(fromArray(input).pipe(
      tap((x: Flushable<Uint8Array>) => log.push(isFlush(x) ? 'read flush' : `read ${x.byteLength}`)),
      c.encode(),
      tap((x: Flushable<Uint8Array>) => log.push(isFlush(x) ? 'emit flush' : 'emit bytes')),
    ).run(sinkList()));
    // The first event's bytes and its Flush go out before the second event is even pulled.
    t.deepEqual(log.slice(0, 5), ['read 12', 'read flush', 'emit bytes', 'emit flush', 'read 13']);
    const prefix = bytesOf(out.slice(0, out.indexOf(FLUSH)));
    t.is(decodePartial(c.name, prefix).toString(), 'first event;');
    // The decoder passes the Flush on after everything decodable so far.
    const decoded = sync(fromArray(out).pipe(c.decode()).run(sinkList()));
    t.deepEqual(decoded.map((x) => (isFlush(x) ? '|' : Buffer.from(x).toString())).join(''), 'first event;|second event;|');
  });

  test(`${c.name}: a stream cut short fails with PREMATURE_END, at every cut`, (t) => {
    for (let cut = 1; cut < c.compressed.byteLength; cut++) {
      const run = (): unknown => sync(fromArray<Uint8Array>([c.compressed.subarray(0, cut)]).pipe(c.decode()).run(sinkList()));
      const e = t.throws(run, undefined, `cut at ${cut}`);
      t.is((e as ConduitError).code, 'PREMATURE_END', `cut at ${cut}`);
    }
  });

  test(`${c.name}: maxBytes stops a zip bomb after at most one output chunk past the cap, and gives the engine back`, (t) => {
    const zeros = Buffer.alloc(4 << 20);
    const compressed = bytesOf(sync(fromArray<Uint8Array>([zeros]).pipe(c.encode()).run(sinkList())));
    t.true(compressed.byteLength < 64 * 1024);
    const log: string[] = [];
    let emitted = 0;
    const decode = decoderWith(c.name, { maxBytes: 1 << 20, pool: recordingPool(log) });
    const e = t.throws(() => sync(fromArray<Uint8Array>([compressed]).pipe(decode, tap(() => emitted++)).run(sinkList())));
    t.true(e instanceof ConduitError && e.code === 'TOO_LARGE');
    t.true(emitted <= (1 << 20) / (16 * 1024));
    t.deepEqual(log.map((l) => l[0]), ['+', '-']);
  });
}

/** The codec named `name` as a decoder with options. */
function decoderWith(name: string, options: { maxBytes: number; pool: ReturnType<typeof recordingPool> }): ByteCodec<Flushable<Uint8Array>> {
  if (name === 'gzip') return gunzip(options);
  if (name === 'brotli') return brotliDecompress(options);
  return inflate({ ...options, raw: name.includes('raw'), windowBits: name.includes('raw') ? 9 : 15 });
}

/** Node's decoder over a stream that is sync-flushed but not finished. */
function decodePartial(name: string, b: Uint8Array): Buffer {
  const sync = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  if (name === 'gzip') return zlib.gunzipSync(b, sync);
  if (name === 'brotli') return zlib.brotliDecompressSync(b, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
  return name.includes('raw') ? zlib.inflateRawSync(b, sync) : zlib.inflateSync(b, sync);
}

test('gunzip decodes a multi-member file one member at a time', (t) => {
  const file = Buffer.concat([zlib.gzipSync('abc'), zlib.gzipSync('def'), zlib.gzipSync('')]);
  for (const { name, chunks } of splits(file)) {
    const conn = ResumableSource.from(fromArray<Uint8Array>(chunks));
    const members: string[] = [];
    for (let i = 0; i < 3; i++) members.push(sync(conn.connect(gunzip<Uint8Array>().into(concatBytes()))).toString());
    t.deepEqual(members, ['abc', 'def', ''], name);
    t.is(sync(conn.connect(concatBytes())).byteLength, 0, name);
  }
});

test('gunzip reads the optional header fields (extra, name, comment, header CRC), at every split', (t) => {
  const body = zlib.deflateRawSync(PLAIN);
  const fields = Buffer.concat([Buffer.from([4, 0]), bytes('abcd'), bytes('file.txt\0'), bytes('a comment\0')]);
  const head = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3]), fields]);
  const hcrc = zlib.crc32(head) & 0xffff;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(zlib.crc32(PLAIN), 0);
  trailer.writeUInt32LE(PLAIN.byteLength, 4);
  const member = Buffer.concat([head, Buffer.from([hcrc & 0xff, hcrc >>> 8]), body, trailer]);
  t.true(zlib.gunzipSync(member).equals(PLAIN));
  for (const { name, chunks } of splits(Buffer.concat([member, TAIL]))) {
    const conn = ResumableSource.from(fromArray<Uint8Array>(chunks));
    t.true(sync(conn.connect(gunzip<Uint8Array>().into(concatBytes()))).equals(PLAIN), name);
    t.true(sync(conn.connect(concatBytes())).equals(TAIL), name);
  }
  const badHcrc = Buffer.from(member);
  badHcrc[head.byteLength] ^= 1;
  t.is(zlibFailure(gunzip(), badHcrc), 'Z_DATA_ERROR: header crc mismatch');
});

function zlibFailure(decoder: ByteCodec<Flushable<Uint8Array>>, input: Uint8Array): string {
  try {
    sync(fromArray<Uint8Array>([input]).pipe(decoder).run(sinkList()));
  } catch (e) {
    if (e instanceof ZlibError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

test('gunzip checks the magic, method, flags, CRC-32 and length', (t) => {
  const good = zlib.gzipSync(PLAIN);
  const corrupt = (at: number, xor: number): Buffer => {
    const b = Buffer.from(good);
    b[at < 0 ? b.byteLength + at : at] ^= xor;
    return b;
  };
  t.is(zlibFailure(gunzip(), corrupt(0, 1)), 'Z_DATA_ERROR: incorrect header check');
  t.is(zlibFailure(gunzip(), corrupt(1, 1)), 'Z_DATA_ERROR: incorrect header check');
  t.is(zlibFailure(gunzip(), corrupt(2, 1)), 'Z_DATA_ERROR: unknown compression method');
  t.is(zlibFailure(gunzip(), corrupt(3, 0x20)), 'Z_DATA_ERROR: unknown header flags set');
  t.is(zlibFailure(gunzip(), corrupt(-8, 1)), 'Z_DATA_ERROR: incorrect data check');
  t.is(zlibFailure(gunzip(), corrupt(-4, 1)), 'Z_DATA_ERROR: incorrect length check');
  t.is(zlibFailure(gunzip(), corrupt(12, 0xff)).split(':')[0], 'Z_DATA_ERROR');
  t.is(zlibFailure(gunzip(), bytes('plain text, not gzip')), 'Z_DATA_ERROR: incorrect header check');
});

test('corrupt deflate data is zlib\'s own ZlibError, in a raw stream or inside a container', (t) => {
  t.is(zlibFailure(inflate({ raw: true }), Buffer.from([0xff, 0xff, 0xff])), 'Z_DATA_ERROR: invalid block type');
  const member = Buffer.concat([zlib.gzipSync(PLAIN).subarray(0, 10), Buffer.from([0xff, 0xff, 0xff])]);
  t.is(zlibFailure(gunzip(), member), 'Z_DATA_ERROR: invalid block type');
});

test('gunzip refuses a header that never ends (a name without its NUL) past 256 KiB', (t) => {
  const endless = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3]), Buffer.alloc(300 * 1024, 0x61)]);
  t.regex(zlibFailure(gunzip(), endless), /^Z_DATA_ERROR: gzip header longer than/);
});

test('inflate checks the zlib header and Adler-32, and refuses a preset dictionary or a window too large', (t) => {
  const good = zlib.deflateSync(PLAIN);
  const withByte = (at: number, value: number): Buffer => {
    const b = Buffer.from(good);
    b[at < 0 ? b.byteLength + at : at] = value;
    return b;
  };
  t.is(zlibFailure(inflate(), withByte(0, 0x79)), 'Z_DATA_ERROR: unknown compression method');
  t.is(zlibFailure(inflate(), withByte(1, good[1]! ^ 1)), 'Z_DATA_ERROR: incorrect header check');
  t.is(zlibFailure(inflate(), Buffer.from([0x78, 0xbb, 0, 0, 0, 1])), 'Z_NEED_DICT: Missing dictionary');
  t.is(zlibFailure(inflate(), Buffer.from([0x88, 0x1c])), 'Z_DATA_ERROR: invalid window size');
  t.is(zlibFailure(inflate({ windowBits: 10 }), good), 'Z_DATA_ERROR: invalid window size');
  t.is(zlibFailure(inflate(), withByte(-1, good[good.byteLength - 1]! ^ 1)), 'Z_DATA_ERROR: incorrect data check');
  t.true(sync(fromArray<Uint8Array>([zlib.deflateSync(PLAIN, { windowBits: 10 })]).pipe(inflate<Uint8Array>({ windowBits: 10 })).run(concatBytes())).equals(PLAIN));
});

test('a raw stream that ends exactly where a chunk does: the next chunk is given back untouched', (t) => {
  const raw = zlib.deflateRawSync(PLAIN);
  const conn = ResumableSource.from(fromArray<Uint8Array>([raw, TAIL, bytes('more')]));
  t.true(sync(conn.connect(inflate<Uint8Array>({ raw: true }).into(concatBytes()))).equals(PLAIN));
  t.is(text(sync(conn.connect(sinkList()))), `${TAIL.toString('latin1')}more`);
});

test('a decoder takes its engine at the first pull, gives it back at the end of the stream, then closes upstream', (t) => {
  const log: string[] = [];
  const source: Source<Uint8Array> = bracketSource(() => log.push('+source'), () => fromArray<Uint8Array>([zlib.gzipSync(PLAIN), TAIL]),
    () => void log.push('-source'));
  const out = sync(source.pipe(gunzip({ pool: recordingPool(log) }), tap(() => log.push('emit'))).run(concatBytes()));
  log.push('done');
  t.true(out.equals(PLAIN));
  // The member ended inside the first chunk: the engine goes back and upstream closes before the output moves on.
  t.deepEqual(log, ['+source', '+inflate-raw', '-inflate-raw', '-source', 'emit', 'done']);
});

test('a decoder stopped early by downstream gives its engine back once, newest first', (t) => {
  const log: string[] = [];
  const big = zlib.gzipSync(sample(200_000));
  const source = bracketSource(() => log.push('+source'), () => fromArray<Uint8Array>([big]), () => void log.push('-source'));
  const out = sync(source.pipe(gunzip({ pool: recordingPool(log), chunkBytes: 1024 }), take(1)).run(sinkList()));
  log.push('done');
  t.is(out.length, 1);
  t.deepEqual(log, ['+source', '+inflate-raw', '-inflate-raw', '-source', 'done']);
});

test('options are checked: out-of-range levels, window sizes, chunk sizes and limits are RangeErrors', (t) => {
  t.throws(() => gzip({ level: 10 }), { instanceOf: RangeError });
  t.throws(() => deflate({ windowBits: 7 }), { instanceOf: RangeError });
  t.throws(() => deflate({ memLevel: 0 }), { instanceOf: RangeError });
  t.throws(() => deflate({ strategy: 5 }), { instanceOf: RangeError });
  t.throws(() => inflate({ windowBits: 16 }), { instanceOf: RangeError });
  t.throws(() => brotliCompress({ quality: 12 }), { instanceOf: RangeError });
  t.throws(() => gunzip({ chunkBytes: 1 }), { instanceOf: RangeError });
  t.throws(() => gunzip({ maxBytes: -1 }), { instanceOf: RangeError });
  t.true(zlib.gunzipSync(bytesOf(sync(fromArray<Uint8Array>([PLAIN]).pipe(gzip({ level: 0 })).run(sinkList())))).equals(PLAIN));
  t.true(zlib.brotliDecompressSync(bytesOf(sync(fromArray<Uint8Array>([PLAIN]).pipe(brotliCompress({ quality: 11, sizeHint: PLAIN.byteLength })).run(sinkList())))).equals(PLAIN));
});
