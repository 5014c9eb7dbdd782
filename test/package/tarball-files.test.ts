import test from 'ava';
import { FORBIDDEN, MAX_FILES, REQUIRED_FILES, checkTarballFiles } from './tarball-files.js';

const good = [...REQUIRED_FILES, 'dist/src/chunks/server.js', 'dist/src/chunks/conduit.js', 'dist/types/shared-Ab12.d.ts', 'src/native/io.cc', 'src/native/loop-state.h'];

test('checkTarballFiles accepts a list with everything that runs and nothing else', (t) => {
  t.deepEqual(checkTarballFiles(good), []);
});

test('checkTarballFiles names each required file that is missing', (t) => {
  const files = good.filter((f) => f !== 'LICENSE' && f !== 'prebuilds/linux-x64/node.napi.glibc.node');
  t.deepEqual(checkTarballFiles(files), ['missing LICENSE', 'missing prebuilds/linux-x64/node.napi.glibc.node']);
});

test('checkTarballFiles requires the files the caller adds (an export\'s targets)', (t) => {
  t.deepEqual(checkTarballFiles(good, ['dist/src/index.js', 'dist/types/future.d.ts']), ['missing dist/types/future.d.ts']);
});

const forbidden = test.macro((t, file: string, why: RegExp) => {
  const problems = checkTarballFiles([...good, file]);
  t.is(problems.length, 1);
  t.regex(problems[0]!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} should not ship \\(${why.source}`));
});

test('a test file does not ship', forbidden, 'dist/test/server/date.test.js', /tests/);
test('a benchmark does not ship', forbidden, 'bench/run.ts', /benchmarks/);
test('an example does not ship', forbidden, 'examples/hello.ts', /examples/);
test('a local build does not ship', forbidden, 'build/Release/sluice_native.node', /a local build/);
test('a TypeScript source does not ship', forbidden, 'src/server/server.ts', /TypeScript sources/);
test('a source map does not ship', forbidden, 'dist/src/index.js.map', /source maps/);
test('a per-file declaration does not ship', forbidden, 'dist/src/index.d.ts', /per-file declarations/);
test('a module outside the bundle does not ship', forbidden, 'dist/src/server/server.js', /a module outside the bundle/);
test('a nested module outside the bundle does not ship', forbidden, 'dist/src/conduit/zlib/engine.js', /a module outside the bundle/);
test('the bundle marker does not ship', forbidden, 'dist/src/.sluice-bundle', /a module outside the bundle/);
test('a test\'s compiled output does not ship', forbidden, 'dist/test/package/package-check.js', /tests/);
test('the swap script does not ship', forbidden, 'scripts/pack-swap.js', /development scripts/);

test('a new export\'s entry (a layer\'s index.js) and a new chunk are part of the bundle', (t) => {
  t.deepEqual(checkTarballFiles([...good, 'dist/src/websocket/index.js', 'dist/src/chunks/websocket.js']), []);
});
test('a tsconfig does not ship', forbidden, 'tsconfig.build.json', /compiler settings/);
test('a development script does not ship', forbidden, 'scripts/prepack.js', /development scripts/);
test('a dotfile does not ship', forbidden, '.ci/run', /dotfiles/);

test('checkTarballFiles flags a list longer than the limit', (t) => {
  const many = [...good, ...Array.from({ length: MAX_FILES }, (_, i) => `dist/src/chunks/extra-${i}.js`)];
  t.deepEqual(checkTarballFiles(many), [`${many.length} files, more than ${MAX_FILES}`]);
});

test('every forbidden rule says why', (t) => {
  for (const rule of FORBIDDEN) t.true(rule.why.length > 0, rule.pattern.source);
});
