#!/usr/bin/env node
// npm's install step: use the prebuilt addon when one matches this machine and loads; otherwise build from source.
// A build that is already newer than every native source is kept, so a second install (or npx's) costs nothing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const loader = join(root, 'dist', 'src', 'native', 'load.js');

/** The prebuilt addon's path when it exists, loads and has the expected wire layout; else why not. */
async function checkPrebuilt() {
  // A git checkout has no prebuilds/ (prepack makes it for the tarball only), and its dist/ may be missing or from
  // an older commit, so the loader is only consulted where prebuilt addons ship.
  if (!existsSync(join(root, 'prebuilds'))) return { ok: false, why: 'no prebuilt addons in a source checkout' };
  const { loadNative, prebuiltAddonPath, currentTarget } = await import(pathToFileURL(loader).href);
  const path = prebuiltAddonPath();
  const { platform, arch, libc } = currentTarget();
  if (!existsSync(path)) return { ok: false, why: `no prebuilt addon for ${platform}-${arch}${libc ? ` (${libc})` : ''}` };
  try {
    loadNative(path);
    return { ok: true, path };
  } catch (error) {
    return { ok: false, why: `the prebuilt addon does not load here: ${String(error?.message ?? error).split('\n')[0]}` };
  }
}

/** Whether build/Release holds an addon newer than CMakeLists.txt and every file in src/native (make's rule). */
function localBuildIsFresh() {
  const built = join(root, 'build', 'Release', 'sluice_native.node');
  if (!existsSync(built)) return false;
  const nativeDir = join(root, 'src', 'native');
  const sources = [join(root, 'CMakeLists.txt'), ...readdirSync(nativeDir).filter((f) => /\.(cc|h)$/.test(f)).map((f) => join(nativeDir, f))];
  const builtAt = statSync(built).mtimeMs;
  return sources.every((source) => statSync(source).mtimeMs < builtAt);
}

/** The npm packages a build from source needs beside cmake and a compiler; they are not runtime dependencies. */
function missingBuildPackages() {
  const require = createRequire(join(root, 'package.json'));
  return ['cmake-js', 'node-addon-api'].filter((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
}

const prebuilt = await checkPrebuilt();
if (prebuilt.ok) process.exit(0);
if (localBuildIsFresh()) {
  console.log('sluice: the native addon in build/Release is up to date');
  process.exit(0);
}
const missing = missingBuildPackages();
if (missing.length > 0) {
  console.error(
    `sluice: ${prebuilt.why}, so the native addon must be built from source, which needs cmake, a C++ compiler ` +
      `and the npm packages ${missing.join(' and ')}. Install them (npm install --save-dev cmake-js@^8 ` +
      'node-addon-api@^8; Debian: apt-get install cmake g++), then run `npm rebuild sluice`.',
  );
  process.exit(1);
}
console.log(`sluice: ${prebuilt.why}; building the native addon from source`);
const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.js')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
