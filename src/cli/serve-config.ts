// What `sluice serve` runs with (ServeConfig), its defaults, and the checks both the flags and the --config file go
// through. Key decision: every check returns the value or a message naming the option, so a bad value is a usage
// error (exit 2) before anything starts, worded the same wherever it came from.
import { availableParallelism } from 'node:os';
import { basicAuth, collectHeaderLines, cors, parseUserPassword, setHeaders } from '../middleware/index.js';
import type { CliTls } from './tls-flags.js';
import { checkTrustedProxy } from '../server/index.js';

/** How dotfiles and symlinks are treated (see staticFiles()). */
export type DotfilesFlag = 'ignore' | 'deny' | 'allow';
/** See staticFiles()'s `symlinks`. */
export type SymlinksFlag = 'within' | 'follow' | 'deny';

/** Everything `sluice serve` was asked to do, validated. */
export interface ServeConfig {
  /** Directory to serve, or null for the embedded default site. */
  readonly dir: string | null;
  readonly port: number;
  /** '' = every interface; a numeric address or a host name (bound on each address it resolves to). */
  readonly host: string;
  /** Worker processes; 1 serves in-process without a supervisor. */
  readonly workers: number;
  readonly gzip: boolean;
  /** Access log destination: null (off), '-' (stdout) or a file path. */
  readonly accessLog: string | null;
  /** Access log lines as JSON instead of the Combined Log Format. */
  readonly jsonLog: boolean;
  /** No startup banner. */
  readonly quiet: boolean;
  /** Directory listings for directories without an index. */
  readonly list: boolean;
  /** SPA fallback file (relative to dir), or null. */
  readonly single: string | null;
  readonly cleanUrls: boolean;
  /** The not-found page named with --404, or null (404.html in dir when present). */
  readonly notFound: string | null;
  /** CORS: '*', or comma-separated origins; null = off. */
  readonly cors: string | null;
  /** Cache-Control max-age in seconds, or null for none. */
  readonly maxAge: number | null;
  readonly immutable: boolean;
  readonly immutableHashed: boolean;
  /** Extra response fields as 'Name: value' lines. */
  readonly headers: readonly string[];
  readonly dotfiles: DotfilesFlag;
  readonly symlinks: SymlinksFlag;
  /** HTTP Basic credentials 'user:password', or null. */
  readonly auth: string | null;
  readonly precompressed: boolean;
  /** HTTPS: certificate files or a self-signed certificate; null = plain HTTP. */
  readonly tls: CliTls | null;
  /** Require a PROXY v1/v2 header on every connection. */
  readonly proxyProtocol: boolean;
  /** CIDR ranges of the balancers and proxies trusted to name clients. */
  readonly trustedProxies: readonly string[];
  /** Read the client from trusted Forwarded / X-Forwarded-For hops. */
  readonly forwardedHeaders: boolean;
  /** TCP_DEFER_ACCEPT on the listeners (Settings.deferAccept). */
  readonly deferAccept: boolean;
  /** Readiness endpoint path (200 serving, 503 draining), or null. */
  readonly healthPath: string | null;
  /** Prometheus metrics path, or null. */
  readonly metricsPath: string | null;
}

/** Default port of `sluice serve`. */
export const DEFAULT_PORT = 8080;

/** The configuration with nothing asked for. */
export const DEFAULT_SERVE_CONFIG: ServeConfig = Object.freeze({
  dir: null, port: DEFAULT_PORT, host: '', workers: 1, gzip: false, accessLog: null, jsonLog: false, quiet: false,
  list: false, single: null, cleanUrls: false, notFound: null, cors: null, maxAge: null, immutable: false,
  immutableHashed: false, headers: Object.freeze([]) as readonly string[], dotfiles: 'ignore', symlinks: 'within',
  auth: null, precompressed: false, tls: null, proxyProtocol: false, trustedProxies: Object.freeze([]) as readonly string[],
  forwardedHeaders: false, healthPath: null, metricsPath: null, deferAccept: false,
});

/** A check's outcome: the value, or a message naming the option and the problem. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** --port: an integer from 0 to 65535. */
export function checkPort(value: string | number): Checked<number> {
  const n = typeof value === 'number' ? value : /^-?\d{1,6}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? ok(n) : fail(`--port must be a number from 0 to 65535, got '${value}'`);
}

/** --workers: a positive integer or 'auto' (one per CPU). */
export function checkWorkers(value: string | number, cpus: () => number = availableParallelism): Checked<number> {
  if (value === 'auto') return ok(Math.max(1, cpus()));
  const n = typeof value === 'number' ? value : /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 9999 ? ok(n) : fail(`--workers must be a positive number or 'auto', got '${value}'`);
}

/** --max-age: whole seconds, 0 or more. */
export function checkMaxAge(value: string | number): Checked<number> {
  const n = typeof value === 'number' ? value : /^\d{1,12}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? ok(n) : fail(`--max-age must be a whole number of seconds, got '${value}'`);
}

/** --dotfiles / --symlinks: one of the listed words. */
export function checkChoice<T extends string>(flag: string, value: string, allowed: readonly T[]): Checked<T> {
  return allowed.includes(value as T) ? ok(value as T) : fail(`--${flag} must be ${allowed.join(', ')}; got '${value}'`);
}

/** --cors: '*' or comma-separated origins (https://app.example). */
export function checkCors(value: string): Checked<string> {
  const origins = value.split(',').map((o) => o.trim()).filter((o) => o !== '');
  if (origins.length === 0 || origins.includes('*')) return origins.length <= 1 ? ok('*') : fail("--cors takes '*' or a list of origins, not both");
  return attempt('--cors', () => cors({ origin: origins }), origins.join(','));
}

/** --auth / SLUICE_AUTH: 'user:password'. */
export function checkAuth(value: string): Checked<string> {
  return attempt('--auth', () => basicAuth(parseUserPassword(value)), value);
}

/** --header lines: 'Name: value', no framing fields. */
export function checkHeaders(lines: readonly string[]): Checked<readonly string[]> {
  return attempt('--header', () => setHeaders(collectHeaderLines(lines)), lines);
}

/** --single: a path under dir, without '..'; --404 also takes an absolute path (a page kept outside dir). */
export function checkSitePath(flag: string, value: string, allowAbsolute = false): Checked<string> {
  if (allowAbsolute && value.startsWith('/') && !value.includes('\0')) return ok(value);
  const segments = value.replace(/^\/+/, '').split('/');
  const good = value !== '' && !value.includes('\0') && segments.every((s) => s !== '' && s !== '.' && s !== '..');
  return good ? ok(value) : fail(`--${flag} must name a file inside the served directory, got '${value}'`);
}

/** --trusted-proxy: CIDR ranges or addresses ('10.0.0.0/8', '::1'). */
export function checkTrustedProxies(values: readonly string[]): Checked<readonly string[]> {
  for (const value of values) {
    const problem = checkTrustedProxy(value);
    if (problem !== null) return fail(`--trusted-proxy: ${problem}`);
  }
  return ok(values);
}

/** --health-path / --metrics-path: an absolute path without query, spaces or control characters. */
export function checkEndpointPath(flag: string, value: string): Checked<string> {
  return /^\/[\x21-\x7e]*$/.test(value) && !value.includes('?') && !value.includes('#') ? ok(value) : fail(`--${flag} must be a path like /healthz, got '${value}'`);
}

// Build the middleware once to validate: its own error names the problem.
function attempt<T>(flag: string, build: () => unknown, value: T): Checked<T> {
  try {
    build();
    return ok(value);
  } catch (err) {
    return fail(`${flag}: ${(err as Error).message}`);
  }
}

function ok<T>(value: T): Checked<T> {
  return { ok: true, value };
}

function fail<T>(message: string): Checked<T> {
  return { ok: false, message };
}
