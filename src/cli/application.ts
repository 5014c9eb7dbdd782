// What `sluice serve` runs: the static app over the directory (or the embedded site), wrapped in the middleware the
// flags ask for, plus the engine settings they imply. Key decision: the access log is the engine's exact one
// (accessLog() as Settings.logger: bytes actually written), not the middleware form that counts what the app returned.

import { setTimeout as delay } from 'node:timers/promises';
import { gzip } from '../middleware/gzip.js';
import { accessLog, type AccessLog } from '../middleware/logger.js';
import { staticFiles } from '../middleware/static/static-files.js';
import type { Settings } from '../server/settings.js';
import type { Application } from '../server/types.js';
import type { ServeConfig } from './args.js';
import { defaultSite } from './default-site.js';

/** The app to serve, the settings it adds (logger), and what to close on shutdown. */
export interface CliApplication {
  readonly app: Application;
  readonly settings: Partial<Settings>;
  /** Flush and close the access log; resolves with a warning when lines were lost, else null. */
  close(): Promise<string | null>;
}

/** How long shutdown waits for the access log to reach the OS. */
export const LOG_CLOSE_TIMEOUT_MS = 2000;

/** Build the application for a config; throws StaticRootError when the directory is unusable. */
export function buildApplication(config: ServeConfig): CliApplication {
  let app: Application = config.dir === null ? defaultSite() : staticFiles(config.dir);
  if (config.gzip) {
    // A file keeps sendfile when it has a .gz/.br sibling; otherwise compressible files are compressed on the fly.
    app = gzip({ files: { kind: 'precompressed', fallback: { kind: 'compress' } } })(app);
  }
  const log: AccessLog | null = config.accessLog === null ? null
    : accessLog({ to: config.accessLog === '-' ? process.stdout : config.accessLog, format: config.jsonLog ? 'json' : 'combined' });
  return {
    app,
    settings: log === null ? {} : { logger: log },
    close: () => (log === null ? Promise.resolve(null) : closeLog(log, config.accessLog!)),
  };
}

async function closeLog(log: AccessLog, destination: string): Promise<string | null> {
  // A failed file stream may never confirm its end: never let that hold up the exit.
  await Promise.race([log.close().catch(() => {}), delay(LOG_CLOSE_TIMEOUT_MS, undefined, { ref: false })]);
  const { failure, dropped } = log.writer;
  if (failure === null && dropped === 0) return null;
  const where = destination === '-' ? 'stdout' : destination;
  return `access log ${where}: ${failure?.message ?? 'too slow'}; ${dropped} line(s) dropped`;
}
