// The launcher starts Node again in place with the server's V8 flags (src/cli/node-flags.ts, bin/sluice.js): the same
// pid serves with the flag on its command line and its output still reaches the caller; a user's own semi-space
// size, or SLUICE_NODE_FLAGS=0, leaves Node's command line alone.
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { relaunchArgv, SERVER_V8_FLAGS } from '../../src/cli/node-flags.js';

const BIN = join(process.cwd(), 'bin', 'sluice.js');
const FLAG = SERVER_V8_FLAGS[0]!;

test('relaunchArgv puts the flags in front of the node options and the script and its arguments', (t) => {
  t.deepEqual(relaunchArgv('/bin/node', ['--inspect'], ['/bin/node', '/x/sluice.js', 'serve', '-p', '0'], {}),
    ['/bin/node', ...SERVER_V8_FLAGS, '--inspect', '/x/sluice.js', 'serve', '-p', '0']);
});

test('relaunchArgv is null once the flags are there, for a size the user chose, and when opted out', (t) => {
  const argv = ['/bin/node', '/x/sluice.js'];
  t.is(relaunchArgv('/bin/node', [...SERVER_V8_FLAGS], argv, {}), null);
  t.is(relaunchArgv('/bin/node', ['--max-semi-space-size=64'], argv, {}), null);
  t.is(relaunchArgv('/bin/node', ['--min_semi_space_size=4'], argv, {}), null);
  t.is(relaunchArgv('/bin/node', [], argv, { NODE_OPTIONS: '--trace-warnings --max-semi-space-size=32' }), null);
  t.is(relaunchArgv('/bin/node', [], argv, { SLUICE_NODE_FLAGS: '0' }), null);
  t.not(relaunchArgv('/bin/node', [], argv, { SLUICE_NODE_FLAGS: '1', NODE_OPTIONS: '--trace-warnings' }), null);
});

/** Starts `sluice serve` with extra node options and env, waits for its banner, and returns the serving process's
 *  command line (read from /proc for the pid that was spawned) and what it printed. */
async function serveAndInspect(t: { teardown(fn: () => void): void }, nodeOptions: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...nodeOptions, BIN, 'serve', '--port', '0', '--host', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m !== null) resolve(m[0]);
    });
    child.once('close', (code) => reject(new Error(`exited with ${code} before serving:\n${out}`)));
  });
  const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
  const response = await fetch(url);
  await response.arrayBuffer();
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.kill('SIGTERM');
  const code = await exited;
  return { cmdline, status: response.status, out, code };
}

test('the CLI serves from the same pid with the flag on its command line, its banner and exit code intact', async (t) => {
  const { cmdline, status, out, code } = await serveAndInspect(t, [], {});
  t.true(cmdline.includes(FLAG), cmdline.join(' '));
  t.is(cmdline.filter((arg) => arg === FLAG).length, 1);
  t.true(cmdline.includes('serve'));
  t.is(status, 200);
  t.regex(out, /sluice: serving the built-in site/);
  t.regex(out, /SIGTERM: closing/);
  t.is(code, 0);
});

test('a semi-space size of the user\'s own, or SLUICE_NODE_FLAGS=0, is left as it is', async (t) => {
  const own = await serveAndInspect(t, ['--max-semi-space-size=8'], {});
  t.false(own.cmdline.includes(FLAG));
  t.true(own.cmdline.includes('--max-semi-space-size=8'));
  t.is(own.status, 200);
  const off = await serveAndInspect(t, [], { SLUICE_NODE_FLAGS: '0' });
  t.false(off.cmdline.includes(FLAG));
  t.is(off.status, 200);
});
