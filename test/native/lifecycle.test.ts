import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./fixtures/lifecycle-child.js', import.meta.url));
const EXIT_WAIT_MS = 10_000;

// Runs the child in `mode`; kills it if it is still alive after waitMs. Resolves with its exit and output.
async function runChild(mode: string, waitMs = EXIT_WAIT_MS): Promise<{ code: number | null; killed: boolean; out: string }> {
  const child = spawn(process.execPath, [CHILD, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, waitMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, killed, out };
}

test('a process whose native fds are all closed exits by itself', async (t) => {
  const { code, killed } = await runChild('idle-exit');
  t.false(killed);
  t.is(code, 0);
});

test('an unref-ed listener does not keep the process alive', async (t) => {
  const { code, killed } = await runChild('unref-listener');
  t.false(killed);
  t.is(code, 0);
});

test('an accepting listener keeps the process alive, like a node server', async (t) => {
  const child = spawn(process.execPath, [CHILD, 'ref-listener'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  t.is(line.toString(), 'listening\n');
  // Listening and otherwise idle: without the listener's ref the process would exit right here.
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.is(child.exitCode, null);
  child.kill('SIGKILL');
  await once(child, 'exit');
});

test('an exception thrown from onEvents is raised as uncaught and later batches still arrive', async (t) => {
  const { code, killed, out } = await runChild('throw');
  t.false(killed);
  t.is(code, 0);
  const report = JSON.parse(out.trim()) as { caught: string[]; count: number; text: string };
  t.deepEqual(report.caught, ['boom from onEvents']);
  t.is(report.count, 1);
  t.is(report.text, 'second');
});
