// Child processes of the bench: pinning to a core (taskset), a raised fd limit, and run-to-completion with a deadline.
// Everything goes through `sh -c 'ulimit -n …; exec "$@"'` so the pid we hold is the real program's pid.
import { spawn, type ChildProcess } from 'node:child_process';

/** Open-file limit given to servers and clients (1000 connections + files + the runtime's own). */
export const NOFILE = 20000;

/** Prefixes a command with the fd-limit raise and, when `core` is set, a `taskset -c core`. */
export function buildPinnedCommand(core: number | null, cmd: string, args: string[]): string[] {
  const pin = core === null ? [] : ['taskset', '-c', String(core)];
  // `ulimit -n` may fail without CAP_SYS_RESOURCE above the hard limit; the run continues with the old limit.
  return ['sh', '-c', `ulimit -n ${NOFILE} 2>/dev/null; exec "$@"`, 'sh', ...pin, cmd, ...args];
}

/** Spawns a pinned long-running process (a server); stdout/stderr go to `log` when given. */
export function spawnPinned(core: number | null, cmd: string, args: string[], env: Record<string, string>,
  log?: (chunk: string) => void): ChildProcess {
  const [sh, ...rest] = buildPinnedCommand(core, cmd, args);
  const child = spawn(sh!, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const sinkOut = (b: Buffer): void => log?.(b.toString());
  child.stdout?.on('data', sinkOut);
  child.stderr?.on('data', sinkOut);
  return child;
}

/** Output of a finished client process. */
export interface Completed {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a pinned client to completion; it is killed after `deadlineMs`. */
export function runPinned(core: number | null, cmd: string, args: string[], deadlineMs: number,
  env: Record<string, string> = {}): Promise<Completed> {
  return new Promise((resolve, reject) => {
    const [sh, ...rest] = buildPinnedCommand(core, cmd, args);
    const child = spawn(sh!, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Resolves when the process has exited (immediately if it already has). */
export function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Stops a server: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 3000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await waitExit(child);
  clearTimeout(timer);
}

/** Sleeps for `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
