// A child process whose stdout and stderr the test reads as it runs: wait for a line, stop it, read its exit code.
import { spawn, type ChildProcess } from 'node:child_process';

/** A running process with its output. */
export interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  /** Resolves with the first match of pattern in the output (rejects after timeoutMs). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns a process and collects its stdout and stderr. */
export function run(command: string, args: readonly string[]): Running {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (d: Buffer): void => {
    text += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 40_000): Promise<RegExpMatchArray> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listeners.delete(check);
      reject(new Error(`timed out waiting for ${pattern}; output:\n${text}`));
    }, timeoutMs);
    const check = (): void => {
      const m = text.match(pattern);
      if (m === null) return;
      clearTimeout(timer);
      listeners.delete(check);
      resolve(m);
    };
    listeners.add(check);
    check();
  });
  const stop = (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  return { child, exited, output: () => text, waitFor, stop };
}
