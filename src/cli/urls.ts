// The URLs a listening server can be reached at, for the startup banner. Key decision: a wildcard bind lists
// localhost first (what a developer clicks), then every address of every interface it covers, each labelled with
// its interface; a bind to particular addresses lists the host name asked for, then each bound address.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { ListenAddress } from '../server/index.js';

/** The interface table (os.networkInterfaces), injectable for tests. */
export type Interfaces = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/** The banner lines for a server bound to `addresses` on `port`, asked for as `host` ('' = every interface). */
export function listeningUrls(host: string, addresses: readonly ListenAddress[], port: number, interfaces: Interfaces = networkInterfaces, scheme: 'http' | 'https' = 'http'): string[] {
  const formatUrl = (h: string, p: number): string => formatSchemeUrl(scheme, h, p);
  const urls: string[] = [];
  const named = host !== '' && !isNumeric(host);
  if (named) urls.push(formatUrl(host, port));
  const wildcards = addresses.filter((a) => a.address === '::' || a.address === '0.0.0.0');
  if (wildcards.length > 0) {
    if (!named) urls.push(formatUrl('localhost', port));
    // '::' is dual-stack here (IPV6_V6ONLY off), so it takes IPv4 too; '0.0.0.0' takes IPv4 only.
    const v6 = wildcards.some((a) => a.address === '::');
    for (const [name, list] of Object.entries(interfaces())) {
      for (const info of list ?? []) {
        // Link-local IPv6 needs a zone id in the URL, which browsers refuse: leave it out.
        if (info.family === 'IPv6' && (!v6 || info.address.toLowerCase().startsWith('fe80:'))) continue;
        urls.push(`${formatUrl(info.address, port)}  (${name})`);
      }
    }
  }
  for (const a of addresses) if (!wildcards.includes(a)) urls.push(formatUrl(a.address, port));
  return [...new Set(urls)];
}

/** `http://host:port/`, with an IPv6 literal in brackets (RFC 3986 §3.2.2). */
export function formatUrl(host: string, port: number): string {
  return formatSchemeUrl('http', host, port);
}

/** `<scheme>://host:port/`, with an IPv6 literal in brackets. */
export function formatSchemeUrl(scheme: 'http' | 'https', host: string, port: number): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}://${bracketed}:${port}/`;
}

function isNumeric(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
