import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { buildPinnedCommand, NOFILE, runPinned, spawnPinned, stopProcess } from '../../bench/processes.js';

test('buildPinnedCommand raises the fd limit and execs through taskset', (t) => {
  t.deepEqual(buildPinnedCommand(1, 'wrk', ['-t1']),
    ['sh', '-c', `ulimit -n ${NOFILE} 2>/dev/null; exec "$@"`, 'sh', 'taskset', '-c', '1', 'wrk', '-t1']);
});

test('buildPinnedCommand without a core does not pin', (t) => {
  t.deepEqual(buildPinnedCommand(null, 'wrk', []).slice(4), ['wrk']);
});

const canPin = cpus().length >= 2 && spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0;
(canPin ? test : test.skip)('runPinned runs the program on the requested core only', async (t) => {
  const done = await runPinned(1, 'grep', ['Cpus_allowed_list', '/proc/self/status'], 5000);
  t.is(done.code, 0);
  t.regex(done.stdout, /Cpus_allowed_list:\s+1\s*$/);
});

test('runPinned kills a client that overruns its deadline', async (t) => {
  const done = await runPinned(null, 'sleep', ['5'], 200);
  t.true(done.timedOut);
  t.not(done.code, 0);
});

test('spawnPinned keeps the program\'s own pid (exec, no wrapper process left)', async (t) => {
  const child = spawnPinned(null, 'sleep', ['5'], {});
  await new Promise((resolve) => setTimeout(resolve, 200));
  const comm = spawnSync('cat', [`/proc/${child.pid}/comm`], { encoding: 'utf8' }).stdout.trim();
  t.is(comm, 'sleep');
  await stopProcess(child, 1000);
  t.not(child.signalCode ?? child.exitCode, null);
});
