// Opt-in forwarded headers (settings.forwardedHeaders): the client a chain of trusted proxies reports, read from
// Forwarded (RFC 7239) or, when a request has none, X-Forwarded-For. Key decision: as nginx's real_ip_recursive and
// Express's `trust proxy` with a list, the walk starts at the connection's client and goes back one hop at a time
// while the hop it stands on is a trusted proxy; the first untrusted address is the client. A hop that is no address
// ('unknown', an obfuscated '_id', garbage) ends the walk where it is: nothing behind it can be believed.
import { isIP } from 'node:net';
import { familyOf, type RemoteEndpoint, type RemoteInfo } from './remote.js';
import type { TrustedProxies } from './trusted-proxies.js';

/** The client the trusted forwarded headers name, or `peer` when its own address is not a trusted proxy. */
export function forwardedClient(peer: RemoteInfo, headers: ReadonlyArray<readonly [string, string]>, trusted: TrustedProxies): RemoteInfo {
  if (!trusted.trusts(peer.address)) return peer;
  const hops = forwardedHops(headers);
  let current = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop === null || hop === undefined) return current;
    current = { address: hop.address, port: hop.port, family: familyOf(hop.address), proxy: { address: current.address, port: current.port } };
    if (!trusted.trusts(current.address)) return current;
  }
  return current;
}

/** Every hop the request's Forwarded fields name (for=), else its X-Forwarded-For hops, nearest last; null = not an address. */
export function forwardedHops(headers: ReadonlyArray<readonly [string, string]>): Array<RemoteEndpoint | null> {
  const forwarded: string[] = [];
  const xff: string[] = [];
  for (const [name, value] of headers) {
    if (name === 'forwarded') forwarded.push(value);
    else if (name === 'x-forwarded-for') xff.push(value);
  }
  if (forwarded.length > 0) return splitList(forwarded.join(',')).map((element) => parseNode(forParameter(element)));
  return xff.join(',').split(',').map((hop) => hop.trim()).filter((hop) => hop !== '').map(parseNode);
}

/** Splits a field list at commas outside quoted strings (RFC 9110 §5.6.1, §5.6.4). */
function splitList(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** The for= value of one forwarded-element (RFC 7239 §4), unquoted; '' when it has none. */
function forParameter(element: string): string {
  for (const pair of element.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
    const value = pair.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
  }
  return '';
}

/** A node (RFC 7239 §6): 'ip', 'ip:port', '[ip6]', '[ip6]:port' (X-Forwarded-For also carries bare IPv6); null otherwise. */
function parseNode(node: string): RemoteEndpoint | null {
  if (isIP(node) !== 0) return { address: node, port: 0 };
  let address: string;
  let rest: string;
  if (node.startsWith('[')) {
    const close = node.indexOf(']');
    if (close < 0) return null;
    address = node.slice(1, close);
    rest = node.slice(close + 1);
    if (isIP(address) !== 6) return null;
  } else {
    const colon = node.indexOf(':');
    if (colon < 0) return null;
    address = node.slice(0, colon);
    rest = node.slice(colon);
    if (isIP(address) !== 4) return null;
  }
  if (rest === '') return { address, port: 0 };
  // An obfuscated port ('_abc') still leaves a real address.
  const port = /^:\d{1,5}$/.test(rest) ? Number(rest.slice(1)) : /^:_[\w.-]+$/.test(rest) ? 0 : -1;
  return port >= 0 && port <= 65535 ? { address, port } : null;
}
