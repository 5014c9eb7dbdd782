import test from 'ava';
import { DEFAULT_HEAD_LIMITS, parseRequestHead, type HeadLimits, type HeadResult } from '../../src/server/request-head.js';

// Feeds `input` in pieces ending at `cuts`, as a connection Sink would: the buffer grows, `scanFrom` carries over,
// and every byte past `end` is an LF so that any read beyond the bytes received would change the result.
function feed(input: string, cuts: number[], start = 0, limits: HeadLimits = DEFAULT_HEAD_LIMITS): HeadResult & { calls: number } {
  const src = Buffer.from(input, 'latin1');
  const buf = new Uint8Array(start + src.length + 8).fill(0x0a);
  let scanFrom = start;
  let calls = 0;
  for (const cut of [...cuts, src.length]) {
    buf.set(src.subarray(0, cut), start);
    calls++;
    const r = parseRequestHead(buf, start, start + cut, limits, scanFrom);
    if (r.kind !== 'need-more') return { ...r, calls };
    if (r.resumeAt < scanFrom || r.resumeAt > start + cut) throw new Error('resumeAt went backwards or past end');
    scanFrom = r.resumeAt;
  }
  return { kind: 'need-more', resumeAt: scanFrom, calls };
}

const strip = (r: HeadResult & { calls: number }): unknown =>
  r.kind === 'error' ? { kind: 'error', code: r.error.code } : r.kind === 'head' ? { kind: 'head', head: r.head, consumed: r.consumed } : r.kind;

const CASES: Array<[string, string]> = [
  ['a GET with pipelined bytes after it', 'GET /a?b HTTP/1.1\r\nHost: x\r\nX-Y: z\r\n\r\nGET /next HTTP/1.1\r\n'],
  ['leading empty lines and bare LFs', '\r\n\nPOST /p HTTP/1.1\nHost: x\nContent-Length: 3\n\nabc'],
  ['a chunked POST', 'POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
  ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n'],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n'],
  ['a bad version', 'GET / HTTP/3.0\r\nHost: x\r\n\r\n'],
  ['a missing Host', 'GET / HTTP/1.1\r\n\r\n'],
];

for (const [name, input] of CASES) {
  test(`parseRequestHead gives the same result split at every offset: ${name}`, (t) => {
    const whole = strip(feed(input, []));
    for (let k = 0; k <= input.length; k++) t.deepEqual(strip(feed(input, [k])), whole, `split at ${k}`);
  });

  test(`parseRequestHead gives the same result one byte at a time, at a non-zero start: ${name}`, (t) => {
    const whole = strip(feed(input, []));
    const oneByOne = feed(input, Array.from({ length: input.length }, (_, k) => k), 5);
    const result = strip(oneByOne);
    t.deepEqual(result, whole);
  });
}

test('parseRequestHead refuses an over-long target while it trickles in, not after 64 KiB', (t) => {
  const input = 'GET /' + 'a'.repeat(20_000);
  const r = feed(input, Array.from({ length: input.length }, (_, k) => k));
  t.is(r.kind === 'error' && r.error.code, 'URI_TOO_LONG');
  t.true(r.calls < DEFAULT_HEAD_LIMITS.maxTargetBytes + 16);
});

test('parseRequestHead resumes scanning near the end, so byte-at-a-time input is scanned once', (t) => {
  const head = 'GET / HTTP/1.1\r\nHost: x\r\nA: ' + 'b'.repeat(1000);
  const buf = Buffer.from(head, 'latin1');
  const r = parseRequestHead(buf, 0, buf.length);
  t.deepEqual(r, { kind: 'need-more', resumeAt: buf.length - 3 });
});

/** Deterministic PRNG (mulberry32) so a failure names a reproducible case. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  'GET /a?b HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
  'POST /u HTTP/1.0\nTransfer-Encoding: chunked\nExpect: 100-continue\n\n',
  '\r\nOPTIONS * HTTP/1.1\r\nHost: [::1]:80\r\nConnection: close\r\n\r\nGET',
];
const NASTY = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x3a, 0x2c, 0x7f, 0xe9, 0x41, 0x2f, 0x3f, 0x23];

for (const [name, lim] of [['default limits', DEFAULT_HEAD_LIMITS], ['tiny limits', { maxHeaderBytes: 40, maxTargetBytes: 6, maxHeaders: 2 }]] as const) {
  test(`parseRequestHead never throws and ignores splits on mutated requests (${name})`, (t) => {
    const random = prng(7);
    for (let n = 0; n < 300; n++) {
      const seed = Buffer.from(SEEDS[n % SEEDS.length]!, 'latin1');
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) seed[Math.floor(random() * seed.length)] = NASTY[Math.floor(random() * NASTY.length)]!;
      const input = seed.toString('latin1');
      const whole = strip(feed(input, [], 0, lim));
      const oneByOne = strip(feed(input, Array.from({ length: input.length }, (_, k) => k), 3, lim));
      t.deepEqual(oneByOne, whole, JSON.stringify(input));
    }
  });
}
