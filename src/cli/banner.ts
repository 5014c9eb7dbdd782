// The startup banner: what is served, every URL it listens on, and the options in force (defaults included, so
// nobody has to guess what `dotfiles` or `symlinks` are). Key decision: secrets are never printed: --auth shows
// the user name only.
import { resolve } from 'node:path';
import type { ListenAddress } from '../server/index.js';
import type { ServeConfig } from './args.js';
import type { CliOutput } from './process-io.js';
import { describeTls } from './tls-flags.js';
import { listeningUrls, type Interfaces } from './urls.js';

/** Print the banner: `sluice: serving <dir> at`, one URL per line, then the effective options. */
export function printBanner(config: ServeConfig, addresses: readonly ListenAddress[], port: number, output: CliOutput, extra = '', interfaces?: Interfaces): void {
  const what = config.dir === null ? 'the built-in site' : resolve(config.dir);
  output.out(`sluice: serving ${what}${extra} at`);
  for (const url of listeningUrls(config.host, addresses, port, interfaces, config.tls === null ? 'http' : 'https')) output.out(`  ${url}`);
  output.out(`  options: ${describeOptions(config).join(', ')}`);
}

/** The effective options as short phrases, in --help order. */
export function describeOptions(config: ServeConfig): string[] {
  const onOff = (name: string, on: boolean): string => `${name} ${on ? 'on' : 'off'}`;
  const phrases = [
    onOff('list', config.list),
    config.single === null ? 'single off' : `single ${config.single}`,
    onOff('clean-urls', config.cleanUrls),
    `404 ${config.notFound ?? '404.html if present'}`,
    `dotfiles ${config.dotfiles}`,
    `symlinks ${config.symlinks}`,
    onOff('precompressed', config.precompressed),
    `cache ${describeCaching(config)}`,
    config.cors === null ? 'cors off' : `cors ${config.cors}`,
    config.headers.length === 0 ? 'headers none' : `headers ${config.headers.map((h) => h.slice(0, h.indexOf(':')).trim()).join(' ')}`,
    config.auth === null ? 'auth off' : `auth basic (user ${config.auth.slice(0, config.auth.indexOf(':'))})`,
    onOff('gzip', config.gzip),
    `access-log ${config.accessLog === null ? 'off' : config.accessLog === '-' ? 'stdout' : config.accessLog}${config.accessLog !== null && config.jsonLog ? ' (json)' : ''}`,
    `workers ${config.workers}`,
    describeTls(config.tls),
  ];
  // Named only when asked for: each changes who may connect, whom a request is said to come from, or when the kernel
  // hands connections over, which an operator should see at a glance.
  if (config.proxyProtocol) phrases.push('proxy-protocol required');
  if (config.trustedProxies.length > 0) phrases.push(`trusted-proxy ${config.trustedProxies.join(' ')}`);
  if (config.forwardedHeaders) phrases.push('forwarded-headers on');
  if (config.healthPath !== null) phrases.push(`health ${config.healthPath}`);
  if (config.metricsPath !== null) phrases.push(`metrics ${config.metricsPath}`);
  if (config.deferAccept) phrases.push('defer-accept on');
  return phrases;
}

function describeCaching(config: ServeConfig): string {
  const parts: string[] = [];
  if (config.maxAge !== null || config.immutable) parts.push(`max-age=${config.maxAge ?? 31_536_000}${config.immutable ? ' immutable' : ''}`);
  else parts.push('revalidate (ETag, Last-Modified)');
  if (config.immutableHashed) parts.push('hashed names immutable');
  return parts.join(', ');
}
