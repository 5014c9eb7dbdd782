// Server lifecycle for one target start: free port, pinned spawn, wait for the listener, prove it is ours, stop.
// The listener check walks the whole process tree, so nginx's master/worker pair counts as "ours".
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { readAllProcTimes, selectTree } from './cpu.js';
import { findListenerOwners, isPortFree, pickFreePort } from './ports.js';
import { sleep, spawnPinned, stopProcess } from './processes.js';
import type { Launch, Target } from './targets.js';
import type { BenchEnv } from './setup.js';

/** A running target. */
export interface RunningServer {
  target: Target;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Last lines the server printed (for error messages). */
  logTail: () => string;
}

/** Result of trying to start a target. */
export type StartOutcome =
  | { kind: 'running'; server: RunningServer }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'failed'; reason: string };

/** How long a server gets to start listening. */
export const START_TIMEOUT_MS = 15_000;

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The pids of `pid` and its descendants. */
export function readTreePids(pid: number): number[] {
  return selectTree(readAllProcTimes(), pid).map((p) => p.pid);
}

/** A ready launch, as `wrap` receives it (the profiler puts 0x in front of node). */
export type ReadyLaunch = Extract<Launch, { kind: 'launch' }>;

/** Starts a target pinned to `core` and waits until it listens on its own port. */
export async function startServer(target: Target, env: BenchEnv, core: number | null,
  wrap: (l: ReadyLaunch) => Launch = (l) => l): Promise<StartOutcome> {
  const port = pickFreePort();
  const base = target.launch({ port, env });
  const launch = base.kind === 'launch' ? wrap(base) : base;
  if (launch.kind === 'unavailable') return { kind: 'unavailable', reason: launch.reason };
  let log = '';
  const child = spawnPinned(core, launch.cmd, launch.args, launch.env, (c) => (log = (log + c).slice(-4000)));
  const logTail = (): string => log.trim().split('\n').slice(-5).join(' | ');
  let spawnError: Error | null = null;
  child.once('error', (err) => (spawnError = err));
  const fail = async (reason: string): Promise<StartOutcome> => {
    await stopProcess(child, 1000);
    return { kind: 'failed', reason };
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError !== null) return fail(`spawn failed: ${(spawnError as Error).message}`);
    if (child.exitCode !== null || child.signalCode !== null) return fail(`exited (${child.exitCode ?? child.signalCode}) before listening: ${logTail()}`);
    if (await canConnect(port)) {
      const pid = child.pid!;
      if (findListenerOwners(port, readTreePids(pid)).length === 0) return fail(`a process other than pid ${pid} listens on :${port}`);
      return { kind: 'running', server: { target, port, pid, child, logTail } };
    }
    await sleep(100);
  }
  return fail(`did not listen on :${port} within ${START_TIMEOUT_MS / 1000} s: ${logTail()}`);
}

/** Stops a server and waits until its port is released. */
export async function stopServer(server: RunningServer): Promise<void> {
  await stopProcess(server.child);
  for (let i = 0; i < 50 && !isPortFree(server.port); i++) await sleep(100);
}
