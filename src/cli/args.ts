// Command-line parsing for `sluice`: argv (plus --config and SLUICE_AUTH) -> a tagged command, never a throw. Key
// decisions: node:util parseArgs in strict mode, so an unknown flag or a missing value is a usage error (exit 2) before
// anything starts; the config file fills in what the flags leave out, and every value passes the same checks.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { readConfigFile, type RawOptions } from './config-file.js';
import { OPTIONS, rewriteArgv } from './flags.js';
import { checkTlsFlags, type TlsFlagValues } from './tls-flags.js';
import {
  checkAuth, checkChoice, checkCors, checkEndpointPath, checkHeaders, checkMaxAge, checkPort, checkSitePath, checkTrustedProxies, checkWorkers,
  DEFAULT_SERVE_CONFIG, type Checked, type ServeConfig,
} from './serve-config.js';

export { DEFAULT_PORT, DEFAULT_SERVE_CONFIG, type ServeConfig } from './serve-config.js';
export { USAGE, rewriteArgv } from './flags.js';

/** The environment variable that carries --auth's `user:password` without showing it in `ps`. */
export const AUTH_ENV = 'SLUICE_AUTH';

/** What the command line asks for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; config: ServeConfig }
  | { kind: 'usage-error'; message: string };

type Values = RawOptions['values'];

/** Parse `sluice` arguments (without node and the script path). */
export function parseCliArgs(argv: readonly string[], cpus: () => number = availableParallelism, env: NodeJS.ProcessEnv = process.env): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: rewriteArgv(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    return usageError((err as Error).message.split('. ')[0]!.split('\n')[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };
  const [command, dir, ...extra] = positionals;
  if (command === undefined) return usageError('missing command (try: sluice serve)');
  if (command !== 'serve') return usageError(`unknown command '${command}'`);
  if (extra.length > 0) return usageError(`unexpected argument '${extra[0]}'`);
  let file: RawOptions = { values: {} };
  if (values.config !== undefined) {
    const read = readConfigFile(values.config);
    if (typeof read === 'string') return usageError(read);
    file = read;
  }
  // Flags win over the file; SLUICE_AUTH sits between them (a file may hold it, the command line should not).
  const merged: Values = { ...file.values, ...definedOnly(values as Values) };
  if (values.auth === undefined && env[AUTH_ENV] !== undefined && env[AUTH_ENV] !== '') merged.auth = env[AUTH_ENV];
  const config = buildConfig(merged, dir ?? file.dir ?? null, cpus);
  if (typeof config === 'string') return usageError(config);
  const siteOnly = config.dir === null ? SITE_FLAGS.find((flag) => merged[flag] !== undefined && merged[flag] !== false) : undefined;
  // The built-in site has no files to list, fall back to or cache: say so rather than ignore the flag.
  if (siteOnly !== undefined) return usageError(`--${siteOnly} needs a directory to serve (sluice serve <dir> --${siteOnly})`);
  return { kind: 'serve', config };
}

/** Flags about the files of a directory: meaningless for the built-in site. */
const SITE_FLAGS = ['list', 'single', 'clean-urls', '404', 'dotfiles', 'symlinks', 'precompressed', 'max-age', 'immutable', 'immutable-hashed'];

/** Turn merged raw values into a ServeConfig, or the first problem's message. */
function buildConfig(v: Values, dir: string | null, cpus: () => number): ServeConfig | string {
  const d = DEFAULT_SERVE_CONFIG;
  const port = v.port === undefined ? d.port : unwrap(checkPort(str(v.port)));
  const workers = v.workers === undefined ? d.workers : unwrap(checkWorkers(str(v.workers), cpus));
  const maxAge = v['max-age'] === undefined ? null : unwrap(checkMaxAge(str(v['max-age'])));
  const dotfiles = v.dotfiles === undefined ? d.dotfiles : unwrap(checkChoice('dotfiles', str(v.dotfiles), ['ignore', 'deny', 'allow'] as const));
  const symlinks = v.symlinks === undefined ? d.symlinks : unwrap(checkChoice('symlinks', str(v.symlinks), ['within', 'follow', 'deny'] as const));
  const cors = v.cors === undefined ? null : unwrap(checkCors(str(v.cors)));
  const auth = v.auth === undefined ? null : unwrap(checkAuth(str(v.auth)));
  const headers = v.header === undefined ? d.headers : unwrap(checkHeaders(v.header as string[]));
  const single = v.single === undefined ? null : str(v.single) === '' ? 'index.html' : unwrap(checkSitePath('single', str(v.single)));
  const notFound = v['404'] === undefined ? null : unwrap(checkSitePath('404', str(v['404']), true));
  const trustedProxies = v['trusted-proxy'] === undefined ? d.trustedProxies : unwrap(checkTrustedProxies(v['trusted-proxy'] as string[]));
  const healthPath = v['health-path'] === undefined ? null : unwrap(checkEndpointPath('health-path', str(v['health-path'])));
  const metricsPath = v['metrics-path'] === undefined ? null : unwrap(checkEndpointPath('metrics-path', str(v['metrics-path'])));
  for (const value of [port, workers, maxAge, dotfiles, symlinks, cors, auth, headers, single, notFound, trustedProxies, healthPath, metricsPath]) {
    if (value instanceof Problem) return value.message;
  }
  const host = v.host === undefined ? d.host : str(v.host);
  const tls = checkTlsFlags(v as TlsFlagValues, host);
  if (typeof tls === 'string') return tls;
  const forwardedHeaders = v['forwarded-headers'] === true;
  if (forwardedHeaders && (trustedProxies as readonly string[]).length === 0) return '--forwarded-headers needs --trusted-proxy: the proxies whose headers to believe';
  if (healthPath !== null && healthPath === metricsPath) return '--health-path and --metrics-path must differ';
  const json = v['json-log'] === true;
  const accessLog = v['access-log'] === undefined ? (json ? '-' : null) : str(v['access-log']) === '' ? '-' : str(v['access-log']);
  return {
    dir, host, accessLog, jsonLog: json, tls,
    port: port as number, workers: workers as number, maxAge: maxAge as number | null,
    dotfiles: dotfiles as ServeConfig['dotfiles'], symlinks: symlinks as ServeConfig['symlinks'],
    cors: cors as string | null, auth: auth as string | null, headers: headers as readonly string[],
    single: single as string | null, notFound: notFound as string | null,
    gzip: v.gzip === true, quiet: v.quiet === true, list: v.list === true, cleanUrls: v['clean-urls'] === true,
    immutable: v.immutable === true, immutableHashed: v['immutable-hashed'] === true, precompressed: v.precompressed === true,
    proxyProtocol: v['proxy-protocol'] === true, trustedProxies: trustedProxies as readonly string[], forwardedHeaders,
    healthPath: healthPath as string | null, metricsPath: metricsPath as string | null, deferAccept: v['defer-accept'] === true,
  };
}

class Problem {
  constructor(readonly message: string) {}
}

function unwrap<T>(checked: Checked<T>): T | Problem {
  return checked.ok ? checked.value : new Problem(checked.message);
}

function str(value: Values[string]): string {
  return typeof value === 'string' ? value : String(value);
}

function definedOnly(values: Values): Values {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function usageError(message: string): CliCommand {
  return { kind: 'usage-error', message };
}
