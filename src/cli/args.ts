// Command-line parsing for `sluice`: argv -> a tagged command, never a throw. Key decision: node:util parseArgs in
// strict mode, so an unknown flag or a missing value is a usage error (exit 2) before anything starts.

import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

/** Everything `sluice serve` was asked to do, validated. */
export interface ServeConfig {
  /** Directory to serve, or null for the embedded default site. */
  readonly dir: string | null;
  readonly port: number;
  /** '' = every interface. */
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
}

/** What the command line asks for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; config: ServeConfig }
  | { kind: 'usage-error'; message: string };

/** Default port of `sluice serve`. */
export const DEFAULT_PORT = 8080;

/** The --help text. */
export const USAGE = `Usage: sluice serve [dir] [options]

Serve the files in dir (default: a built-in welcome site) over HTTP/1.1.

Options:
  -p, --port <n>          port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  -H, --host <addr>       address to bind (default: every interface)
  -w, --workers <n|auto>  worker processes sharing the port via SO_REUSEPORT (auto = one per CPU)
      --gzip              compress responses with gzip when the client accepts it
      --access-log [file] log each request (Combined Log Format) to file, or to stdout
      --json-log          log requests as JSON lines (implies --access-log)
  -q, --quiet             do not print the startup banner
  -h, --help              show this help
  -v, --version           print the version

Signals: SIGTERM/SIGINT drain and stop; SIGHUP (with --workers) restarts the workers without dropping connections.`;

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string', short: 'H' },
  workers: { type: 'string', short: 'w' },
  gzip: { type: 'boolean' },
  'access-log': { type: 'string' },
  'json-log': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Parse `sluice` arguments (without node and the script path). */
export function parseCliArgs(argv: readonly string[], cpus: () => number = availableParallelism): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: fillAccessLogValue(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    return usageError((err as Error).message.split('. ')[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };
  const [command, dir, ...extra] = positionals;
  if (command === undefined) return usageError('missing command (try: sluice serve)');
  if (command !== 'serve') return usageError(`unknown command '${command}'`);
  if (extra.length > 0) return usageError(`unexpected argument '${extra[0]}'`);
  const port = parsePort(values.port);
  if (typeof port === 'string') return usageError(port);
  const workers = parseWorkers(values.workers, cpus);
  if (typeof workers === 'string') return usageError(workers);
  const json = values['json-log'] === true;
  const accessLog = values['access-log'] ?? (json ? '-' : null);
  return {
    kind: 'serve',
    config: {
      dir: dir ?? null, port, host: values.host ?? '', workers, gzip: values.gzip === true,
      accessLog: accessLog === '' ? '-' : accessLog, jsonLog: json, quiet: values.quiet === true,
    },
  };
}

/**
 * `--access-log [file]`: the value is optional, which parseArgs cannot express. A bare flag (last, or followed by a
 * flag or by an existing directory, which can only be the dir to serve) becomes `--access-log=-` (stdout).
 */
export function fillAccessLogValue(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg !== '--access-log') {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('-') || isDirectory(next)) out.push('--access-log=-');
    else out.push(arg);
  }
  return out;
}

function parsePort(value: string | undefined): number | string {
  if (value === undefined) return DEFAULT_PORT;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  return n >= 0 && n <= 65535 ? n : `--port must be a number from 0 to 65535, got '${value}'`;
}

function parseWorkers(value: string | undefined, cpus: () => number): number | string {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.max(1, cpus());
  const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  return n >= 1 ? n : `--workers must be a positive number or 'auto', got '${value}'`;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

function usageError(message: string): CliCommand {
  return { kind: 'usage-error', message };
}
