// `sluice serve`: start the server in this process (or hand over to the worker supervisor), print where it listens,
// and drain gracefully on SIGTERM/SIGINT. Key decision: every expected failure (port in use, bad dir, no permission)
// becomes one line naming the problem and exit code 1; only a bug prints a stack.

import { serve, type ListenAddress, type Server, type Settings, type TlsSettings } from '../server/index.js';
import type { ServerMetrics } from '../middleware/index.js';
import { buildApplication, type BuildOptions } from './application.js';
import type { ServeConfig } from './args.js';
import { printBanner } from './banner.js';
import { EXIT_OK, listenForStopSignal, PROCESS_OUTPUT, reportFailure, type CliOutput } from './process-io.js';
import { tlsSettingsOf } from './tls-flags.js';
import { runWorkers } from './workers.js';

export { describeError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, listenForStopSignal, PROCESS_OUTPUT, reportFailure } from './process-io.js';
export type { CliOutput, StopSignal } from './process-io.js';

/** A running server plus what its shutdown must also close (the access log). */
export interface Serving {
  readonly server: Server;
  readonly port: number;
  readonly addresses: readonly ListenAddress[];
  /** The health path answers 503 from now on (close() does this first too). */
  drain(): void;
  /** The request counts of --metrics-path, or null. */
  readonly metrics: ServerMetrics | null;
  /** Graceful: in-flight requests finish, then the access log is flushed; resolves with a warning about lost log lines, or null. */
  close(): Promise<string | null>;
}

/** Build the app and listen; throws (StaticRootError, TlsError, SysError…) when that is impossible. */
export function startServing(config: ServeConfig, extra: Partial<Settings> = {}, tlsExtra: Partial<TlsSettings> = {},
  options: BuildOptions = {}): Serving {
  const built = buildApplication(config, options);
  let server: Server;
  try {
    server = serve({ port: config.port, host: config.host, ...built.settings, tls: tlsSettingsOf(config.tls, tlsExtra), ...extra }, built.app);
  } catch (err) {
    void built.close();
    throw err;
  }
  built.attach(server);
  const close = (): Promise<string | null> => {
    built.drain();
    return server.close().then(() => built.close());
  };
  return { server, port: server.port, addresses: server.addresses, drain: () => built.drain(), close, metrics: built.metrics };
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
