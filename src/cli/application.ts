// What `sluice serve` runs: the static app over the directory (or the embedded site) with the options the flags ask
// for, wrapped in the site-wide middleware, plus the engine settings they imply. Key decisions: the access log is the
// engine's exact one (accessLog() as Settings.logger: bytes actually written), not the middleware form that counts
// what the app returned; and the middleware order is headers > CORS > auth > gzip > files, so a preflight (which
// never carries credentials) is answered before auth, and a 401 still carries the CORS and custom fields.
import { setTimeout as delay } from 'node:timers/promises';
import {
  basicAuth,
  parseUserPassword,
  compose,
  cors,
  gzip,
  accessLog,
  type AccessLog,
  collectHeaderLines,
  setHeaders,
  staticFiles,
  type StaticOptions,
  healthCheck,
  serverMetrics,
  type MetricsSnapshot,
  type ServerMetrics,
} from '../middleware/index.js';
import type { Application, Middleware, RequestLog, Server, Settings } from '../server/index.js';
import type { ServeConfig } from './args.js';
import { defaultSite } from './default-site.js';

/** The app to serve, the settings it adds (logger), and what to close on shutdown. */
export interface CliApplication {
  readonly app: Application;
  readonly settings: Partial<Settings>;
  /** Flush and close the access log; resolves with a warning when lines were lost, else null. */
  close(): Promise<string | null>;
  /** The server it runs on (the metrics' open-connection gauge reads it). */
  attach(server: Server): void;
  /** The server is draining: the health path answers 503 from now on. */
  drain(): void;
  /** This process's request counts (--metrics-path), or null. */
  readonly metrics: ServerMetrics | null;
}

/** How a worker's metrics path answers: with the sum over every worker, which the supervisor collects. */
export interface BuildOptions {
  readonly collectMetrics?: () => Promise<MetricsSnapshot | null>;
}

/** How long shutdown waits for the access log to reach the OS. */
export const LOG_CLOSE_TIMEOUT_MS = 2000;

/** The staticFiles() options a config asks for (each flag is one option). */
export function staticOptionsOf(config: ServeConfig): StaticOptions {
  const options: StaticOptions = {
    listing: config.list,
    cleanUrls: config.cleanUrls,
    dotfiles: config.dotfiles,
    symlinks: config.symlinks,
    precompressed: config.precompressed,
    immutable: config.immutable,
    immutableHashed: config.immutableHashed,
  };
  if (config.single !== null) options.single = config.single;
  if (config.notFound !== null) options.notFound = config.notFound;
  if (config.maxAge !== null) options.maxAge = config.maxAge;
  return options;
}

/** The site-wide middleware a config asks for, outermost first. */
export function middlewareOf(config: ServeConfig): Middleware[] {
  const layers: Middleware[] = [];
  if (config.headers.length > 0) layers.push(setHeaders(collectHeaderLines(config.headers)));
  if (config.cors !== null) {
    const origin = config.cors === '*' ? '*' : config.cors.split(',');
    // Credentials only make sense with auth, and the Fetch standard allows them only with named origins.
    layers.push(cors({ origin, credentials: config.auth !== null && origin !== '*' }));
  }
  if (config.auth !== null) layers.push(basicAuth(parseUserPassword(config.auth)));
  // A file keeps sendfile when it has a .gz/.br sibling; otherwise compressible files are compressed on the fly.
  if (config.gzip) layers.push(gzip({ files: { kind: 'precompressed', fallback: { kind: 'compress' } } }));
  return layers;
}

/** Build the application for a config; throws StaticRootError / OptionError when the directory or a file is unusable. */
export function buildApplication(config: ServeConfig, options: BuildOptions = {}): CliApplication {
  const site = config.dir === null ? defaultSite() : staticFiles(config.dir, staticOptionsOf(config));
  let server: Server | null = null;
  let draining = false;
  const metrics = config.metricsPath === null ? null : serverMetrics(() => server?.connections ?? 0);
  // The balancer's endpoints come first: a health check or a scrape carries no credentials and wants no CORS or gzip.
  const operations: Middleware[] = [];
  if (config.healthPath !== null) operations.push(healthCheck(config.healthPath, () => draining));
  if (metrics !== null) operations.push(metrics.endpoint(config.metricsPath!, options.collectMetrics));
  const app = compose(...operations, ...middlewareOf(config))(site);
  const log: AccessLog | null = config.accessLog === null ? null
    : accessLog({ to: config.accessLog === '-' ? process.stdout : config.accessLog, format: config.jsonLog ? 'json' : 'combined' });
  const settings: Partial<Settings> = { ...proxySettingsOf(config) };
  const logger = chainLoggers(log, metrics?.record ?? null);
  if (logger !== null) settings.logger = logger;
  return {
    app,
    settings,
    close: () => (log === null ? Promise.resolve(null) : closeLog(log, config.accessLog!)),
    attach: (s) => void (server = s),
    drain: () => void (draining = true),
    metrics,
  };
}

/** The engine's PROXY protocol and forwarded-header settings a config asks for. */
function proxySettingsOf(config: ServeConfig): Partial<Settings> {
  const settings: Partial<Settings> = {};
  if (config.proxyProtocol) settings.proxyProtocol = true;
  if (config.trustedProxies.length > 0) settings.trustedProxies = config.trustedProxies;
  if (config.forwardedHeaders) settings.forwardedHeaders = true;
  if (config.deferAccept) settings.deferAccept = true;
  return settings;
}

function chainLoggers(a: ((e: RequestLog) => void) | null, b: ((e: RequestLog) => void) | null): ((e: RequestLog) => void) | null {
  if (a === null || b === null) return a ?? b;
  return (entry) => {
    a(entry);
    b(entry);
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
