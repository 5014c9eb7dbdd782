// The URLs a listening server can be reached at, for the startup banner. Key decision: a wildcard bind lists
// localhost first (what a developer clicks), then this machine's external IPv4 addresses.

import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);

/** The http:// URLs for a server bound to `host` ('' = every interface) on `port`. */
export function listeningUrls(host: string, port: number, interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces): string[] {
  if (!WILDCARD_HOSTS.has(host)) return [formatUrl(host, port)];
  const urls = [formatUrl('localhost', port)];
  for (const list of Object.values(interfaces())) {
    for (const info of list ?? []) {
      // An IPv4 wildcard bind is not reachable over IPv6; external IPv6 addresses are rarely what anyone types.
      if (info.family === 'IPv4' && !info.internal) urls.push(formatUrl(info.address, port));
    }
  }
  return urls;
}

/** `http://host:port/`, with an IPv6 literal in brackets (RFC 3986 §3.2.2). */
export function formatUrl(host: string, port: number): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${bracketed}:${port}/`;
}
