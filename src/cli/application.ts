// What `sluice serve` runs: the static app over the directory (or the embedded site), wrapped in the middleware the
// flags ask for, plus the engine settings they imply. Key decision: optional middleware (gzip) is looked up by name in
// the middleware index, so this layer builds and runs whether or not that middleware has landed yet.

import * as middleware from '../middleware/index.js';
import { staticFiles } from '../middleware/static/static-files.js';
import type { Settings } from '../server/settings.js';
import type { Application, Middleware } from '../server/types.js';
import { openAccessLog, type AccessLog } from './access-log.js';
import type { ServeConfig } from './args.js';
import { defaultSite } from './default-site.js';

/** The app to serve, the settings it adds (logger), and what to close on shutdown. */
export interface CliApplication {
  readonly app: Application;
  readonly settings: Partial<Settings>;
  /** Flush and close the access log. */
  close(): Promise<void>;
}

/** A flag that needs middleware this build does not have (e.g. --gzip before gzip() exists). */
export class MissingMiddlewareError extends Error {
  readonly code = 'MISSING_MIDDLEWARE';

  constructor(readonly flag: string, name: string) {
    super(`${flag} needs the ${name}() middleware, which this build of sluice does not include`);
  }
}

/** Build the application for a config; throws StaticRootError when the directory is unusable. */
export function buildApplication(config: ServeConfig, lookup: MiddlewareLookup = lookupMiddleware): CliApplication {
  let app: Application = config.dir === null ? defaultSite() : staticFiles(config.dir);
  if (config.gzip) {
    const gzip = lookup('gzip');
    if (gzip === null) throw new MissingMiddlewareError('--gzip', 'gzip');
    app = gzip()(app);
  }
  let log: AccessLog | null = null;
  if (config.accessLog !== null) log = openAccessLog(config.accessLog, config.jsonLog ? 'json' : 'combined');
  return {
    app,
    settings: log === null ? {} : { logger: log.log },
    close: () => log?.close() ?? Promise.resolve(),
  };
}

/** Finds a middleware factory by export name, or null when the build lacks it. */
export type MiddlewareLookup = (name: string) => (() => Middleware) | null;

/** The default lookup: the exports of src/middleware/index.ts. */
export function lookupMiddleware(name: string): (() => Middleware) | null {
  const exports: Record<string, unknown> = middleware;
  const factory = exports[name];
  return typeof factory === 'function' ? (factory as () => Middleware) : null;
}
