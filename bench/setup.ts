// Bench setup: installs wrk/nginx from Debian if missing, builds the C peers, writes the test files.
// Everything generated lives under one work dir (default $TMPDIR/sluice-bench) and is reused when present.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (dist/bench/setup.js -> ../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Exact size of the static page (nginx's welcome page size, as in Warp's benchmark). */
export const INDEX_HTML_BYTES = 151;
/** Size of the gzip scenario's JSON payload. */
export const JSON_PAYLOAD_BYTES = 100 * 1024;
/** Size of the large files served by the static targets. */
export const FILE_SIZES = { '1m.bin': 1024 * 1024, '100m.bin': 100 * 1024 * 1024 } as const;

/** Paths and tools the bench uses, as prepared by `ensureSetup`. */
export interface BenchEnv {
  workDir: string;
  wwwDir: string;
  jsonPath: string;
  nginxPrefix: string;
  cepollBin: string;
  sinkBin: string;
  /** The WebSocket load client (bench/peers/ws-load.c). */
  wsLoadBin: string;
  /** The new-connection client with an optional PROXY header (bench/peers/close-load.c). */
  closeLoadBin: string;
  hasNginx: boolean;
  hasWrk: boolean;
}

const INDEX_HTML = `<!DOCTYPE html>
<html>
<head><title>Welcome</title></head>
<body>
<h1>Welcome to the benchmark!</h1>
<p>Static file test page.....</p>
</body>
</html>
`;

/** True when `cmd` resolves on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Installs Debian packages (root, or passwordless sudo); returns false when that is not possible. */
export function installPackages(pkgs: string[], log: (s: string) => void): boolean {
  if (!hasCommand('apt-get')) return false;
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : hasCommand('sudo') ? ['sudo', '-n'] : null;
  if (prefix === null) return false;
  log(`installing from Debian: ${pkgs.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]): boolean => {
    const [cmd, ...rest] = [...prefix, ...args];
    return spawnSync(cmd!, rest, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
  };
  if (!run(['apt-get', 'update', '-qq'])) return false;
  if (run(['apt-get', 'install', '-y', '-q', ...pkgs])) return true;
  // Debian 13 dropped nginx-light: fall back to the plain package.
  const alt = pkgs.map((p) => (p === 'nginx-light' ? 'nginx' : p));
  return alt.join() !== pkgs.join() && run(['apt-get', 'install', '-y', '-q', ...alt]);
}

/** Makes sure `cmd` is on PATH, installing Debian's `pkg` when it is missing (tests: curl, testssl.sh). */
export function ensureCommand(cmd: string, pkg: string, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): boolean {
  return hasCommand(cmd) || (installPackages([pkg], log) && hasCommand(cmd));
}

/** Compiles a C peer when the binary is missing or older than its source. */
function buildC(src: string, out: string, log: (s: string) => void): void {
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return;
  log(`building ${out}`);
  execFileSync('cc', ['-O2', '-Wall', '-o', out, src], { stdio: 'inherit' });
}

/** Writes `size` bytes of seeded pseudo-random data (reproducible, incompressible). */
function writeSeededFile(path: string, size: number, seed: string): void {
  if (existsSync(path) && statSync(path).size === size) return;
  const fd = openSync(path, 'w');
  try {
    let block = createHash('sha512').update(seed).digest();
    const chunk = Buffer.alloc(1 << 16);
    for (let off = 0; off < size; off += chunk.length) {
      for (let i = 0; i < chunk.length; i += block.length) {
        block = createHash('sha512').update(block).digest();
        block.copy(chunk, i);
      }
      writeSync(fd, chunk, 0, Math.min(chunk.length, size - off));
    }
  } finally {
    closeSync(fd);
  }
}

/** Builds the deterministic JSON payload of exactly `size` bytes (records + a padding field). */
export function buildJsonPayload(size: number): string {
  const items: object[] = [];
  let state = 42;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2147483648);
  const shell = (pad: string): string => JSON.stringify({ items, pad });
  for (let id = 1; ; id++) {
    const item = { id, name: `user${next() % 100000}`, email: `u${id}@example.com`, active: next() % 2 === 0,
      score: (next() % 10000) / 100, tags: ['alpha', 'beta', 'gamma'].slice(0, 1 + (next() % 3)) };
    items.push(item);
    if (shell('').length > size) { items.pop(); break; }
  }
  const body = shell('x'.repeat(size - shell('').length));
  if (Buffer.byteLength(body) !== size) throw new Error(`JSON payload is ${body.length} bytes, wanted ${size}`);
  return body;
}

/** Prepares tools and files; `install: false` only reports what is missing. */
export function ensureSetup(opts: { install?: boolean; log?: (s: string) => void } = {}): BenchEnv {
  const log = opts.log ?? ((s: string) => console.error(`[setup] ${s}`));
  const missing = ['wrk', 'nginx', 'cc', 'taskset'].filter((c) => !hasCommand(c));
  if (missing.length > 0 && opts.install !== false) {
    const pkgs = missing.map((c) => ({ wrk: 'wrk', nginx: 'nginx-light', cc: 'gcc', taskset: 'util-linux' })[c]!);
    if (!installPackages(pkgs, log)) log(`could not install ${pkgs.join(' ')}: install them by hand (apt-get install -y ${pkgs.join(' ')})`);
  }
  const workDir = process.env.SLUICE_BENCH_DIR ?? join(tmpdir(), 'sluice-bench');
  const env: BenchEnv = {
    workDir,
    wwwDir: join(workDir, 'www'),
    jsonPath: join(workDir, 'data', 'bench.json'),
    nginxPrefix: join(workDir, 'nginx'),
    cepollBin: join(workDir, 'bin', 'cepoll'),
    sinkBin: join(workDir, 'bin', 'sink'),
    wsLoadBin: join(workDir, 'bin', 'ws-load'),
    closeLoadBin: join(workDir, 'bin', 'close-load'),
    hasNginx: hasCommand('nginx'),
    hasWrk: hasCommand('wrk'),
  };
  for (const d of [env.wwwDir, dirname(env.jsonPath), env.nginxPrefix, dirname(env.cepollBin)]) mkdirSync(d, { recursive: true });
  if (hasCommand('cc')) {
    buildC(join(REPO_ROOT, 'bench', 'peers', 'cepoll.c'), env.cepollBin, log);
    buildC(join(REPO_ROOT, 'bench', 'peers', 'sink.c'), env.sinkBin, log);
    buildC(join(REPO_ROOT, 'bench', 'peers', 'ws-load.c'), env.wsLoadBin, log);
    buildC(join(REPO_ROOT, 'bench', 'peers', 'close-load.c'), env.closeLoadBin, log);
  } else {
    log('no C compiler: the c-epoll target, the sink client and the WebSocket client are unavailable');
  }
  const index = join(env.wwwDir, 'index.html');
  if (!existsSync(index) || readFileSync(index, 'utf8') !== INDEX_HTML) writeFileSync(index, INDEX_HTML);
  for (const [name, size] of Object.entries(FILE_SIZES)) writeSeededFile(join(env.wwwDir, name), size, name);
  const json = buildJsonPayload(JSON_PAYLOAD_BYTES);
  if (!existsSync(env.jsonPath) || readFileSync(env.jsonPath, 'utf8') !== json) writeFileSync(env.jsonPath, json);
  return env;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(ensureSetup(), null, 2));
}
