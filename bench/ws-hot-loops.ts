// Micro-benchmark of the WebSocket receiver's hot loops: unmasking (JS loops vs the addon's unmask) and UTF-8
// validation/decoding (Node's native isUtf8, TextDecoder, a JS validator), at message sizes from 16 B to 1 MiB.
// Run: npx tsc -p . && node dist/bench/ws-hot-loops.js [roundMs]. Variants of one size run interleaved, median of
// ROUNDS; numbers swing ±30% on shared machines, so compare within a run (the ratio columns).
import { isUtf8 } from 'node:buffer';
import { loadNative } from '../src/native/index.js';
import { unmaskJs } from '../src/websocket/mask.js';
import { decodeUtf8, Utf8Validator } from '../src/websocket/utf8.js';

const ROUND_MS = Number(process.argv[2] ?? 150);
const ROUNDS = 7;
const MASK = 0x9d3f1a77;
const native = loadNative();

/** ns per call for each variant, run round-robin so a noisy neighbour hits them all alike. */
function measure(variants: ReadonlyArray<readonly [string, () => number]>, size: number): Map<string, number> {
  // Calls between clock reads: enough that reading the clock is noise for small payloads.
  const batch = Math.max(1, Math.floor(65536 / size));
  const rounds = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  let sink = 0;
  // Warm up to optimized code: a few thousand calls, or 50 ms for the big sizes.
  for (const [, op] of variants) {
    const until = Date.now() + 50;
    for (let i = 0; i < 3000 && Date.now() < until; i++) sink += op();
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, op] of variants) {
      let calls = 0;
      const t0 = process.hrtime.bigint();
      const deadline = t0 + BigInt(ROUND_MS) * 1_000_000n;
      let now = t0;
      while (now < deadline) {
        for (let i = 0; i < batch; i++) sink += op();
        calls += batch;
        now = process.hrtime.bigint();
      }
      rounds.get(name)!.push(Number(now - t0) / calls);
    }
  }
  if (sink === 0.5) console.log(sink);
  const out = new Map<string, number>();
  for (const [name, list] of rounds) out.set(name, list.sort((a, b) => a - b)[ROUNDS >> 1]!);
  return out;
}

/** The obvious loop: one byte and one key lookup per step. */
function unmaskBytes(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) buf[i] ^= (MASK >>> (24 - 8 * ((i - start) & 3))) & 0xff;
  return end;
}

/** Four bytes per step through a Uint32Array view (only over the 4-byte aligned middle; bytes around it one by one). */
function unmaskU32(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let k = 0;
  while (i < end && ((buf.byteOffset + i) & 3) !== 0) buf[i++] ^= (MASK >>> (24 - 8 * (k++ & 3))) & 0xff;
  const words = (end - i) >>> 2;
  if (words > 0) {
    const r = k & 3;
    // The key as a little-endian word starting at key byte r.
    let key = 0;
    for (let b = 3; b >= 0; b--) key = (key << 8) | ((MASK >>> (24 - 8 * ((r + b) & 3))) & 0xff);
    const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] ^= key;
    i += words * 4;
    k += words * 4;
  }
  while (i < end) buf[i++] ^= (MASK >>> (24 - 8 * (k++ & 3))) & 0xff;
  return end;
}

/** A plain JS UTF-8 validator (RFC 3629 table), for scale. */
function validateJs(buf: Uint8Array): number {
  const v = new Utf8Validator();
  return v.push(buf, 0, buf.length) && v.finish() ? 1 : 0;
}

const fatal = new TextDecoder('utf-8', { fatal: true });
const sizes = [16, 64, 125, 256, 1024, 16 * 1024, 64 * 1024, 1024 * 1024];

console.log(`# unmask: ns per payload (median of ${ROUNDS} rounds of ${ROUND_MS} ms; payload at offset 6, as after a header)`);
console.log('| bytes | byte loop | JS 4 bytes/step (unmaskJs) | JS Uint32Array view | native unmask | native vs unmaskJs |');
console.log('|---|---|---|---|---|---|');
for (const size of sizes) {
  const buf = new Uint8Array(size + 16).fill(0x5a);
  const r = measure([
    ['bytes', () => unmaskBytes(buf, 6, 6 + size)],
    ['js4', () => (unmaskJs(buf, 6, 6 + size, MASK, 0), size)],
    ['u32', () => unmaskU32(buf, 6, 6 + size)],
    ['native', () => native.unmask(buf, 6, size, MASK, 0) + size],
  ], size);
  const f = (n: number): string => n.toFixed(n < 100 ? 1 : 0);
  console.log(`| ${size} | ${f(r.get('bytes')!)} | ${f(r.get('js4')!)} | ${f(r.get('u32')!)} | ${f(r.get('native')!)} | ${(r.get('js4')! / r.get('native')!).toFixed(2)}x |`);
}

console.log(`\n# UTF-8: ns per message (validation only, and validation + decode to a string)`);
console.log('| bytes | text | isUtf8 (native simdutf) | Utf8Validator (isUtf8 + JS edges) | decodeUtf8 | TextDecoder fatal | isUtf8 + toString |');
console.log('|---|---|---|---|---|---|---|');
for (const size of sizes) {
  for (const [kind, unit] of [['ASCII', 'a'], ['mixed', 'aé€𝄞']] as const) {
    // Whole characters up to `size` bytes, so the text is valid.
    const chars = [...unit];
    let s = '';
    for (let i = 0; Buffer.byteLength(s) + 4 <= size; i++) s += chars[i % chars.length];
    while (Buffer.byteLength(s) < size) s += 'a';
    const valid = new Uint8Array(Buffer.from(s));
    const r = measure([
      ['isUtf8', () => (isUtf8(valid) ? 1 : 0)],
      ['validator', () => validateJs(valid)],
      ['decode', () => decodeUtf8(valid, 0, valid.length)!.length],
      ['fatal', () => fatal.decode(valid).length],
      ['toString', () => (isUtf8(valid) ? Buffer.from(valid.buffer, valid.byteOffset, valid.length).toString('utf8').length : 0)],
    ], size);
    const f = (n: number): string => n.toFixed(n < 100 ? 1 : 0);
    console.log(`| ${valid.length} | ${kind} | ${f(r.get('isUtf8')!)} | ${f(r.get('validator')!)} | ${f(r.get('decode')!)} | ${f(r.get('fatal')!)} | ${f(r.get('toString')!)} |`);
  }
}
