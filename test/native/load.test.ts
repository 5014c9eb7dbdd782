import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants } from 'node:os';
import { existsSync } from 'node:fs';
import {
  NATIVE_ADDON_PATH, NativeLoadError, WIRE_CONSTANTS, currentTarget, loadFirstUsable, loadNative, prebuiltAddonPath,
} from '../../src/native/index.js';

// This file never calls init(): it checks loading, and what the layer does before init().
const { EINVAL } = constants.errno;
const dir = mkdtempSync(join(tmpdir(), 'sluice-load-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('loadNative loads the prebuilt addon when there is one, else the local build, once', (t) => {
  const native = loadNative();
  t.is(loadNative(), native);
  t.is(loadNative(existsSync(prebuiltAddonPath()) ? prebuiltAddonPath() : NATIVE_ADDON_PATH), native);
  for (const name of ['init', 'listen', 'recv', 'send', 'writev', 'sendfile', 'flush', 'close', 'socketpair']) {
    t.is(typeof (native as unknown as Record<string, unknown>)[name], 'function', name);
  }
});

test('loadNative names the build command when the addon is missing', (t) => {
  const error = t.throws(() => loadNative(join(dir, 'missing.node')), { instanceOf: NativeLoadError });
  t.is(error?.code, 'ERR_SLUICE_NATIVE_MISSING');
  t.regex(error?.message ?? '', /node scripts\/build-native\.js/);
});

test('prebuiltAddonPath follows prebuildify\'s layout: prebuilds/<platform>-<arch>/node.napi[.<libc>].node', (t) => {
  t.regex(prebuiltAddonPath({ platform: 'linux', arch: 'arm64', libc: 'musl' }), /\/prebuilds\/linux-arm64\/node\.napi\.musl\.node$/);
  t.regex(prebuiltAddonPath({ platform: 'darwin', arch: 'x64', libc: null }), /\/prebuilds\/darwin-x64\/node\.napi\.node$/);
  t.is(prebuiltAddonPath(), prebuiltAddonPath(currentTarget()));
  t.true(['glibc', 'musl'].includes(currentTarget().libc ?? ''), 'Linux has one of the two');
});

test('loadFirstUsable skips a candidate that dlopen refuses and takes the next', (t) => {
  const garbage = join(dir, 'garbage.node');
  writeFileSync(garbage, 'not an ELF file');
  t.is(loadFirstUsable([join(dir, 'absent.node'), garbage, NATIVE_ADDON_PATH]), loadNative(NATIVE_ADDON_PATH));
});

test('loadFirstUsable names every candidate and how to build when none is usable', (t) => {
  const garbage = join(dir, 'refused.node');
  writeFileSync(garbage, 'not an ELF file');
  const none = t.throws(() => loadFirstUsable([join(dir, 'a.node'), join(dir, 'b.node')]), { instanceOf: NativeLoadError });
  t.is(none?.code, 'ERR_SLUICE_NATIVE_MISSING');
  t.regex(none?.message ?? '', /none of .*a\.node, .*b\.node exists.*node scripts\/build-native\.js/);
  const refused = t.throws(() => loadFirstUsable([garbage]), { instanceOf: NativeLoadError });
  t.is(refused?.code, 'ERR_SLUICE_NATIVE_MISSING');
  t.regex(refused?.message ?? '', /cannot load .*refused\.node \(/);
  t.true(refused?.cause instanceof Error, 'the dlopen error rides along as the cause');
});

test('loadFirstUsable reports a stale addon instead of skipping it', (t) => {
  const stale = join(dir, 'first-stale.cjs');
  writeFileSync(stale, `module.exports = ${JSON.stringify({ ...WIRE_CONSTANTS, EV_DATA: 99 })};`);
  const error = t.throws(() => loadFirstUsable([stale, NATIVE_ADDON_PATH]), { instanceOf: NativeLoadError });
  t.is(error?.code, 'ERR_SLUICE_NATIVE_MISMATCH');
});

test('loadNative rejects an addon built with another wire layout', (t) => {
  const fake = join(dir, 'stale.cjs');
  writeFileSync(fake, 'module.exports = { EV_NONE: 0, EV_DATA: 1, EV_EOF: 2, EV_ERROR: 3, EV_WRITABLE: 4, EV_ACCEPT: 5, EV_ACCEPT_ERROR: 6, EV_INOTIFY: 7, EVENT_RECORD_INT32: 3 };');
  const error = t.throws(() => loadNative(fake), { instanceOf: NativeLoadError });
  t.is(error?.code, 'ERR_SLUICE_NATIVE_MISMATCH');
  t.regex(error?.message ?? '', /EVENT_RECORD_INT32 = 3/);
});

test('calls that need the event sink return -EINVAL before init()', (t) => {
  const native = loadNative();
  const pair = native.socketpair();
  if (typeof pair === 'number') return t.fail(`socketpair ${pair}`);
  t.is(native.watch(pair[0]), -EINVAL);
  t.is(native.setReading(pair[0], true), -EINVAL);
  t.is(native.wantWritable(pair[0]), -EINVAL);
  // File-change events go into the sink's batch, so there is no inotify instance without one.
  t.is(native.inotifyAddWatch('/', 0x100), -EINVAL);
  t.is(native.inotifyRmWatch(1), -EINVAL);
  const listener = native.listen('127.0.0.1', 0, 0, false);
  t.true(listener >= 0);
  t.is(native.startAccepting(listener), -EINVAL);
  // flush still sends, but cannot arm writability without a sink.
  t.is(native.send(pair[1], Buffer.from('x'), 0, 1, false), 1);
  t.is(native.close(listener), 0);
  t.is(native.close(pair[0]), 0);
  t.is(native.close(pair[1]), 0);
});

const badInits: Array<[string, unknown[]]> = [
  ['a missing callback', [undefined, new Int32Array(4), new Uint8Array(8)]],
  ['a Uint32Array for events', [() => undefined, new Uint32Array(4), new Uint8Array(8)]],
  ['a Buffer-less recv buffer', [() => undefined, new Int32Array(4), new Uint16Array(8)]],
];
for (const [name, args] of badInits) {
  test(`init rejects ${name} with ERR_INVALID_ARG_TYPE`, (t) => {
    const init = loadNative().init as (...a: unknown[]) => void;
    const error = t.throws(() => init(...args), { instanceOf: TypeError });
    t.is((error as NodeJS.ErrnoException).code, 'ERR_INVALID_ARG_TYPE');
  });
}

test('init rejects arrays too small for one record', (t) => {
  const error = t.throws(() => loadNative().init(() => undefined, new Int32Array(3), new Uint8Array(8)));
  t.is((error as NodeJS.ErrnoException).code, 'ERR_OUT_OF_RANGE');
  const empty = t.throws(() => loadNative().init(() => undefined, new Int32Array(4), new Uint8Array(0)));
  t.is((empty as NodeJS.ErrnoException).code, 'ERR_OUT_OF_RANGE');
});
