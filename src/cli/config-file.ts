// `--config sluice.json`: the serve options from a JSON file. Key decisions: the file is turned into the same raw flag
// values the command line gives (so one set of checks words every error the same), an unknown key is an error that
// names the nearest known one, and a relative `dir` is relative to the file, as `serve.json`'s `public` is.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { nearestKey } from '../server/index.js';

/** Flag values as parseArgs returns them (long names), plus the dir positional. */
export interface RawOptions {
  values: Record<string, string | boolean | string[] | undefined>;
  dir?: string;
}

type Kind = 'boolean' | 'string' | 'number' | 'port' | 'workers' | 'optional' | 'cors' | 'headers' | 'dir' | 'path' | 'sni' | 'strings';

// Config key -> flag name and what JSON values it takes.
const KEYS: Readonly<Record<string, { flag: string; kind: Kind; bare?: string }>> = {
  dir: { flag: '', kind: 'dir' },
  port: { flag: 'port', kind: 'port' },
  host: { flag: 'host', kind: 'string' },
  workers: { flag: 'workers', kind: 'workers' },
  list: { flag: 'list', kind: 'boolean' },
  single: { flag: 'single', kind: 'optional', bare: '' },
  cleanUrls: { flag: 'clean-urls', kind: 'boolean' },
  notFound: { flag: '404', kind: 'string' },
  dotfiles: { flag: 'dotfiles', kind: 'string' },
  symlinks: { flag: 'symlinks', kind: 'string' },
  precompressed: { flag: 'precompressed', kind: 'boolean' },
  maxAge: { flag: 'max-age', kind: 'number' },
  immutable: { flag: 'immutable', kind: 'boolean' },
  immutableHashed: { flag: 'immutable-hashed', kind: 'boolean' },
  cors: { flag: 'cors', kind: 'cors' },
  headers: { flag: 'header', kind: 'headers' },
  auth: { flag: 'auth', kind: 'string' },
  gzip: { flag: 'gzip', kind: 'boolean' },
  accessLog: { flag: 'access-log', kind: 'optional', bare: '-' },
  jsonLog: { flag: 'json-log', kind: 'boolean' },
  quiet: { flag: 'quiet', kind: 'boolean' },
  tlsCert: { flag: 'tls-cert', kind: 'path' },
  tlsKey: { flag: 'tls-key', kind: 'path' },
  tlsSni: { flag: 'tls-sni', kind: 'sni' },
  tlsSelfSigned: { flag: 'tls-self-signed', kind: 'boolean' },
  proxyProtocol: { flag: 'proxy-protocol', kind: 'boolean' },
  trustedProxies: { flag: 'trusted-proxy', kind: 'strings' },
  forwardedHeaders: { flag: 'forwarded-headers', kind: 'boolean' },
  healthPath: { flag: 'health-path', kind: 'string' },
  metricsPath: { flag: 'metrics-path', kind: 'string' },
  deferAccept: { flag: 'defer-accept', kind: 'boolean' },
};

/** The keys a config file may use. */
export const CONFIG_KEYS: readonly string[] = Object.keys(KEYS);

/** Read and check a config file; a string result is the message naming the problem (file, key, expected type). */
export function readConfigFile(path: string): RawOptions | string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    return `cannot read config file ${path}${code === 'ENOENT' ? ': no such file' : code === undefined ? '' : ` (${code})`}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return `config file ${path} is not valid JSON: ${(err as Error).message}`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return `config file ${path} must hold a JSON object`;
  return convertConfig(json as Record<string, unknown>, path);
}

/** Convert a parsed config object (keys as in CONFIG_KEYS) into raw flag values; a string result names the problem. */
export function convertConfig(json: Readonly<Record<string, unknown>>, path: string): RawOptions | string {
  const out: RawOptions = { values: {} };
  for (const [key, value] of Object.entries(json)) {
    const spec = KEYS[key];
    if (spec === undefined) {
      const near = nearestKey(key, CONFIG_KEYS);
      return `${path}: unknown key '${key}'${near === null ? `; known keys: ${CONFIG_KEYS.join(', ')}` : ` (did you mean '${near}'?)`}`;
    }
    const converted = convertValue(spec.kind, value, spec.bare ?? '');
    if (converted === WRONG) return `${path}: '${key}' must be ${EXPECTED[spec.kind]}, got ${JSON.stringify(value)}`;
    if (spec.kind === 'dir') out.dir = resolve(dirname(path), converted as string);
    // Certificate paths are relative to the file too, as `dir` is.
    else if (spec.kind === 'path') out.values[spec.flag] = resolve(dirname(path), converted as string);
    else if (spec.kind === 'sni') out.values[spec.flag] = (converted as string[]).map((e) => resolveSni(e, dirname(path)));
    else out.values[spec.flag] = converted as string | boolean | string[] | undefined;
  }
  return out;
}

const WRONG = Symbol('wrong type');

const EXPECTED: Readonly<Record<Kind, string>> = {
  boolean: 'true or false',
  string: 'a string',
  number: 'a whole number',
  port: 'a port number',
  workers: "a number or 'auto'",
  optional: 'true, false or a string',
  cors: "true, a string ('*' or origins) or a list of origins",
  headers: "an object of name: value pairs or a list of 'Name: value' strings",
  dir: 'a directory path',
  path: 'a file path',
  sni: '{ "host": { "cert": "file", "key": "file" } } or a list of "host=cert,key" strings',
  strings: 'a string or a list of strings',
};

function resolveSni(entry: string, base: string): string {
  const m = /^([^=]+)=([^,]+),(.+)$/.exec(entry);
  return m === null ? entry : `${m[1]}=${resolve(base, m[2]!)},${resolve(base, m[3]!)}`;
}

// false for an optional flag means "off", which is the same as leaving the key out.
function convertValue(kind: Kind, value: unknown, bare: string): string | boolean | string[] | undefined | typeof WRONG {
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean' ? value : WRONG;
    case 'string':
    case 'dir':
    case 'path':
      return typeof value === 'string' ? value : WRONG;
    case 'number':
    case 'port':
      return typeof value === 'number' ? String(value) : WRONG;
    case 'workers':
      return typeof value === 'number' || value === 'auto' ? String(value) : WRONG;
    case 'optional':
      return value === true ? bare : value === false ? undefined : typeof value === 'string' ? value : WRONG;
    case 'cors':
      if (value === true) return '*';
      if (value === false) return undefined;
      if (typeof value === 'string') return value;
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(',') : WRONG;
    case 'sni':
      if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? [...(value as string[])] : WRONG;
      if (typeof value !== 'object' || value === null) return WRONG;
      if (!Object.values(value).every((v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).cert === 'string' && typeof (v as Record<string, unknown>).key === 'string')) return WRONG;
      return Object.entries(value as Record<string, { cert: string; key: string }>).map(([host, v]) => `${host}=${v.cert},${v.key}`);
    case 'strings':
      if (typeof value === 'string') return [value];
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...(value as string[])] : WRONG;
    case 'headers':
      if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? [...(value as string[])] : WRONG;
      if (typeof value !== 'object' || value === null) return WRONG;
      if (!Object.values(value).every((v) => typeof v === 'string')) return WRONG;
      return Object.entries(value as Record<string, string>).map(([name, v]) => `${name}: ${v}`);
  }
}
