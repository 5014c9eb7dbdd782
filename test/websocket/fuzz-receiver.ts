// Fuzz target for the frame parser and the receiver (ENGINE-REVIEW C8): random conversations, mutated and split at
// random offsets. Invariants: only WebSocketError escapes, the split never changes the outcome, and unmutated
// conversations come out exactly as sent. A short run is in the default suite (fuzz.test.ts); a long one:
//   node dist/test/websocket/fuzz-receiver.js --iterations 200000 --seed 7
import { fileURLToPath } from 'node:url';
import { constants, deflateRawSync } from 'node:zlib';
import { WebSocketError } from '../../src/websocket/close.js';
import { FrameHeader, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT, parseFrameHeader } from '../../src/websocket/frame.js';
import type { Received } from '../../src/websocket/messages.js';
import { MessageDecompressor } from '../../src/websocket/permessage-deflate.js';
import { receive } from './support/receive.js';
import { clientFrame, closePayload } from './support/wire.js';

/** A small deterministic PRNG (mulberry32), so a failing seed reproduces. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXTS = ['', 'a', 'héllo', '€𝄞', 'x'.repeat(130), 'κόσμε'.repeat(30)];

interface Conversation {
  bytes: Buffer;
  expected: Received[];
  compressed: boolean;
}

/** A valid conversation: messages (some fragmented, some compressed) with control frames between fragments. */
function conversation(rand: () => number): Conversation {
  const frames: Buffer[] = [];
  const expected: Received[] = [];
  const compressed = rand() < 0.3;
  const n = 1 + Math.floor(rand() * 5);
  for (let i = 0; i < n; i++) {
    const text = rand() < 0.6;
    const value = text ? TEXTS[Math.floor(rand() * TEXTS.length)]! : Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
    const raw = typeof value === 'string' ? Buffer.from(value) : value;
    const deflate = compressed && rand() < 0.5;
    const payload = deflate ? deflateRawSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4) : raw;
    const pieces = 1 + Math.floor(rand() * 3);
    const cuts = [0, ...Array.from({ length: pieces - 1 }, () => Math.floor(rand() * (payload.length + 1))).sort((a, b) => a - b), payload.length];
    for (let k = 0; k < pieces; k++) {
      const op = k === 0 ? (text ? OP_TEXT : OP_BINARY) : OP_CONTINUATION;
      frames.push(clientFrame(op, payload.subarray(cuts[k]!, cuts[k + 1]!), { fin: k === pieces - 1, rsv1: deflate && k === 0, mask: Math.floor(rand() * 2 ** 32) }));
      if (k < pieces - 1 && rand() < 0.3) {
        frames.push(clientFrame(OP_PING, 'p'));
        expected.push({ kind: 'ping', data: Buffer.from('p') });
      }
    }
    expected.push(value);
    if (rand() < 0.2) {
      frames.push(clientFrame(OP_PONG, ''));
      expected.push({ kind: 'pong', data: Buffer.alloc(0) });
    }
  }
  if (rand() < 0.5) {
    frames.push(clientFrame(OP_CLOSE, closePayload(1000, 'end')));
    expected.push({ kind: 'close', code: 1000, reason: 'end' });
  }
  return { bytes: Buffer.concat(frames), expected, compressed };
}

/** Flips, inserts or deletes a few random bytes. */
function mutate(bytes: Buffer, rand: () => number): Buffer {
  const out = [...bytes];
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = Math.floor(rand() * out.length);
    const kind = rand();
    if (kind < 0.6) out[at] = Math.floor(rand() * 256);
    else if (kind < 0.8) out.splice(at, 0, Math.floor(rand() * 256));
    else out.splice(at, 1);
  }
  return Buffer.from(out);
}

function randomSplit(bytes: Buffer, rand: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = 1 + Math.floor(rand() * (rand() < 0.5 ? 4 : 64));
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

/**
 * What a run came to, comparable across splits: its events and its error code. With compression only whether it
 * failed: inflating in pieces can show invalid UTF-8 (1007) or too much output (1009) before zlib reaches the corrupt
 * byte that a single call reports first, and each answer is right for the bytes seen so far.
 */
function outcome(chunks: Buffer[], compressed: boolean): string {
  const r = receive(chunks, { maxPayloadLength: 4096, decompressor: compressed ? new MessageDecompressor(15, true) : null });
  const error = r.error === null ? null : compressed ? 'failed' : r.error.code;
  return JSON.stringify({ events: r.events, error });
}

/** Runs `iterations` cases from `seed`; throws on the first broken invariant, naming the case. */
export function fuzzReceiver(seed: number, iterations: number): void {
  const rand = prng(seed);
  for (let i = 0; i < iterations; i++) {
    const c = conversation(rand);
    const bytes = rand() < 0.5 ? c.bytes : mutate(c.bytes, rand);
    let whole: string;
    try {
      whole = outcome([bytes], c.compressed);
      if (bytes === c.bytes) {
        const expected = JSON.stringify({ events: c.expected, error: null });
        if (whole !== expected) throw new Error(`a valid conversation came out as ${whole}, expected ${expected}`);
      }
      const split = outcome(randomSplit(bytes, rand), c.compressed);
      if (split !== whole) throw new Error(`a split changed the outcome: ${split} vs ${whole}`);
    } catch (e) {
      if (e instanceof WebSocketError) throw new Error(`WebSocketError escaped receive(): ${e.message}`);
      throw new Error(`seed ${seed}, case ${i} (${bytes.toString('hex').slice(0, 200)}): ${(e as Error).message}`);
    }
  }
}

/** Random bytes into parseFrameHeader: never a throw, and a header found at n bytes is the same header at n + k. */
export function fuzzHeaderParser(seed: number, iterations: number): void {
  const rand = prng(seed);
  const buf = new Uint8Array(20);
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < buf.length; k++) buf[k] = Math.floor(rand() * 256);
    const rules = { masked: rand() < 0.8, compression: rand() < 0.5 };
    let first: FrameHeader | null = null;
    let firstAnswer = 'need-more';
    for (let n = 0; n <= buf.length; n++) {
      const h = new FrameHeader();
      const r = parseFrameHeader(buf, 0, n, h, rules);
      if (firstAnswer !== 'need-more' && r !== firstAnswer) throw new Error(`seed ${seed} case ${i}: ${firstAnswer} at fewer bytes, ${r} at ${n}`);
      if (r === 'header') {
        if (first !== null && JSON.stringify(first) !== JSON.stringify(h)) throw new Error(`seed ${seed} case ${i}: the header changed with more bytes`);
        first = h;
      }
      if (firstAnswer === 'need-more') firstAnswer = r;
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const seed = arg('seed', Date.now() % 100000);
  const iterations = arg('iterations', 100_000);
  const t0 = Date.now();
  fuzzHeaderParser(seed, iterations);
  fuzzReceiver(seed, iterations);
  console.log(`fuzz: ${iterations} headers and ${iterations} conversations from seed ${seed}, no invariant broken (${Date.now() - t0} ms)`);
}
