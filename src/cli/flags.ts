// The `sluice` flags: the parseArgs table, the --help text, and the argv rewrites parseArgs cannot express (a flag
// whose value is optional, a value that starts with '-'). Key decision: flag names follow `serve` and `sirv-cli`, so
// a command line written for them mostly works here.
import { statSync } from 'node:fs';
import { DEFAULT_PORT } from './serve-config.js';

/** The --help text. */
export const USAGE = `Usage: sluice serve [dir] [options]

Serve the files in dir (default: a built-in welcome site) over HTTP/1.1.

Listening:
  -p, --port <n>            port to listen on (default ${DEFAULT_PORT}; 0 = any free port)
  -H, --host <host>         address or host name to bind, on every address it resolves to
                            (default: every interface; localhost = 127.0.0.1 and ::1)
  -w, --workers <n|auto>    worker processes sharing the port via SO_REUSEPORT (auto = one per CPU)

HTTPS (default: plain HTTP):
      --tls-cert <file>     certificate chain in PEM (leaf first); with --tls-key, serves HTTPS
      --tls-key <file>      its private key in PEM
      --tls-sni <host=cert,key>  another certificate for an SNI host name or *.parent (repeatable)
      --tls-self-signed     a throwaway certificate for localhost (local development only)

Site:
  -l, --list                list directories that have no index.html (HTML; JSON for Accept: application/json)
  -s, --single [file]       single-page app: a missing path that accepts HTML gets file (default index.html)
      --clean-urls          serve /about from about.html; /about.html redirects (308) to /about
      --404 <file>          the page sent with 404s (default: 404.html in dir, when there is one)
      --dotfiles <policy>   ignore (default, 404), deny (403) or allow; /.well-known/ is always served
      --symlinks <policy>   within (default: only links whose target is inside dir), follow, or deny
      --precompressed       send file.br / file.gz from beside file when the client accepts it

Caching (default: no Cache-Control, so caches revalidate with ETag and Last-Modified):
      --max-age <seconds>   Cache-Control: public, max-age=<seconds>
      --immutable           add immutable (without --max-age: one year)
      --immutable-hashed    content-hashed names (app.3f9a1c2b.js) get a year and immutable

Headers and access:
      --cors [origins]      CORS for any origin, or for the comma-separated origins; answers preflight OPTIONS
      --header <'N: v'>     add a header to every response (repeatable)
      --auth <user:pass>    HTTP Basic auth; SLUICE_AUTH=user:pass keeps the password out of ps
      --gzip                compress responses with gzip when the client accepts it

Behind a load balancer:
      --proxy-protocol      require a PROXY protocol v1/v2 header on every connection (HAProxy send-proxy, AWS NLB)
      --trusted-proxy <cidr>  a balancer or proxy to trust, e.g. 10.0.0.0/8 (repeatable); with --proxy-protocol,
                            connections from anywhere else are closed
      --forwarded-headers   take the client from Forwarded / X-Forwarded-For, believing only trusted proxies
      --health-path <path>  answer GET path with 200 while serving and 503 while draining (e.g. /healthz)
      --metrics-path <path> Prometheus metrics at path (requests, bytes, open connections, latency histogram;
                            with --workers, summed over every worker)
      --defer-accept        accept a connection only once its first bytes are in (TCP_DEFER_ACCEPT, nginx's deferred;
                            always on with --proxy-protocol)

Process:
  -c, --config <file>       read options from a JSON file (keys: the long flags in camelCase); flags win
      --access-log [file]   log each request (Combined Log Format) to file, or to stdout
      --json-log            log requests as JSON lines (implies --access-log)
  -q, --quiet               do not print the startup banner
  -h, --help                show this help
  -v, --version             print the version

Signals: SIGTERM/SIGINT drain and stop; SIGHUP reloads the TLS certificates (with --workers: restarts the workers)
without dropping connections.`;

/** The parseArgs option table. */
export const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string', short: 'H' },
  workers: { type: 'string', short: 'w' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-sni': { type: 'string', multiple: true },
  'tls-self-signed': { type: 'boolean' },
  list: { type: 'boolean', short: 'l' },
  single: { type: 'string', short: 's' },
  'clean-urls': { type: 'boolean' },
  '404': { type: 'string' },
  dotfiles: { type: 'string' },
  symlinks: { type: 'string' },
  precompressed: { type: 'boolean' },
  'max-age': { type: 'string' },
  immutable: { type: 'boolean' },
  'immutable-hashed': { type: 'boolean' },
  cors: { type: 'string' },
  header: { type: 'string', multiple: true },
  auth: { type: 'string' },
  gzip: { type: 'boolean' },
  'proxy-protocol': { type: 'boolean' },
  'trusted-proxy': { type: 'string', multiple: true },
  'forwarded-headers': { type: 'boolean' },
  'health-path': { type: 'string' },
  'metrics-path': { type: 'string' },
  'defer-accept': { type: 'boolean' },
  config: { type: 'string', short: 'c' },
  'access-log': { type: 'string' },
  'json-log': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Flags whose value may be left out, and what a bare one means ('' = the flag's default). */
const OPTIONAL_VALUES: ReadonlyMap<string, string> = new Map([
  ['--access-log', '-'],
  ['--single', ''],
  ['-s', ''],
  ['--cors', '*'],
]);

/** Flags whose value may start with '-' (a negative number gets the range message, not "ambiguous"). */
const NUMERIC_VALUES: ReadonlySet<string> = new Set(['--port', '-p', '--workers', '-w', '--max-age']);

/**
 * Rewrite argv for parseArgs: a bare optional-value flag (last, or followed by a flag, or by an existing directory,
 * which can only be the dir to serve) becomes `--flag=<default>`, and `--port -1` becomes `--port=-1`.
 */
export function rewriteArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const bare = OPTIONAL_VALUES.get(arg);
    if (bare !== undefined) {
      if (next === undefined || next.startsWith('-') || isDirectory(next)) out.push(`${longName(arg)}=${bare}`);
      else out.push(arg);
    } else if (NUMERIC_VALUES.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${longName(arg)}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

const LONG_NAMES: Readonly<Record<string, string>> = { '-s': '--single', '-p': '--port', '-w': '--workers' };

function longName(flag: string): string {
  return LONG_NAMES[flag] ?? flag;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}
