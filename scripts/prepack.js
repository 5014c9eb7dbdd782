#!/usr/bin/env node
// npm's prepack step: the published build. JavaScript for src/ only (no maps: the .ts files do not ship), one bundled
// .d.ts per entry point (so the tarball stays small), and the linux-x64 glibc prebuilt addon, checked before it ships.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The entry points of package.json's exports, as names under dist/types and sources under src/. */
const TYPE_ENTRIES = { index: 'index', conduit: 'conduit/index', middleware: 'middleware/index', websocket: 'websocket/index' };

/** The highest symbol versions the prebuilt addon may need: Node 20's own floor on Linux (glibc 2.28, GCC 8's
 *  libstdc++), so the addon loads wherever an official Node binary runs. */
const SYMBOL_CEILINGS = { GLIBC: [2, 28], GLIBCXX: [3, 4, 25] };

function fail(message) {
  console.error(`sluice prepack: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return result;
}

/** tsc with tsconfig.build.json: dist/src/**.js, and declarations into build/types for the bundler. */
function buildJavaScript() {
  for (const dir of ['dist/src', 'dist/types', 'build/types']) rmSync(join(root, dir), { recursive: true, force: true });
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
}

/** One .d.ts per entry (plus shared chunks, so a type has one declaration and stays one type across entries). */
async function bundleTypes() {
  const input = Object.fromEntries(
    Object.entries(TYPE_ENTRIES).map(([name, source]) => [name, join(root, 'build/types/src', `${source}.d.ts`)]),
  );
  const bundle = await rollup({
    input,
    plugins: [dts()],
    external: (id) => !id.startsWith('.') && !id.startsWith('/'),
    onwarn: (warning) => fail(`rollup: ${warning.message}`),
  });
  await bundle.write({ dir: join(root, 'dist/types'), format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'shared-[hash].d.ts' });
  await bundle.close();
}

/** Each `NAME_x.y` symbol version the ELF file needs, from objdump (binutils comes with the compiler). */
function symbolVersions(file) {
  const result = spawnSync('objdump', ['-T', file], { encoding: 'utf8' });
  if (result.status !== 0) fail(`objdump -T ${file} failed: ${result.stderr}`);
  return [...new Set(result.stdout.match(/\b(GLIBC|GLIBCXX)_[0-9.]+/g) ?? [])];
}

function exceedsCeiling(symbolVersion) {
  const [name, version] = symbolVersion.split('_');
  const ceiling = SYMBOL_CEILINGS[name];
  const parts = version.split('.').map(Number);
  for (let i = 0; i < Math.max(parts.length, ceiling.length); i++) {
    const a = parts[i] ?? 0, b = ceiling[i] ?? 0;
    if (a !== b) return a > b;
  }
  return false;
}

/** Builds the addon in its own directory (build/Release stays the developer's), strips it, checks it, places it. */
async function buildPrebuilt() {
  const { currentTarget, prebuiltAddonPath, loadNative } = await import(pathToFileURL(join(root, 'dist/src/native/load.js')).href);
  const target = currentTarget();
  if (target.platform !== 'linux' || target.arch !== 'x64' || target.libc !== 'glibc') {
    fail(`the published prebuilt addon is made on linux-x64 with glibc; this is ${target.platform}-${target.arch} (${target.libc}).`);
  }
  const out = join(root, 'build', 'prebuild');
  rmSync(out, { recursive: true, force: true });
  run(process.execPath, [join(root, 'scripts', 'build-native.js'), '--out', out]);
  const dest = prebuiltAddonPath(target);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(join(out, 'Release', 'sluice_native.node'), dest);
  run('strip', ['--strip-unneeded', dest]);
  const tooNew = symbolVersions(dest).filter(exceedsCeiling);
  if (tooNew.length > 0) fail(`the prebuilt addon needs ${tooNew.join(', ')}, newer than Node 20's own floor.`);
  loadNative(dest); // throws when it does not load or its wire constants differ from the JavaScript's
  console.log(`sluice prepack: prebuilt addon ${dest.slice(root.length + 1)}`);
}

buildJavaScript();
await bundleTypes();
await buildPrebuilt();
