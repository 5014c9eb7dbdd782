import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./fixtures/emfile-child.js', import.meta.url));
const CLIENTS = 5;

interface EmfileReport {
  accepted: number;
  errors: number[];
  turnsWhileFull: number;
  heldMs: number;
}

/** A fixture run under `ulimit -n 64`: the port it prints first, and its whole stdout and exit code once it exits. */
function runUnderLowLimit(child: string, args: string[] = []): { port: Promise<number>; result: Promise<{ code: number; output: string }> } {
  // sh's `ulimit -n` lowers the soft and the hard limit, so node cannot raise its soft limit back at startup.
  const proc = spawn('sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  proc.stdout.setEncoding('utf8');
  const port = new Promise<number>((resolve) => {
    proc.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('\n')) resolve(Number(output.split('\n')[0]));
    });
  });
  const result = once(proc, 'exit').then(([code]) => ({ code: code as number, output }));
  return { port, result };
}

/** The JSON report a fixture prints on its last line. */
function lastLine<T>(output: string): T {
  return JSON.parse(output.trim().split('\n').at(-1)!) as T;
}

test('EMFILE is reported, backed off without a busy loop, and recovered from once fds are free', async (t) => {
  const run = runUnderLowLimit(CHILD, [String(CLIENTS)]);
  const port = await run.port;
  const clients: Socket[] = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(connect({ host: '127.0.0.1', port }));
  const { code, output } = await run.result;
  for (const client of clients) client.destroy();
  t.is(code, 0);
  const report = lastLine<EmfileReport>(output);
  t.is(report.accepted, CLIENTS); // every client got in after the fds came back
  t.true(report.errors.length > 0);
  t.true(report.errors.every((errno) => errno === -constants.errno.EMFILE));
  // A spinning listener would report (and wake JS) on every loop turn: thousands in the hold time.
  t.true(report.errors.length <= 20, `${report.errors.length} reports in ${report.heldMs} ms`);
  t.true(report.turnsWhileFull <= 20, `${report.turnsWhileFull} turns in ${report.heldMs} ms`);
});

const RESUME_CHILD = fileURLToPath(new URL('./fixtures/emfile-resume-child.js', import.meta.url));

test('after EMFILE, closing a tracked fd resumes accepting at once rather than after the backoff delay', async (t) => {
  const run = runUnderLowLimit(RESUME_CHILD);
  const client = connect({ host: '127.0.0.1', port: await run.port });
  client.on('error', () => {});
  const { code, output } = await run.result;
  client.destroy();
  t.is(code, 0);
  const report = lastLine<{ iterations: number; errorsBeforeClose: number }>(output);
  t.true(report.errorsBeforeClose > 1, `the listener retried ${report.errorsBeforeClose} time(s) while full`);
  // The close re-arms the listener for the very next poll; waiting out the delay would take thousands of iterations.
  t.true(report.iterations <= 3, `${report.iterations} loop iterations between the close and the accept`);
});
