// `sluice serve`: start the server in this process (or hand over to the worker supervisor), print where it listens,
// and drain gracefully on SIGTERM/SIGINT. Key decision: every expected failure (port in use, bad dir, no permission)
// becomes one line naming the problem and exit code 1; only a bug prints a stack.

import { serve, type ListenAddress, type Server, type Settings, type TlsSettings } from '../server/index.js';
import { buildApplication } from './application.js';
import type { ServeConfig } from './args.js';
import { printBanner } from './banner.js';
import { tlsSettingsOf } from './tls-flags.js';
import { runWorkers } from './workers.js';

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

/** A running server plus what its shutdown must also close (the access log). */
export interface Serving {
  readonly server: Server;
  readonly port: number;
  readonly addresses: readonly ListenAddress[];
  /** Graceful: in-flight requests finish, then the access log is flushed; resolves with a warning about lost log lines, or null. */
  close(): Promise<string | null>;
}

/** Exit codes: 0 fine, 1 runtime failure, 2 usage error (as in sysexits-free POSIX tools). */
export const EXIT_OK = 0;
/** A runtime failure: port in use, bad directory, no permission. */
export const EXIT_FAILURE = 1;
/** The command line was wrong. */
export const EXIT_USAGE = 2;

/** Build the app and listen; throws (StaticRootError, TlsError, SysError…) when that is impossible. */
export function startServing(config: ServeConfig, extra: Partial<Settings> = {}, tlsExtra: Partial<TlsSettings> = {}): Serving {
  const built = buildApplication(config);
  let server: Server;
  try {
    server = serve({ port: config.port, host: config.host, ...built.settings, tls: tlsSettingsOf(config.tls, tlsExtra), ...extra }, built.app);
  } catch (err) {
    void built.close();
    throw err;
  }
  return { server, port: server.port, addresses: server.addresses, close: () => server.close().then(() => built.close()) };
}

/** Run `sluice serve` until a stop signal; resolves to the exit code. */
export async function runServe(config: ServeConfig, output: CliOutput = PROCESS_OUTPUT): Promise<number> {
  if (config.workers > 1) return runWorkers(config, output);
  let serving: Serving;
  try {
    serving = startServing(config);
  } catch (err) {
    return reportFailure(err, output);
  }
  const stop = listenForStopSignal();
  const reload = (): void => reloadTls(serving.server, config, output);
  if (config.tls !== null) process.on('SIGHUP', reload);
  if (!config.quiet) printBanner(config, serving.addresses, serving.port, output);
  const signal = await stop.received;
  process.off('SIGHUP', reload);
  if (!config.quiet) output.err(`sluice: ${signal}: closing (in-flight requests finish first)`);
  const warning = await serving.close();
  if (warning !== null) output.err(`sluice: ${warning}`);
  return EXIT_OK;
}

/** SIGHUP with TLS: read the certificate files again for new connections (certbot renewals); keep the old on failure. */
export function reloadTls(server: Server, config: ServeConfig, output: CliOutput): void {
  if (config.tls?.kind !== 'files') {
    output.err('sluice: SIGHUP: the self-signed certificate is kept (nothing to reload)');
    return;
  }
  try {
    server.setTls();
    output.err('sluice: SIGHUP: TLS certificates reloaded for new connections');
  } catch (err) {
    output.err(`sluice: SIGHUP: TLS reload failed, the old certificates are kept: ${(err as Error).message}`);
  }
}

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
