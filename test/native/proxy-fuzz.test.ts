// Randomised abuse of the native PROXY parser (seeded, so a failure replays): valid v1 and v2 headers with bytes
// flipped, lengths rewritten, TLVs cut and garbage appended. Whatever comes in, parseProxyHeader answers header /
// need-more / error, never throws or reads past its input, and a header it accepts re-parses the same from its own
// bytes alone. SLUICE_FUZZ_ITERATIONS raises the count (default 20,000, a second or two) for long runs.
import test from 'ava';
import { loadNative, type NativeProxyParse } from '../../src/native/index.js';
import { PP2, proxyV1, proxyV2 } from './support/proxy-header.js';

const native = loadNative();
const ITERATIONS = Number(process.env.SLUICE_FUZZ_ITERATIONS ?? 20_000);

/** xorshift32: reproducible bytes from a seed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const SEEDS: readonly Buffer[] = [
  proxyV1('192.0.2.1', '198.51.100.2', 1234, 443),
  proxyV1('2001:db8::1', '2001:db8::2', 1, 65535),
  Buffer.from('PROXY UNKNOWN\r\n'),
  proxyV2({ source: '192.0.2.1', destination: '192.0.2.2', sourcePort: 1, destinationPort: 2 }),
  proxyV2({ source: '2001:db8::1', destination: '2001:db8::2', sourcePort: 1, destinationPort: 2,
    tlvs: [{ type: PP2.ALPN, value: Buffer.from('h2') }, { type: PP2.AUTHORITY, value: Buffer.from('example.com') }], crc: 'good' }),
  proxyV2({ command: 'LOCAL' }),
];

/** One mutation of a seed: flip bytes, rewrite a 16-bit length, truncate, or append junk. */
function mutate(next: () => number): Buffer {
  const bytes = Buffer.from(SEEDS[next() % SEEDS.length]!);
  const kind = next() % 5;
  if (kind === 0) for (let i = 0, n = 1 + (next() % 3); i < n; i++) bytes[next() % bytes.length] = next() & 0xff;
  if (kind === 1 && bytes.length >= 16) bytes.writeUInt16BE(next() & 0xffff, 14);
  if (kind === 2 && bytes.length > 18) bytes.writeUInt16BE(next() & 0xffff, 16 + (next() % (bytes.length - 17)));
  if (kind === 3) return bytes.subarray(0, next() % bytes.length);
  if (kind === 4) return Buffer.concat([bytes, Buffer.from(Array.from({ length: next() % 40 }, () => next() & 0xff))]);
  return bytes;
}

function check(input: Buffer, r: NativeProxyParse): string | null {
  if (r.kind === 'need-more' || r.kind === 'error') return null;
  if (r.kind !== 'header') return `unknown kind ${JSON.stringify(r)}`;
  if (r.length <= 0 || r.length > input.length) return `length ${r.length} of ${input.length} input bytes`;
  const again = native.parseProxyHeader(input.subarray(0, r.length));
  return JSON.stringify(again) === JSON.stringify(r) ? null : 'a header does not re-parse the same from its own bytes';
}

test(`${ITERATIONS} mutated headers: every answer is header / need-more / error, within the input`, (t) => {
  const next = random(0x5eed);
  const kinds = { header: 0, 'need-more': 0, error: 0 };
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(next);
    const r = native.parseProxyHeader(input);
    const problem = check(input, r);
    if (problem !== null) return t.fail(`${problem} for ${input.toString('hex')}`);
    kinds[r.kind]++;
  }
  t.log(kinds);
  // The mutations reach every outcome (a generator that only ever made errors would test nothing).
  t.true(kinds.header > 0 && kinds['need-more'] > 0 && kinds.error > 0);
});

test('random bytes behind a v2 signature and the v1 prefix never throw', (t) => {
  const next = random(0xbad);
  for (let i = 0; i < ITERATIONS / 4; i++) {
    const prefix = i % 2 === 0 ? SEEDS[3]!.subarray(0, 12) : Buffer.from('PROXY ');
    const input = Buffer.concat([prefix, Buffer.from(Array.from({ length: next() % 300 }, () => next() & 0xff))]);
    const problem = check(input, native.parseProxyHeader(input));
    if (problem !== null) return t.fail(`${problem} for ${input.toString('hex')}`);
  }
  t.pass();
});
