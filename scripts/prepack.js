#!/usr/bin/env node
// npm's prepack step: the published build. tsc compiles src/ into build/pack/; rollup bundles the JavaScript into one
// file per entry point plus shared chunks (a handful of files, not one per module) and the declarations into one .d.ts
// per export; the bundle stands in for dist/src until postpack puts the checkout's back (pack-swap.js). Last, the
// linux-x64 glibc prebuilt addon, checked before it ships.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import { DIST_SRC, restoreCheckout, swapInBundle } from './pack-swap.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The bundle's entry points: each a module under src/ (no extension), written to the path under dist/src that tsc
 *  gives it in a checkout, so package.json and bin/ name the same files in both. `types` is the bundled .d.ts under
 *  dist/types that package.json's exports pair with it. A new export is one line here; checkEntries() fails the pack
 *  when an export, main or bin/sluice.js names a file that no line makes. */
const ENTRIES = [
  { source: 'index', types: 'index' }, // "."
  { source: 'conduit/index', types: 'conduit' }, // "./conduit"
  { source: 'middleware/index', types: 'middleware' }, // "./middleware"
  { source: 'websocket/index', types: 'websocket' }, // "./websocket"
  { source: 'cli/main' }, // bin/sluice.js
  { source: 'cli/node-flags' }, // bin/sluice.js
  { source: 'cli/worker-entry' }, // forked by path from src/cli/workers.ts
  { source: 'native/load' }, // scripts/install.js, bin/sluice.js, and buildPrebuilt() below
];

/** Where tsc (tsconfig.build.json) and rollup write before the swap. */
const PACK = join(root, 'build', 'pack');
const TSC_OUT = join(PACK, 'tsc', 'src');
const TYPES_OUT = join(PACK, 'types', 'src');
const BUNDLE_OUT = join(PACK, 'bundle');

/** A published build that cannot be made; the message says why. */
class PackError extends Error {}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) throw new PackError(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return result;
}

/** Every JavaScript file package.json and bin/sluice.js name must be an entry, with the types its export names (the
 *  launcher imports its entry statically or with a top-level await import). */
function checkEntries() {
  const bySource = new Map(ENTRIES.map((entry) => [`./dist/src/${entry.source}.js`, entry]));
  const wanted = Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([subpath, target]) => ({ what: `exports["${subpath}"]`, js: target.default, types: target.types }));
  wanted.push({ what: 'main', js: pkg.main, types: pkg.types });
  for (const [, binImport] of readFileSync(join(root, 'bin', 'sluice.js'), 'utf8').matchAll(/import\s*\(?\s*'\.\.\/(dist\/src\/[^']+)'/g)) {
    wanted.push({ what: 'bin/sluice.js', js: `./${binImport}` });
  }
  for (const { what, js, types } of wanted) {
    const entry = bySource.get(js);
    const line = `{ source: '${js.replace(/^\.\/dist\/src\/|\.js$/g, '')}', types: '${types?.replace(/^\.\/dist\/types\/|\.d\.ts$/g, '')}' }`;
    if (entry === undefined) throw new PackError(`${what} names ${js}, which no line of ENTRIES in scripts/prepack.js makes; add ${line}`);
    if (types !== undefined && `./dist/types/${entry.types}.d.ts` !== types) {
      throw new PackError(`${what} pairs ${js} with ${types}, but its line in ENTRIES says types '${entry.types}'`);
    }
  }
}

/** tsc with tsconfig.build.json: build/pack/tsc (JavaScript, no maps) and build/pack/types (declarations). */
function compile() {
  rmSync(PACK, { recursive: true, force: true });
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
}

/** Collects rollup's warnings (an unresolved import, a missing export), which fail the pack: the bundle must be
 *  exactly the modules. An import cycle only prints: ESM runs it as tsc's output does, and test/architecture.test.ts
 *  is where cycles are policed (it lists the known ones). */
function collectWarnings() {
  const warnings = [];
  const onwarn = (warning) => {
    if (warning.code === 'CIRCULAR_DEPENDENCY') console.warn(`sluice prepack: rollup: ${warning.message}`);
    else warnings.push(warning.message);
  };
  return { warnings, onwarn };
}

/** A bare specifier (node:fs, detect-libc): left to Node at run time; relative ones are bundled. */
const isBare = (id) => !id.startsWith('.') && !id.startsWith('/');

/** The chunk a module of build/pack/tsc/src goes to: its layer (src/server/… -> 'server'), 'sluice' at the top. */
function layerOf(id) {
  const [first, ...rest] = relative(TSC_OUT, id).split(sep);
  return rest.length > 0 ? first : 'sluice';
}

/** One JavaScript file per entry, and one shared chunk per layer of src/ (dist/src/chunks/server.js, …) for the rest:
 *  a stack trace names the layer, the chunks import each other as the layers do (no cycle: test/architecture.test.ts),
 *  and a module lives in one chunk, so its classes and state are the same whichever entries a program imports. */
async function bundleJavaScript() {
  const input = Object.fromEntries(ENTRIES.map(({ source }) => [source, join(TSC_OUT, `${source}.js`)]));
  const entryFiles = new Set(Object.values(input));
  const { warnings, onwarn } = collectWarnings();
  const bundle = await rollup({
    input,
    external: isBare,
    onwarn,
  });
  await bundle.write({
    dir: BUNDLE_OUT,
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name].js',
    manualChunks: (id) => (entryFiles.has(id) ? undefined : layerOf(id)),
    banner: `// sluice ${pkg.version}, bundled from its TypeScript sources (src/ in the repository) by scripts/prepack.js.`,
  });
  await bundle.close();
  if (warnings.length > 0) throw new PackError(`rollup: ${warnings.join('\n')}`);
}

/** One .d.ts per export (plus shared chunks, so a type has one declaration and stays one type across entries). */
async function bundleTypes() {
  rmSync(join(root, 'dist', 'types'), { recursive: true, force: true });
  const typed = ENTRIES.filter((entry) => entry.types !== undefined);
  const { warnings, onwarn } = collectWarnings();
  const bundle = await rollup({
    input: Object.fromEntries(typed.map(({ source, types }) => [types, join(TYPES_OUT, `${source}.d.ts`)])),
    plugins: [dts()],
    external: isBare,
    onwarn,
  });
  await bundle.write({ dir: join(root, 'dist/types'), format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'shared-[hash].d.ts' });
  await bundle.close();
  if (warnings.length > 0) throw new PackError(`rollup (types): ${warnings.join('\n')}`);
}

/** The files under dir, recursively, relative to it. */
function listFiles(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, f)).isFile());
}

/** The highest symbol versions the prebuilt addon may need: Node 20's own floor on Linux (glibc 2.28, GCC 8's
 *  libstdc++), so the addon loads wherever an official Node binary runs. */
const SYMBOL_CEILINGS = { GLIBC: [2, 28], GLIBCXX: [3, 4, 25] };

/** Each `NAME_x.y` symbol version the ELF file needs, from objdump (binutils comes with the compiler). */
function symbolVersions(file) {
  const result = spawnSync('objdump', ['-T', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new PackError(`objdump -T ${file} failed: ${result.stderr}`);
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
    throw new PackError(`the published prebuilt addon is made on linux-x64 with glibc; this is ${target.platform}-${target.arch} (${target.libc}).`);
  }
  const out = join(root, 'build', 'prebuild');
  rmSync(out, { recursive: true, force: true });
  run(process.execPath, [join(root, 'scripts', 'build-native.js'), '--out', out]);
  const dest = prebuiltAddonPath(target);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(join(out, 'Release', 'sluice_native.node'), dest);
  run('strip', ['--strip-unneeded', dest]);
  const tooNew = symbolVersions(dest).filter(exceedsCeiling);
  if (tooNew.length > 0) throw new PackError(`the prebuilt addon needs ${tooNew.join(', ')}, newer than Node 20's own floor.`);
  loadNative(dest); // throws when it does not load or its wire constants differ from the JavaScript's
  console.log(`sluice prepack: prebuilt addon ${dest.slice(root.length + 1)}`);
}

try {
  restoreCheckout(); // a pack interrupted before its postpack left its bundle in dist/src
  checkEntries();
  compile();
  await bundleJavaScript();
  await bundleTypes();
  swapInBundle(BUNDLE_OUT);
  const files = listFiles(DIST_SRC).filter((f) => f.endsWith('.js'));
  const bytes = files.reduce((sum, f) => sum + statSync(join(DIST_SRC, f)).size, 0);
  console.log(`sluice prepack: dist/src bundled into ${files.length} files (${ENTRIES.length} entries), ${Math.round(bytes / 1024)} KiB`);
  await buildPrebuilt();
} catch (error) {
  restoreCheckout(); // npm runs no postpack after a failed prepack
  console.error(`sluice prepack: ${error instanceof PackError ? error.message : error?.stack ?? error}`);
  process.exit(1);
}
