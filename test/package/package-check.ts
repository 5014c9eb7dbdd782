// `npm run test:package`: packs the package and uses the tarball as a new user would, on a PATH with no compiler and
// no cmake: install with --ignore-scripts, `npx sluice serve` (one process and prefork workers), import every entry
// point of the bundle and compare its exports with the checkout's, compile a TypeScript consumer.
// Prints one line per check and a closing 'N passed, N failed'; exits 1 when any check failed.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkTarballFiles } from './tarball-files.js';
import { CONSUMER_OK, CONSUMER_WRONG_RETURN, consumerTsconfig } from './consumer.js';
import { extractTypeScriptBlocks } from './readme-blocks.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sluice-package-'));
const results: { name: string; problem: string | null }[] = [];

/** Records one check: a thrown error or a returned problem fails it. */
async function check(name: string, body: () => Promise<string | null> | string | null): Promise<void> {
  let problem: string | null;
  try {
    problem = await body();
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  results.push({ name, problem });
  console.log(problem === null ? `ok - ${name}` : `not ok - ${name}\n  ${problem.replaceAll('\n', '\n  ')}`);
}

function runSync(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function describeFailure(what: string, r: SpawnSyncReturns<string>): string {
  return `${what} exited with ${r.status ?? r.signal}\n${r.stdout}${r.stderr}`.trimEnd();
}

/** A bin directory holding only node, npm, npx and sh: what a machine without build tools offers. */
function makeBareBin(): string {
  const bin = join(work, 'bare-bin');
  mkdirSync(bin);
  const nodeBin = dirname(process.execPath);
  for (const tool of ['node', 'npm', 'npx']) symlinkSync(join(nodeBin, tool), join(bin, tool));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  return bin;
}

/** GET url; resolves with the status and body. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

/** Starts `npx sluice serve public --port 0 ...flags` (its own process group, so workers stop with it), reads its URL,
 *  GETs it, then stops the group. */
async function serveAndGet(project: string, env: NodeJS.ProcessEnv, flags: readonly string[] = []): Promise<string | null> {
  const started = Date.now();
  const child = spawn('npx', ['--no-install', 'sluice', 'serve', 'public', '--port', '0', ...flags], {
    cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  const exited = once(child, 'exit');
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const problem = await new Promise<string | null>((resolve) => {
    let asked = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /http:\/\/localhost:(\d+)\//.exec(output)?.[1];
      if (port === undefined || asked) return;
      asked = true;
      get(`http://localhost:${port}/`).then(({ status, body }) => {
        console.log(`  (first byte ${Date.now() - started} ms after starting npx)`);
        resolve(status === 200 && body.includes('packaged hello') ? null : `GET / answered ${status}: ${body.slice(0, 200)}`);
      }, (error: Error) => resolve(`GET / failed: ${error.message}`));
    });
    void exited.then(([code, signal]) => resolve(`sluice serve exited early (${String(signal ?? code)}):\n${output}`));
    setTimeout(() => resolve(`no URL printed within 60 s:\n${output}`), 60_000).unref();
  });
  if (child.exitCode === null && child.signalCode === null) {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
  return problem;
}

async function main(): Promise<void> {
  let tarball = '';
  await check('npm pack builds a tarball whose file list is right', () => {
    const r = runSync('npm', ['pack', '--json', '--pack-destination', work], root);
    if (r.status !== 0) return describeFailure('npm pack', r);
    const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    const files = info!.files.map((f) => f.path);
    console.log(`  (${files.length} files)`);
    // Every file package.json's exports name (an export added later included), as paths inside the package.
    const exported = Object.values(readPackageJson().exports).flatMap((target) => typeof target === 'string' ? [target] : Object.values(target));
    const problems = checkTarballFiles(files, exported.map((path) => path.replace(/^\.\//, '')));
    return problems.length === 0 ? null : problems.join('\n');
  });
  if (tarball === '') return;

  const bin = makeBareBin();
  const env = { ...process.env, PATH: bin, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  await check('the bare PATH has no compiler, make or cmake', () => {
    const found = ['cc', 'c++', 'gcc', 'g++', 'clang', 'clang++', 'make', 'cmake'].filter(
      (tool) => runSync('sh', ['-c', `command -v ${tool}`], work, env).status === 0,
    );
    return found.length === 0 ? null : `found ${found.join(', ')}`;
  });

  const project = join(work, 'app');
  mkdirSync(join(project, 'public'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(join(project, 'public', 'index.html'), '<!doctype html><p>packaged hello</p>\n');

  await check('npm install --ignore-scripts of the tarball works without build tools', () => {
    const started = Date.now();
    // hono too: the README shows a Hono app on Sluice, and its block is compiled against this install below.
    const r = runSync('npm', ['install', '--ignore-scripts', '--prefer-offline', tarball, `hono@${devVersion('hono')}`], project, env);
    console.log(`  (${Date.now() - started} ms)`);
    return r.status === 0 ? null : describeFailure('npm install', r);
  });
  await check('npx sluice serve answers 200', () => serveAndGet(project, env));
  await check('npx sluice serve --workers 2 answers 200 (the workers fork the packaged worker entry)', () =>
    serveAndGet(project, env, ['--workers', '2']));
  await check('npx sluice --version prints the package\'s version', () => {
    const r = runSync('npx', ['--no-install', 'sluice', '--version'], project, env);
    if (r.status !== 0) return describeFailure('sluice --version', r);
    return r.stdout.trim() === readPackageJson().version ? null : `printed ${JSON.stringify(r.stdout)}`;
  });
  await check('every export of the bundle has the same names as the checkout\'s tsc build', () => {
    // Each subpath from package.json, so an export added later is checked too.
    const pairs = Object.entries(readPackageJson().exports)
      .filter((entry): entry is [string, { readonly types: string; readonly default: string }] => typeof entry[1] === 'object')
      .map(([subpath, target]) => [`sluice${subpath.slice(1)}`, pathToFileURL(join(root, target.default)).href]);
    const script = [
      `for (const [name, checkout] of ${JSON.stringify(pairs)}) {`,
      '  const bundled = Object.keys(await import(name)).sort().join(), built = Object.keys(await import(checkout)).sort().join();',
      '  if (bundled !== built) throw new Error(`${name} exports ${bundled}; the checkout exports ${built}`);',
      '}',
    ].join('\n');
    const r = runSync('node', ['--input-type=module', '-e', script], project, env);
    return r.status === 0 ? null : describeFailure('node', r);
  });
  await check('both entry points, middleware, websocket and package.json import', () => {
    const script = [
      "const { serve, respond } = await import('sluice');",
      "const { map, range, fold } = await import('sluice/conduit');",
      "const { gzip } = await import('sluice/middleware');",
      "const { upgradeWebSocket } = await import('sluice/websocket');",
      "const pkg = (await import('node:module')).createRequire(import.meta.url)('sluice/package.json');",
      "const sum = range(0, 4).pipe(map((x) => x * 2)).run(fold((a, b) => a + b, 0));",
      "if (typeof serve !== 'function' || typeof respond !== 'function' || typeof gzip !== 'function' || typeof upgradeWebSocket !== 'function') throw new Error('missing exports');",
      "if (sum !== 12 || pkg.name !== 'sluice') throw new Error(`sum ${sum}, name ${pkg.name}`);",
    ].join('\n');
    const r = runSync('node', ['--input-type=module', '-e', script], project, env);
    return r.status === 0 ? null : describeFailure('node', r);
  });
  await check('the installed addon is the prebuilt one (nothing was built)', () => {
    const installed = join(project, 'node_modules', 'sluice');
    if (existsSync(join(installed, 'build'))) return 'node_modules/sluice/build exists';
    return existsSync(join(installed, 'prebuilds', 'linux-x64', 'node.napi.glibc.node')) ? null : 'no prebuilt addon';
  });
  await check('the install script takes the prebuilt addon and needs no build tools', () => {
    const r = runSync('npm', ['rebuild', 'sluice', '--foreground-scripts'], project, env);
    if (r.status !== 0) return describeFailure('npm rebuild sluice', r);
    return existsSync(join(project, 'node_modules', 'sluice', 'build')) ? 'it built from source anyway' : null;
  });

  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  await check('a strict nodenext TypeScript consumer and every README block compile', () => {
    writeFileSync(join(project, 'consumer.ts'), CONSUMER_OK);
    const blocks = extractTypeScriptBlocks(readFileSync(join(root, 'README.md'), 'utf8')).map((block, i) => {
      writeFileSync(join(project, `readme-${i}.ts`), block.code);
      return `readme-${i}.ts`;
    });
    writeFileSync(join(project, 'tsconfig.json'), consumerTsconfig(join(root, 'node_modules', '@types'), ['consumer.ts', ...blocks]));
    const r = runSync('node', [tsc, '-p', 'tsconfig.json'], project, env);
    return r.status === 0 ? null : describeFailure('tsc', r);
  });
  await check('a handler that returns the wrong type is a type error', () => {
    writeFileSync(join(project, 'wrong.ts'), CONSUMER_WRONG_RETURN);
    writeFileSync(join(project, 'tsconfig.json'), consumerTsconfig(join(root, 'node_modules', '@types'), ['wrong.ts']));
    const r = runSync('node', [tsc, '-p', 'tsconfig.json'], project, env);
    if (r.status === 0) return 'tsc accepted it';
    return /wrong\.ts\(\d+,\d+\): error TS2(322|345)/.test(r.stdout) ? null : `unexpected tsc output:\n${r.stdout}`;
  });
  await checkWithoutPrebuilt(project, env);
}

/** The parts of this checkout's package.json the checks read. */
interface PackageJson {
  readonly version: string;
  readonly exports: Record<string, string | { readonly types: string; readonly default: string }>;
  readonly devDependencies?: Record<string, string>;
}

function readPackageJson(): PackageJson {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
}

/** The version range this checkout's package.json gives a dev dependency. */
function devVersion(name: string): string {
  const range = readPackageJson().devDependencies?.[name];
  if (range === undefined) throw new Error(`package.json has no devDependency ${name}`);
  return range;
}

/** Where no prebuilt addon matches (removed here): one clear error at run time, a clear message from the install
 *  script, and, once the build tools and packages are there, a build from the tarball's own sources that serves. */
async function checkWithoutPrebuilt(project: string, bareEnv: NodeJS.ProcessEnv): Promise<void> {
  const installed = join(project, 'node_modules', 'sluice');
  rmSync(join(installed, 'prebuilds'), { recursive: true, force: true });
  await check('with no addon at all, sluice serve fails with one error that says how to build', () => {
    const r = runSync('npx', ['--no-install', 'sluice', 'serve', 'public', '--port', '0'], project, bareEnv);
    if (r.status !== 1) return describeFailure('sluice serve', r);
    return /no native addon for linux-x64 \(glibc\) is usable.*npm rebuild sluice/.test(r.stderr) ? null : `stderr: ${r.stderr}`;
  });
  await check('with no prebuilt, the install script names what a build from source needs', () => {
    const r = runSync('npm', ['rebuild', 'sluice', '--foreground-scripts'], project, bareEnv);
    if (r.status === 0) return 'npm rebuild succeeded with nothing to build with';
    return /cmake-js and node-addon-api.*npm rebuild sluice/s.test(r.stderr) ? null : describeFailure('npm rebuild sluice', r);
  });
  const env = { ...bareEnv, PATH: process.env.PATH };
  await check('with the build tools and packages, the install script builds from the tarball\'s sources', () => {
    const started = Date.now();
    const add = runSync('npm', ['install', '--save-dev', '--prefer-offline', '--ignore-scripts', 'cmake-js@^8', 'node-addon-api@^8'], project, env);
    if (add.status !== 0) return describeFailure('npm install cmake-js node-addon-api', add);
    const r = runSync('npm', ['rebuild', 'sluice', '--foreground-scripts'], project, env);
    console.log(`  (${Date.now() - started} ms)`);
    if (r.status !== 0) return describeFailure('npm rebuild sluice', r);
    return existsSync(join(installed, 'build', 'Release', 'sluice_native.node')) ? null : 'no build/Release/sluice_native.node';
  });
  await check('npx sluice serve answers 200 with the addon built from source', () => serveAndGet(project, bareEnv));
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
const failed = results.filter((r) => r.problem !== null).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
