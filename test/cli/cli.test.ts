// The `sluice` command as a user runs it (node bin/sluice.js ...): help, version, usage errors, clear failures with
// exit codes and no stack traces, serving the built-in site and a directory, access logs, and graceful SIGTERM.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';

const BIN = join(process.cwd(), 'bin', 'sluice.js');
const DIR = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
const PAGE = `<!doctype html>${'<p>compressible</p>'.repeat(200)}`;
const VERSION = (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
// The machines these run on are shared and often loaded (load averages of 20 on 2 cores): startup can take tens of seconds.
const START_TIMEOUT_MS = 60_000;

test.before(() => {
  writeFileSync(join(DIR, 'hello.txt'), 'hello from a dir\n');
  writeFileSync(join(DIR, 'big.bin'), Buffer.alloc(32 * 1024 * 1024, 7));
  writeFileSync(join(DIR, 'page.html'), PAGE);
});
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

/** A running `sluice` process with its output so far. */
interface Cli {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in stdout+stderr. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

function startCli(args: string[], options: { uid?: number; gid?: number } = {}): Cli {
  const env = { ...process.env };
  // Under c8, a child run as another user could not write its coverage file and would warn on stderr. (Deleting
  // the variable is not enough: child_process puts the parent's back unless the env sets it, so set it empty.)
  if (options.uid !== undefined) env.NODE_V8_COVERAGE = '';
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env, ...options });
  const waiters: Array<() => void> = [];
  const cli: Cli = {
    child, stdout: '', stderr: '',
    // 'close', not 'exit': the exit can be reported before the last of stdout and stderr has been read.
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    waitFor: (pattern) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got:\n${cli.stdout}\n${cli.stderr}`)), START_TIMEOUT_MS);
      const check = (): boolean => {
        const m = (cli.stdout + cli.stderr).match(pattern);
        if (m === null) return false;
        clearTimeout(timer);
        resolve(m);
        return true;
      };
      if (!check()) waiters.push(() => void check());
    }),
  };
  child.stdout!.on('data', (d: Buffer) => { cli.stdout += d.toString(); waiters.forEach((w) => w()); });
  child.stderr!.on('data', (d: Buffer) => { cli.stderr += d.toString(); waiters.forEach((w) => w()); });
  return cli;
}

async function runCli(args: string[], options: { uid?: number; gid?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args, options);
  const code = await cli.exited;
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}

/** A port that was free a moment ago (for runs that print no banner). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** GETs url until the server answers (it may still be starting). */
async function retryFetch(url: string): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      return await (await fetch(url)).text();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Starts a server on an ephemeral port and returns the port it printed. */
async function startServing(args: string[]): Promise<{ cli: Cli; port: number }> {
  const cli = startCli(['serve', '--host', '127.0.0.1', '--port', '0', ...args]);
  const m = await cli.waitFor(/http:\/\/127\.0\.0\.1:(\d+)\//);
  // The banner ends with the options line.
  await cli.waitFor(/ {2}options: .*\n/);
  return { cli, port: Number(m[1]) };
}

test('--help prints the usage and exits 0', async (t) => {
  const r = await runCli(['--help']);
  t.is(r.code, 0);
  t.regex(r.stdout, /^Usage: sluice serve \[dir\]/);
  t.regex(r.stdout, /--workers <n\|auto>/);
});

test('--version prints the package version and exits 0', async (t) => {
  const r = await runCli(['--version']);
  t.is(r.code, 0);
  t.is(r.stdout.trim(), VERSION);
});

test('an unknown flag is a usage error: exit 2, the problem and the usage on stderr, no stack', async (t) => {
  const r = await runCli(['serve', '--bogus']);
  t.is(r.code, 2);
  t.regex(r.stderr, /^sluice: Unknown option '--bogus'/);
  t.regex(r.stderr, /Usage: sluice serve/);
  t.notRegex(r.stderr, /\n\s+at /);
  t.is(r.stdout, '');
});

test('a missing directory is exit 1 with one line naming it', async (t) => {
  const r = await runCli(['serve', join(DIR, 'nope'), '--port', '0']);
  t.is(r.code, 1);
  t.is(r.stderr, `sluice: directory ${join(DIR, 'nope')} does not exist\n`);
});

test('a file given as the directory is exit 1 naming it', async (t) => {
  const r = await runCli(['serve', join(DIR, 'hello.txt'), '--port', '0']);
  t.is(r.code, 1);
  t.is(r.stderr, `sluice: ${join(DIR, 'hello.txt')} is not a directory\n`);
});

test('a port in use is exit 1 with "port N is already in use"', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await runCli(['serve', '--host', '127.0.0.1', '--port', String(port)]);
    t.is(r.code, 1);
    t.regex(r.stderr, new RegExp(`^sluice: port ${port} is already in use`));
    t.notRegex(r.stderr, /\n\s+at /);
  } finally {
    blocker.close();
  }
});

// As root every directory is readable, so the permission checks run as nobody (uid 65534) there.
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

test('an unreadable directory is exit 1 with "no permission"', async (t) => {
  const locked = mkdtempSync(join(tmpdir(), 'sluice-cli-locked-'));
  chmodSync(locked, 0o000);
  try {
    const r = await runCli(['serve', locked, '--port', '0'], asUser);
    t.is(r.code, 1);
    t.is(r.stderr, `sluice: no permission to read directory ${locked}\n`);
  } finally {
    rmSync(locked, { recursive: true, force: true });
  }
});

test('a privileged port without privileges is exit 1 with "no permission to listen"', async (t) => {
  // Not root: this user already lacks the privilege (asUser is then empty).
  const r = await runCli(['serve', '--host', '127.0.0.1', '--port', '1'], asUser);
  t.is(r.code, 1);
  t.regex(r.stderr, /^sluice: no permission to listen on 127\.0\.0\.1:1/);
});

test('with no directory it serves the built-in site, prints its URL, and SIGTERM exits 0', async (t) => {
  const { cli, port } = await startServing([]);
  t.regex(cli.stdout, /^sluice: serving the built-in site at\n {2}http:\/\/127\.0\.0\.1:\d+\/\n {2}options: list off, .*, workers 1, tls off\n$/);
  const page = await fetch(`http://127.0.0.1:${port}/`);
  t.is(page.status, 200);
  t.regex(await page.text(), /Sluice is running/);
  const css = await fetch(`http://127.0.0.1:${port}/style.css`);
  t.is(css.headers.get('content-type'), 'text/css; charset=utf-8');
  cli.child.kill('SIGTERM');
  t.is(await cli.exited, 0);
  t.regex(cli.stderr, /SIGTERM: closing/);
});

test('--quiet prints no banner but serves', async (t) => {
  const port = await freePort();
  const cli = startCli(['serve', DIR, '--host', '127.0.0.1', '--port', String(port), '--quiet']);
  const text = await retryFetch(`http://127.0.0.1:${port}/hello.txt`);
  cli.child.kill('SIGTERM');
  t.is(await cli.exited, 0);
  t.is(text, 'hello from a dir\n');
  t.is(cli.stdout, '');
  t.is(cli.stderr, '');
});

test('it serves a directory and --access-log FILE --json-log appends JSON lines', async (t) => {
  const log = join(DIR, 'access.log');
  const { cli, port } = await startServing([DIR, '--access-log', log, '--json-log']);
  const res = await fetch(`http://127.0.0.1:${port}/hello.txt`, { headers: { 'user-agent': 'cli-test' } });
  t.is(await res.text(), 'hello from a dir\n');
  cli.child.kill('SIGTERM');
  t.is(await cli.exited, 0);
  const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.is(lines.length, 1);
  t.like(lines[0], { method: 'GET', target: '/hello.txt', status: 200, bytes: 17, userAgent: 'cli-test', remote: '127.0.0.1' });
});

test('--access-log without a file logs Combined Log Format lines to stdout', async (t) => {
  const { cli, port } = await startServing([DIR, '--access-log']);
  await (await fetch(`http://127.0.0.1:${port}/missing`)).text();
  await cli.waitFor(/"GET \/missing HTTP\/1\.1" 404/);
  cli.child.kill('SIGINT');
  t.is(await cli.exited, 0);
  t.regex(cli.stdout, /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/missing HTTP\/1\.1" 404 \d+ "-" "[^"]*"$/m);
});

test('--gzip serves compressible files gzip-encoded to clients that accept it', async (t) => {
  const { cli, port } = await startServing([DIR, '--gzip']);
  const res = await fetch(`http://127.0.0.1:${port}/page.html`, { headers: { 'accept-encoding': 'gzip' } });
  const text = await res.text();
  cli.child.kill('SIGTERM');
  t.is(await cli.exited, 0);
  t.is(res.status, 200);
  t.is(res.headers.get('content-encoding'), 'gzip');
  t.is(text, PAGE);
});

test('SIGTERM lets an in-flight download finish before exiting 0', async (t) => {
  const { cli, port } = await startServing([DIR]);
  const expected = 32 * 1024 * 1024;
  const received = await new Promise<number>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let bytes = 0;
    let signalled = false;
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      if (!signalled && bytes > 1024 * 1024) {
        signalled = true;
        // Slow down so the transfer is surely in flight when the signal lands.
        socket.pause();
        cli.child.kill('SIGTERM');
        setTimeout(() => socket.resume(), 300);
      }
    });
    socket.on('close', () => resolve(bytes));
    socket.on('error', reject);
    socket.write('GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n');
  });
  t.is(await cli.exited, 0);
  const headBytes = received - expected;
  t.true(headBytes > 0 && headBytes < 400, `received ${received} bytes for a ${expected}-byte body`);
});

test('start-up problems name themselves: --port -1 (exit 2), a misspelled config key (exit 2), a host that does not resolve (exit 1)', async (t) => {
  // One process after another: these only check messages, and every spawn is slow on a loaded machine.
  const port = await runCli(['serve', '--port', '-1']);
  t.is(port.code, 2);
  t.regex(port.stderr, /^sluice: --port must be a number from 0 to 65535, got '-1'\n/);
  const file = join(DIR, 'typo.json');
  writeFileSync(file, '{"cleanURLs": true}');
  const config = await runCli(['serve', '--config', file]);
  t.is(config.code, 2);
  t.true(config.stderr.startsWith(`sluice: ${file}: unknown key 'cleanURLs' (did you mean 'cleanUrls'?)\n`), config.stderr);
  const host = await runCli(['serve', '--host', 'no-such-host.invalid', '--port', '0']);
  t.is(host.code, 1);
  t.regex(host.stderr, /^sluice: cannot listen on 'no-such-host\.invalid': /);
  t.notRegex(host.stderr, /\n\s+at /);
});

/** Whether ::1 can be bound here (IPv6 may be off in a container). */
async function hasIPv6Loopback(): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

test('--host localhost with --workers 2 listens on 127.0.0.1 and ::1 and the banner prints each URL', async (t) => {
  const v6 = await hasIPv6Loopback();
  const cli = startCli(['serve', DIR, '--host', 'localhost', '--port', '0', '--workers', '2']);
  const m = await cli.waitFor(/http:\/\/localhost:(\d+)\//);
  await cli.waitFor(/ {2}options: .*\n/);
  const port = Number(m[1]);
  try {
    t.regex(cli.stdout, new RegExp(`  http://localhost:${port}/\n  http://127\\.0\\.0\\.1:${port}/\n${v6 ? `  http://\\[::1\\]:${port}/\n` : ''}  options: `));
    t.is(await (await fetch(`http://127.0.0.1:${port}/hello.txt`)).text(), 'hello from a dir\n');
    if (v6) t.is(await (await fetch(`http://[::1]:${port}/hello.txt`)).text(), 'hello from a dir\n');
  } finally {
    cli.child.kill('SIGTERM');
    t.is(await cli.exited, 0);
  }
});
