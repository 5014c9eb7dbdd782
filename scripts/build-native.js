#!/usr/bin/env node
// Builds the native addon from source with cmake-js, offline, against Node's own headers: into build/Release (the
// local build), or into `--out DIR` (prepack's prebuild). A missing tool gets a message that names it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = outFlag === -1 ? join(root, 'build') : resolve(process.argv[outFlag + 1] ?? '');
const built = join(out, 'Release', 'sluice_native.node');
const require = createRequire(import.meta.url);

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function fail(message) {
  console.error(`sluice: cannot build the native addon: ${message}`);
  process.exit(1);
}

if (process.platform !== 'linux') fail(`Sluice needs Linux (accept4, sendfile); this is ${process.platform}.`);
if (!has('cmake')) fail('cmake was not found on PATH. Install it (Debian: apt-get install cmake) and run npm install again.');
if (!has('c++') && !has('g++') && !has('clang++')) {
  fail('no C++ compiler was found (c++, g++ or clang++). Install one (Debian: apt-get install g++) and run npm install again.');
}

// Node's own headers: npm's nodedir when set, else the running node's prefix. No download is ever needed.
const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')].filter(Boolean);
const nodedir = candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
if (!nodedir) fail(`Node's headers (include/node/node_api.h) were not found under ${candidates.join(' or ')}.`);

let cmakeJs;
try {
  cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  require.resolve('node-addon-api');
} catch {
  fail('the npm packages cmake-js and node-addon-api are needed (npm install --save-dev cmake-js@^8 node-addon-api@^8).');
}
const args = [cmakeJs, 'compile', '--directory', root, '--out', out, '--release'];
// cmake-js 8 has no --nodedir flag: it reads npm's config from the environment, so hand it the headers we found
// there. Without this it tries to download them from nodejs.org, which fails offline.
const env = { ...process.env, npm_config_nodedir: nodedir };
const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env });
if (result.status !== 0) {
  process.stderr.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  fail(`cmake-js exited with status ${result.status}; its output is above.`);
}
if (!existsSync(built)) fail(`the build finished but ${built} is missing.`);
if (process.env.SLUICE_VERBOSE_BUILD) process.stdout.write(result.stdout);
console.log(`sluice: native addon built (${built})`);
