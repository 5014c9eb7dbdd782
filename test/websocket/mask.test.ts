// Unmasking (RFC 6455 §5.3): the JS loop and the native unmask agree with a byte-by-byte reference for every
// length, start and key offset, and the native call refuses bad arguments without throwing.
import test from 'ava';
import { constants } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNative, NativeLoadError, WIRE_CONSTANTS } from '../../src/native/index.js';
import { copyUnmask, NATIVE_UNMASK_MIN, unmask, unmaskJs } from '../../src/websocket/mask.js';

const MASK = 0x9d3f1a77;

function reference(buf: Uint8Array, start: number, end: number, mask: number, offset: number): void {
  for (let i = start; i < end; i++) buf[i] ^= (mask >>> (24 - 8 * ((i - start + offset) & 3))) & 0xff;
}

function random(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

const implementations: Array<[string, typeof unmaskJs]> = [
  ['unmaskJs', unmaskJs],
  ['unmask', unmask],
  ['the native unmask', (b, s, e, m, o) => void loadNative().unmask(b, s, e - s, m, o)],
];

for (const [name, f] of implementations) {
  test(`${name} matches the byte-by-byte reference for every length, start and key offset`, (t) => {
    const data = random(300, 7);
    for (const length of [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, NATIVE_UNMASK_MIN - 1, NATIVE_UNMASK_MIN, 255, 290]) {
      for (let start = 0; start < 5; start++) {
        for (let offset = 0; offset < 4; offset++) {
          const a = Uint8Array.from(data);
          const b = Uint8Array.from(data);
          f(a, start, start + length, MASK, offset);
          reference(b, start, start + length, MASK, offset);
          if (!Buffer.from(a).equals(Buffer.from(b))) return t.fail(`length ${length}, start ${start}, offset ${offset}`);
        }
      }
    }
    t.pass();
  });
}

test('copyUnmask writes the unmasked bytes at the destination and leaves the source and the rest alone', (t) => {
  const data = random(9000, 11);
  for (const length of [0, 1, 7, 8, 9, 300, 8191]) {
    for (const offset of [0, 1, 3]) {
      const src = Uint8Array.from(data);
      const dst = new Uint8Array(length + 40).fill(0xaa);
      copyUnmask(src, 5, 5 + length, dst, 20, MASK, offset);
      const want = Uint8Array.from(data.subarray(5, 5 + length));
      reference(want, 0, length, MASK, offset);
      if (!Buffer.from(dst.subarray(20, 20 + length)).equals(Buffer.from(want))) return t.fail(`length ${length}, offset ${offset}`);
      if (dst.subarray(0, 20).some((b) => b !== 0xaa) || dst.subarray(20 + length).some((b) => b !== 0xaa)) return t.fail('wrote outside');
      if (!Buffer.from(src).equals(Buffer.from(data))) return t.fail('changed the source');
    }
  }
  t.pass();
});

test('the native copyUnmask refuses out-of-bounds and overlapping views with -EINVAL, never throws', (t) => {
  const native = loadNative();
  const EINVAL = constants.errno.EINVAL;
  const a = new Uint8Array(64);
  const b = new Uint8Array(64);
  t.is(native.copyUnmask(a, 0, b, 60, 8, MASK, 0), -EINVAL);
  t.is(native.copyUnmask(a, 60, b, 0, 8, MASK, 0), -EINVAL);
  t.is(native.copyUnmask(a, 0, b, 0, 8, MASK, 4), -EINVAL);
  t.is(native.copyUnmask(a, 0, a, 4, 8, MASK, 0), -EINVAL);
  t.is(native.copyUnmask(a, 0, a.subarray(8), 0, 8, MASK, 0), 0, 'adjacent, not overlapping');
  t.is(native.copyUnmask(a, 0, b, 0, 64, MASK, 2), 0);
});

test('unmasking twice restores the payload, also when split across calls', (t) => {
  const data = random(1000, 3);
  const buf = Uint8Array.from(data);
  unmask(buf, 0, 333, MASK, 0);
  unmask(buf, 333, 1000, MASK, 333 & 3);
  unmask(buf, 0, 1000, MASK, 0);
  t.true(Buffer.from(buf).equals(Buffer.from(data)));
});

test('the native unmask returns -EINVAL for arguments out of bounds, never throws', (t) => {
  const native = loadNative();
  const buf = new Uint8Array(16);
  const EINVAL = constants.errno.EINVAL;
  t.is(native.unmask(buf, 10, 7, MASK, 0), -EINVAL);
  t.is(native.unmask(buf, -1, 2, MASK, 0), -EINVAL);
  t.is(native.unmask(buf, 0, 4, MASK, 4), -EINVAL);
  t.is(native.unmask(new Uint16Array(4) as unknown as Uint8Array, 0, 2, MASK, 0), -EINVAL);
  t.is(native.unmask(buf, 0, 16, MASK, 3), 0);
});

test('loadNative refuses an addon built before unmask existed', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-mask-'));
  try {
    const fake = join(dir, 'old.cjs');
    // Every wire constant right (an addon of the same layout), but no unmask().
    writeFileSync(fake, `module.exports = ${JSON.stringify(WIRE_CONSTANTS)};`);
    const e = t.throws(() => loadNative(fake), { instanceOf: NativeLoadError });
    t.is(e?.code, 'ERR_SLUICE_NATIVE_MISMATCH');
    t.regex(e?.message ?? '', /unmask/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
