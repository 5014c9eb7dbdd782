// The CLI's process plumbing shared by `sluice serve` and the worker supervisor: where output goes, exit codes, how
// a failure becomes one line, and the stop signal listened for before anything announces that the server is up.

/** Where the CLI writes: ordinary output and diagnostics (injectable for tests). */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The real process streams. */
export const PROCESS_OUTPUT: CliOutput = {
  out: (line) => void process.stdout.write(line + '\n'),
  err: (line) => void process.stderr.write(line + '\n'),
};

/** Exit codes: 0 fine, 1 runtime failure, 2 usage error (as in sysexits-free POSIX tools). */
export const EXIT_OK = 0;
/** A runtime failure: port in use, bad directory, no permission. */
export const EXIT_FAILURE = 1;
/** The command line was wrong. */
export const EXIT_USAGE = 2;

/** Print an error as one line (a stack only for unexpected ones); resolves the exit code. */
export function reportFailure(err: unknown, output: CliOutput): number {
  const known = describeError(err);
  output.err(known === null ? `sluice: unexpected error: ${(err as Error)?.stack ?? String(err)}` : `sluice: ${known}`);
  return EXIT_FAILURE;
}

/** The one-line description of an expected failure (it carries a `code`), or null for a bug. */
export function describeError(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? err.message : null;
}

/** The first SIGTERM / SIGINT, listened for from the moment this is called. */
export interface StopSignal {
  /** Resolves with the first SIGTERM / SIGINT; a second one exits at once (the operator insists). */
  readonly received: Promise<NodeJS.Signals>;
  /** Stop listening (the server never started). */
  dispose(): void;
}

/**
 * Listen for a stop signal. Call it before anything announces that the server is up: a supervisor that sends SIGTERM
 * as soon as it reads the banner must get a graceful drain, not the default action (death by signal).
 */
export function listenForStopSignal(): StopSignal {
  let resolveSignal: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  const dispose = (): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    dispose();
    process.once('SIGTERM', () => process.exit(128 + 15));
    process.once('SIGINT', () => process.exit(128 + 2));
    resolveSignal(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { received, dispose };
}
