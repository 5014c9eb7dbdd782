import test from 'ava';
import {
  CHUNK_TRAILER_CRLF, ChunkedDecoder, ChunkSizeError, encodeChunkHeader, LAST_CHUNK, writeChunkHeader,
  type ChunkedLimits, type ChunkErrorCode,
} from '../../src/conduit/chunked-codec.js';

interface Outcome {
  data: string;
  trailers?: Array<[string, string]>;
  rest?: string; // bytes the decoder left after the body
  error?: ChunkErrorCode;
}

/** Drives one decoder over `input` cut into pieces at `cuts`, exactly as a Conduit wrapping it would. */
function run(input: string, cuts: number[] = [], limits: ChunkedLimits = {}): Outcome {
  const decoder = new ChunkedDecoder(limits);
  const src = Buffer.from(input, 'latin1');
  const bounds = [0, ...cuts, src.length];
  let data = '';
  for (let k = 0; k + 1 < bounds.length; k++) {
    // Each piece is its own array, with junk around it, so a read outside [start, end) would show.
    const piece = src.subarray(bounds[k], bounds[k + 1]);
    const buf = new Uint8Array(piece.length + 4).fill(0x30);
    buf.set(piece, 2);
    let pos = 2;
    const end = 2 + piece.length;
    for (;;) {
      const step = decoder.decode(buf, pos, end);
      if (step.kind === 'error') return { data, error: step.code };
      if (step.kind === 'need-more') {
        if (step.consumed !== end - pos) throw new Error('need-more must consume everything');
        break;
      }
      if (step.kind === 'data') {
        if (step.start < pos || step.end > end || step.end <= step.start) throw new Error('bad data slice');
        data += Buffer.from(buf.subarray(step.start, step.end)).toString('latin1');
        pos += step.consumed;
        continue;
      }
      pos += step.consumed;
      const rest = Buffer.from(buf.subarray(pos, end)).toString('latin1') + src.subarray(bounds[k + 1]).toString('latin1');
      return { data, trailers: step.trailers, rest };
    }
  }
  return { data };
}

const NEXT = 'GET /next HTTP/1.1\r\n\r\n';
const OK_CASES: Array<[string, string, Outcome]> = [
  ['one chunk', '5\r\nhello\r\n0\r\n\r\n', { data: 'hello', trailers: [], rest: NEXT }],
  ['several chunks, upper and lower hex', 'A\r\n0123456789\r\nb\r\nabcdefghijk\r\n1\r\n!\r\n0\r\n\r\n',
    { data: '0123456789abcdefghijk!', trailers: [], rest: NEXT }],
  ['an empty body', '0\r\n\r\n', { data: '', trailers: [], rest: NEXT }],
  ['leading zeros', '0005\r\nhello\r\n000\r\n\r\n', { data: 'hello', trailers: [], rest: NEXT }],
  ['extensions, skipped', '5;name=value;q="a b"\r\nhello\r\n0 ; last\r\n\r\n', { data: 'hello', trailers: [], rest: NEXT }],
  ['trailers, consumed and exposed', '3\r\nabc\r\n0\r\nX-Sum: 42 \r\nExpires:\tnever\r\nEmpty:\r\n\r\n',
    { data: 'abc', trailers: [['x-sum', '42'], ['expires', 'never'], ['empty', '']], rest: NEXT }],
  ['CRLF bytes inside data', '4\r\n\r\n\r\n\r\n0\r\n\r\n', { data: '\r\n\r\n', trailers: [], rest: NEXT }],
];

for (const [name, body, expected] of OK_CASES) {
  const input = body + NEXT;
  test(`ChunkedDecoder decodes ${name} and leaves the next request untouched`, (t) => {
    t.deepEqual(run(input), expected);
  });
  test(`ChunkedDecoder gives the same result split at every offset: ${name}`, (t) => {
    for (let k = 0; k <= input.length; k++) t.deepEqual(run(input, [k]), expected, `split at ${k}`);
  });
  test(`ChunkedDecoder gives the same result one byte at a time: ${name}`, (t) => {
    t.deepEqual(run(input, Array.from({ length: input.length - 1 }, (_, k) => k + 1)), expected);
  });
}

const rejects = test.macro({
  exec(t, body: string, code: ChunkErrorCode, limits: ChunkedLimits = {}) {
    t.is(run(body + NEXT, [], limits).error, code);
    t.is(run(body + NEXT, Array.from({ length: body.length }, (_, k) => k + 1), limits).error, code, 'one byte at a time');
  },
  title: (provided = '', _body, code) => `ChunkedDecoder rejects ${provided} with ${code}`,
});
test('a non-hex size', rejects, 'zz\r\n', 'BAD_CHUNK');
test('an empty size', rejects, '\r\nabc\r\n', 'BAD_CHUNK');
test('a signed size', rejects, '+5\r\nhello\r\n0\r\n\r\n', 'BAD_CHUNK');
test('a negative size', rejects, '-5\r\nhello\r\n', 'BAD_CHUNK');
test('a space before the size', rejects, ' 5\r\nhello\r\n', 'BAD_CHUNK');
test('a 0x prefix', rejects, '0x5\r\nhello\r\n', 'BAD_CHUNK');
test('whitespace after the size without an extension', rejects, '5 \r\nhello\r\n', 'BAD_CHUNK');
test('a bare LF after the size', rejects, '5\nhello\r\n0\r\n\r\n', 'BAD_CHUNK');
test('a CR not followed by LF after the size', rejects, '5\rXhello\r\n', 'BAD_CHUNK');
test('a bare LF after the data', rejects, '5\r\nhello\n0\r\n\r\n', 'BAD_CHUNK');
test('data longer than its size', rejects, '3\r\nhello\r\n0\r\n\r\n', 'BAD_CHUNK');
test('a CR without LF after the data', rejects, '5\r\nhello\rX', 'BAD_CHUNK');
test('a bare LF in an extension', rejects, '5;a\nhello\r\n', 'BAD_CHUNK');
test('a control byte in an extension', rejects, '5;a\0b\r\nhello\r\n', 'BAD_CHUNK');
test('a DEL in an extension', rejects, '5;a\x7f\r\nhello\r\n', 'BAD_CHUNK');
test('over-long extensions', rejects, '5;' + 'e'.repeat(20) + '\r\nhello\r\n', 'BAD_CHUNK', { maxExtensionBytes: 16 });
test('extensions over the budget summed over chunks', rejects,
  '1;aaaaaaaa\r\nx\r\n1;bbbbbbbb\r\ny\r\n0\r\n\r\n', 'BAD_CHUNK', { maxExtensionBytes: 12 });
test('17 hex digits', rejects, '00000000000000001\r\nx\r\n', 'CHUNK_TOO_LARGE');
test('a size above MAX_SAFE_INTEGER', rejects, '20000000000000\r\n', 'CHUNK_TOO_LARGE');
test('more digits than configured', rejects, '10000\r\n', 'CHUNK_TOO_LARGE', { maxChunkSizeDigits: 4 });
test('a bare LF ending the body', rejects, '0\r\n\n', 'BAD_CHUNK');
test('a CR without LF ending the body', rejects, '0\r\n\rX', 'BAD_CHUNK');
test('a trailer without a colon', rejects, '0\r\nNoColon\r\n\r\n', 'BAD_CHUNK');
test('a trailer with whitespace before the colon', rejects, '0\r\nX : 1\r\n\r\n', 'BAD_CHUNK');
test('a trailer with an empty name', rejects, '0\r\n: 1\r\n\r\n', 'BAD_CHUNK');
test('a trailer with a NUL in its value', rejects, '0\r\nX: a\0b\r\n\r\n', 'BAD_CHUNK');
test('a trailer ended by a bare LF', rejects, '0\r\nX: 1\n\r\n', 'BAD_CHUNK');
test('a trailer with a CR not followed by LF', rejects, '0\r\nX: 1\rY\r\n\r\n', 'BAD_CHUNK');
test('an obs-folded trailer', rejects, '0\r\nX: 1\r\n 2\r\n\r\n', 'BAD_CHUNK');
test('a trailer section over the limit', rejects, '0\r\nX-Big: ' + 'v'.repeat(64) + '\r\n\r\n', 'TRAILER_TOO_LARGE', { maxTrailerBytes: 32 });
test('a trailer whose line end crosses the limit', rejects, '0\r\nA: 1\r\n\r\n', 'TRAILER_TOO_LARGE', { maxTrailerBytes: 4 });
test('a trailer section one byte over the limit', rejects, '0\r\nA: 1\r\n\r\n', 'TRAILER_TOO_LARGE', { maxTrailerBytes: 7 });
test('the final CRLF alone over a 1-byte trailer limit', rejects, '0\r\n\r\n', 'TRAILER_TOO_LARGE', { maxTrailerBytes: 1 });
test('many small trailers over the limit', rejects, '0\r\n' + 'A: 1\r\n'.repeat(10) + '\r\n', 'TRAILER_TOO_LARGE', { maxTrailerBytes: 32 });

test('ChunkedDecoder accepts a trailer section (lines and final CRLF) of exactly the limit', (t) => {
  t.deepEqual(run('0\r\nA: 1\r\n\r\n' + NEXT, [], { maxTrailerBytes: 8 }), { data: '', trailers: [['a', '1']], rest: NEXT });
});

test('ChunkedDecoder accepts a size of exactly 16 hex digits below MAX_SAFE_INTEGER', (t) => {
  const d = new ChunkedDecoder();
  const b = Buffer.from('000000000000000f\r\n', 'latin1');
  t.deepEqual(d.decode(b, 0, b.length), { kind: 'need-more', consumed: b.length });
});

test('ChunkedDecoder hands out a large chunk across many pieces without copying', (t) => {
  const d = new ChunkedDecoder();
  const head = Buffer.from('186a0\r\n', 'latin1'); // 100000 bytes
  t.deepEqual(d.decode(head, 0, head.length), { kind: 'need-more', consumed: head.length });
  const piece = new Uint8Array(30_000);
  let total = 0;
  for (let k = 0; k < 3; k++) {
    const step = d.decode(piece, 0, piece.length);
    t.deepEqual(step, { kind: 'data', start: 0, end: 30_000, consumed: 30_000 });
    total += 30_000;
  }
  const last = Buffer.from('x'.repeat(10_000) + '\r\n0\r\n\r\nNEXT', 'latin1');
  const step = d.decode(last, 0, last.length);
  t.deepEqual(step, { kind: 'data', start: 0, end: 10_000, consumed: 10_000 });
  t.is(total + 10_000, 100_000);
  t.deepEqual(d.decode(last, 10_000, last.length), { kind: 'done', consumed: 7, trailers: [] });
});

test('ChunkedDecoder keeps answering done, and an error stays an error', (t) => {
  const d = new ChunkedDecoder();
  const b = Buffer.from('0\r\n\r\nrest', 'latin1');
  t.deepEqual(d.decode(b, 0, b.length), { kind: 'done', consumed: 5, trailers: [] });
  t.deepEqual(d.decode(b, 5, b.length), { kind: 'done', consumed: 0, trailers: [] });
  t.deepEqual(d.decode(b, 9, 9), { kind: 'done', consumed: 0, trailers: [] });
  const bad = new ChunkedDecoder();
  const x = Buffer.from('q', 'latin1');
  const first = bad.decode(x, 0, 1);
  t.is(first.kind, 'error');
  t.is(bad.decode(x, 0, 1), first);
  t.is(bad.decode(x, 1, 1), first);
});

test('ChunkedDecoder.reset makes it ready for the next body', (t) => {
  const d = new ChunkedDecoder();
  const b = Buffer.from('0\r\nA: 1\r\n\r\n', 'latin1');
  t.is(d.decode(b, 0, b.length).kind, 'done');
  d.reset();
  const c = Buffer.from('2\r\nhi\r\n0\r\n\r\n', 'latin1');
  t.deepEqual(d.decode(c, 0, c.length), { kind: 'data', start: 3, end: 5, consumed: 5 });
  t.deepEqual(d.decode(c, 5, c.length), { kind: 'done', consumed: 7, trailers: [] });
  d.reset();
  t.is(d.decode(Buffer.from('z'), 0, 1).kind, 'error');
  d.reset();
  t.deepEqual(d.decode(b, 0, b.length), { kind: 'done', consumed: b.length, trailers: [['a', '1']] });
});

test('encodeChunkHeader writes lower-case hex and CRLF', (t) => {
  const cases: Array<[number, string]> = [[1, '1\r\n'], [15, 'f\r\n'], [16, '10\r\n'], [255, 'ff\r\n'], [65536, '10000\r\n'],
    [Number.MAX_SAFE_INTEGER, '1fffffffffffff\r\n']];
  for (const [size, expected] of cases) t.is(Buffer.from(encodeChunkHeader(size)).toString('latin1'), expected);
  t.is(Buffer.from(LAST_CHUNK).toString('latin1'), '0\r\n\r\n');
  t.is(Buffer.from(CHUNK_TRAILER_CRLF).toString('latin1'), '\r\n');
});

test('writeChunkHeader writes at an offset, or returns -needed and writes nothing', (t) => {
  const out = new Uint8Array(8).fill(0x2e);
  t.is(writeChunkHeader(out, 6, 0x1234), -6);
  t.true(out.every((b) => b === 0x2e));
  t.is(writeChunkHeader(out, 2, 0x1234), 6);
  t.is(Buffer.from(out).toString('latin1'), '..1234\r\n');
});

test('writeChunkHeader refuses sizes that are not positive safe integers', (t) => {
  for (const size of [0, -1, 1.5, 2 ** 53, Number.NaN]) {
    const e = t.throws(() => encodeChunkHeader(size), { instanceOf: ChunkSizeError });
    t.is(e?.code, 'BAD_CHUNK_SIZE');
  }
});

test('encoded chunks decode back to the same data', (t) => {
  const parts = ['a', 'bb'.repeat(40), 'ccc'];
  const wire = Buffer.concat([
    ...parts.flatMap((p) => [encodeChunkHeader(p.length), Buffer.from(p), CHUNK_TRAILER_CRLF]), LAST_CHUNK,
  ]).toString('latin1');
  t.deepEqual(run(wire), { data: parts.join(''), trailers: [], rest: '' });
});

test('ChunkedDecoder never throws and ignores splits on mutated bodies', (t) => {
  let seed = 11;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const bodies = ['5;a=b\r\nhello\r\n0\r\nX: 1\r\n\r\n', 'a\r\n0123456789\r\n0\r\n\r\n'];
  const nasty = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x3b, 0x3a, 0x30, 0x66, 0x7f, 0xe9];
  const limits = { maxTrailerBytes: 12, maxExtensionBytes: 4, maxChunkSizeDigits: 3 };
  for (let n = 0; n < 400; n++) {
    const bytes = [...Buffer.from(bodies[n % 2]! + NEXT, 'latin1')];
    for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
      const pos = Math.floor(random() * (bytes.length - NEXT.length));
      const r = random();
      if (r < 0.6) bytes[pos] = nasty[Math.floor(random() * nasty.length)]!;
      else if (r < 0.8) bytes.splice(pos, 0, nasty[Math.floor(random() * nasty.length)]!);
      else bytes.splice(pos, 1);
    }
    const input = Buffer.from(bytes).toString('latin1');
    const lim = n % 3 === 0 ? limits : {};
    const whole = run(input, [], lim);
    t.deepEqual(run(input, Array.from({ length: input.length - 1 }, (_, k) => k + 1), lim), whole, JSON.stringify(input));
    t.deepEqual(run(input, [Math.floor(random() * input.length)], lim), whole, JSON.stringify(input));
  }
});
