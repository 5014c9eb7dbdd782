// Tests for the worker supervisor's policies with scripted fake workers: failed starts, restarts with backoff, failed
// restarts, reloads that fail, and workers that ignore shutdown. (The real workers are driven in test/behaviour.)
import test from 'ava';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from '../../src/cli/args.js';
import type { CliOutput } from '../../src/cli/serve-command.js';
import { runWorkers, Supervisor, WorkerStartError } from '../../src/cli/workers.js';

const DIR = mkdtempSync(join(tmpdir(), 'sluice-supervisor-'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

const CONFIG: ServeConfig = { ...DEFAULT_SERVE_CONFIG, port: 0, host: '127.0.0.1', workers: 2, quiet: true };

/**
 * A fake worker script. Each start appends a line to its log, so `plan(n)` (n = 1 for the first start) decides
 * what this incarnation does: 'listen', 'fail', 'die' (listen, then exit 3 shortly after), or 'deaf' (listen and
 * ignore shutdown). `junk` messages are sent first to check the supervisor ignores malformed IPC.
 */
function fakeWorker(name: string, plan: string): { entry: string; starts: () => number } {
  const log = join(DIR, `${name}.log`);
  const entry = join(DIR, `${name}.mjs`);
  writeFileSync(log, '');
  writeFileSync(entry, `
import { appendFileSync, readFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(log)}, process.pid + '\\n');
const n = readFileSync(${JSON.stringify(log)}, 'utf8').trim().split('\\n').length;
const mode = (${plan})(n);
const config = JSON.parse(process.env.SLUICE_WORKER_CONFIG);
process.send('junk');
process.send({ kind: 'listening' });
if (mode === 'fail') process.send({ kind: 'failed', message: 'fake failure ' + n, code: 'EFAKE' }, () => process.exit(1));
else {
  process.send({ kind: 'listening', port: config.port });
  if (mode !== 'deaf') process.on('message', (m) => { if (m.kind === 'shutdown') process.exit(0); });
  else process.on('message', () => {});
  if (mode === 'die') setTimeout(() => process.exit(3), 30);
}
`);
  return { entry, starts: () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length };
}

function recorder(): CliOutput & { lines: string[]; waitFor(re: RegExp, count?: number): Promise<void> } {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const push = (line: string): void => {
    lines.push(line);
    for (const w of waiters) w();
  };
  return {
    lines,
    out: push,
    err: push,
    waitFor: (re, count = 1) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count}x ${re}:\n${lines.join('\n')}`)), 30_000);
      const check = (): void => {
        if (lines.filter((l) => re.test(l)).length < count) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    }),
  };
}

async function portIsFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

test('a worker that fails to start fails start() with its message and code, and the listeners are closed', async (t) => {
  const fake = fakeWorker('fails', '(n) => (n === 2 ? "fail" : "listen")');
  const output = recorder();
  const supervisor = new Supervisor({ config: CONFIG, output, entry: fake.entry });
  const err = await t.throwsAsync(supervisor.start(), { instanceOf: WorkerStartError });
  t.regex(err!.message, /^fake failure 2$/);
  t.is((err as WorkerStartError).code, 'EFAKE');
  t.deepEqual(supervisor.pids, []);
  t.true(await portIsFree(supervisor.port));
});

test('a port taken by a plain listener fails start() before any worker is forked', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const fake = fakeWorker('never', '() => "listen"');
  try {
    const supervisor = new Supervisor({ config: { ...CONFIG, port }, output: recorder(), entry: fake.entry });
    const err = await t.throwsAsync(supervisor.start());
    t.is((err as { code?: string }).code, 'EADDRINUSE');
    t.is(err!.message, `port ${port} is already in use (127.0.0.1:${port})`);
    t.is(fake.starts(), 0);
  } finally {
    blocker.close();
  }
});

test('a worker that dies is restarted with doubling backoff per slot', async (t) => {
  // One slot; its worker dies every time: the delays must grow 10, 20, 40 ms.
  const fake = fakeWorker('dies', '() => "die"');
  const output = recorder();
  const supervisor = new Supervisor({ config: { ...CONFIG, workers: 1 }, output, entry: fake.entry, backoff: { initialMs: 10, maxMs: 40 } });
  await supervisor.start();
  await output.waitFor(/restarting in/, 4);
  await supervisor.shutdown();
  const delays = output.lines.filter((l) => l.includes('restarting in')).map((l) => Number(/restarting in (\d+) ms/.exec(l)![1]));
  t.deepEqual(delays.slice(0, 4), [10, 20, 40, 40]);
  t.regex(output.lines.find((l) => l.includes('exited'))!, /worker 1 \(pid \d+\) exited \(code 3\)/);
  t.true(output.lines.some((l) => /worker 1 restarted \(pid \d+\)/.test(l)));
});

test('a worker that lived past stableMs restarts after the initial delay again', async (t) => {
  const fake = fakeWorker('stable', '() => "die"');
  const output = recorder();
  const supervisor = new Supervisor({ config: { ...CONFIG, workers: 1 }, output, entry: fake.entry, backoff: { initialMs: 5, maxMs: 1000 }, stableMs: 0 });
  await supervisor.start();
  await output.waitFor(/restarting in/, 3);
  await supervisor.shutdown();
  const delays = output.lines.filter((l) => l.includes('restarting in')).map((l) => Number(/restarting in (\d+) ms/.exec(l)![1]));
  t.deepEqual(delays.slice(0, 3), [5, 5, 5]);
});

test('a restart that fails to start is retried with backoff', async (t) => {
  // First start listens then dies; the second fails; the third listens for good.
  const fake = fakeWorker('retry', '(n) => (n === 1 ? "die" : n === 2 ? "fail" : "listen")');
  const output = recorder();
  const supervisor = new Supervisor({ config: { ...CONFIG, workers: 1 }, output, entry: fake.entry, backoff: { initialMs: 5, maxMs: 100 } });
  await supervisor.start();
  await output.waitFor(/restarted \(pid/);
  t.true(output.lines.some((l) => /worker 1 failed to start: fake failure 2; retrying in 10 ms/.test(l)));
  t.is(supervisor.pids.length, 1);
  await supervisor.shutdown();
  t.is(fake.starts(), 3);
});

test('a reload whose new workers fail keeps the old ones serving', async (t) => {
  const fake = fakeWorker('reload-fails', '(n) => (n <= 2 ? "listen" : "fail")');
  const supervisor = new Supervisor({ config: CONFIG, output: recorder(), entry: fake.entry });
  await supervisor.start();
  const before = supervisor.pids;
  await t.throwsAsync(supervisor.reload(), { message: /fake failure/ });
  t.deepEqual(supervisor.pids, before);
  await supervisor.shutdown();
});

test('a reload replaces every worker and the old ones exit', async (t) => {
  const fake = fakeWorker('reload-ok', '() => "listen"');
  const supervisor = new Supervisor({ config: CONFIG, output: recorder(), entry: fake.entry });
  await supervisor.start();
  const before = supervisor.pids;
  await supervisor.reload();
  const after = supervisor.pids;
  t.is(after.length, 2);
  t.deepEqual(after.filter((p) => before.includes(p)), []);
  for (const pid of before) t.throws(() => process.kill(pid, 0));
  await supervisor.shutdown();
  for (const pid of after) t.throws(() => process.kill(pid, 0));
});

test('a worker that ignores shutdown is killed after stopTimeoutMs', async (t) => {
  const fake = fakeWorker('deaf', '() => "deaf"');
  const supervisor = new Supervisor({ config: { ...CONFIG, workers: 1 }, output: recorder(), entry: fake.entry, stopTimeoutMs: 100 });
  await supervisor.start();
  const [pid] = supervisor.pids;
  await supervisor.shutdown();
  t.throws(() => process.kill(pid!, 0));
});

const signalListeners = (): number[] => (['SIGHUP', 'SIGTERM', 'SIGINT'] as const).map((s) => process.listenerCount(s));

test.serial('runWorkers handles signals from the start: a SIGHUP during start-up reloads once the workers listen, SIGTERM drains', async (t) => {
  const fake = fakeWorker('early-hup', '() => "listen"');
  const output = recorder();
  const before = signalListeners();
  const exit = runWorkers(CONFIG, output, { entry: fake.entry });
  // The supervisor has not started a worker yet: without its own handler this SIGHUP would kill it.
  process.emit('SIGHUP');
  await output.waitFor(/^sluice: reloaded \(pids \d+, \d+\)$/);
  t.is(fake.starts(), 4);
  process.emit('SIGTERM');
  t.is(await exit, 0);
  // The stop listener swapped itself for "a second signal exits at once"; the SIGHUP handler is gone.
  const after = signalListeners();
  t.is(after[0], before[0]);
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
});

test.serial('runWorkers that cannot start reports it, exits 1 and leaves no signal handlers behind', async (t) => {
  const fake = fakeWorker('early-fail', '() => "fail"');
  const output = recorder();
  const before = signalListeners();
  t.is(await runWorkers(CONFIG, output, { entry: fake.entry }), 1);
  t.true(output.lines.some((l) => /^sluice: fake failure \d$/.test(l)));
  t.deepEqual(signalListeners(), before);
});

/** Blocks (no event loop turn) until pid is a zombie: dead, its sockets closed, its exit not yet seen by us. */
function waitForZombie(pid: number): void {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
  }
  throw new Error(`pid ${pid} did not die`);
}

test('shutting down a worker that died a moment ago (its IPC pipe broken, its exit not yet seen) does not crash', async (t) => {
  const fake = fakeWorker('just-died', '() => "listen"');
  const supervisor = new Supervisor({ config: { ...CONFIG, workers: 1 }, output: recorder(), entry: fake.entry });
  await supervisor.start();
  const [pid] = supervisor.pids;
  process.kill(pid!, 'SIGKILL');
  waitForZombie(pid!);
  // The shutdown message meets EPIPE; before, that surfaced as an unhandled 'error' event and killed the supervisor.
  await supervisor.shutdown();
  t.deepEqual(supervisor.pids, []);
});

test('fake worker logs record each start (the harness itself works)', (t) => {
  const fake = fakeWorker('harness', '() => "listen"');
  appendFileSync(join(DIR, 'harness.log'), '1\n2\n');
  t.is(fake.starts(), 2);
});
