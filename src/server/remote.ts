// Who a request came from (req.remote): the TCP peer, or the client a PROXY header named with the balancer as its
// proxy, or (opt-in, forwarded.ts) the client trusted forwarded headers name. Key decision: built only when read,
// from the native peer and PROXY records (a cold path), and cached per connection.
import type { NativeBinding } from '../native/index.js';

/** An address and port. */
export interface RemoteEndpoint {
  readonly address: string;
  /** 0 when unknown (X-Forwarded-For carries no port; a unix socket has none). */
  readonly port: number;
}

/** The client of a request. */
export interface RemoteInfo extends RemoteEndpoint {
  readonly family: 'IPv4' | 'IPv6' | 'unix';
  /** The proxy that reported the client (a PROXY header's TCP peer, or the nearest trusted hop of a forwarded header);
   *  null for a direct connection, and for a PROXY v2 LOCAL one (the balancer's own health check). */
  readonly proxy: RemoteEndpoint | null;
}

/** Splits 'ip:port' / '[ip6]:port' (the native text); null for null or malformed text. */
export function parseEndpoint(text: string | null): RemoteEndpoint | null {
  if (text === null) return null;
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  const port = Number(text.slice(colon + 1));
  const address = text.charCodeAt(0) === 0x5b ? text.slice(1, colon - 1) : text.slice(0, colon);
  return Number.isInteger(port) ? { address, port } : null;
}

/** 'ip:port', or '[ip6]:port' (the text req.remoteAddress has always had). */
export function formatRemote(remote: RemoteInfo | null): string | null {
  if (remote === null) return null;
  return remote.family === 'IPv6' ? `[${remote.address}]:${remote.port}` : remote.family === 'unix' ? remote.address : `${remote.address}:${remote.port}`;
}

/** The family of an address text. */
export function familyOf(address: string): RemoteInfo['family'] {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}

/** A connection's client: the PROXY header's source with the balancer as proxy, else the TCP peer; null once closed. */
export function connectionRemote(native: NativeBinding, fd: number): RemoteInfo | null {
  const info = native.proxyInfo(fd);
  if (info === null || info.source === null) {
    // No header, or LOCAL / UNKNOWN / UNSPEC: the connection's own endpoints stand (doc/proxy-protocol.txt §2.1, §2.2).
    const peer = parseEndpoint(info === null ? native.peerAddress(fd) : info.peer);
    return peer === null ? null : { ...peer, family: familyOf(peer.address), proxy: null };
  }
  const family = info.family === 'unix' ? 'unix' : info.family === 'IPv6' ? 'IPv6' : 'IPv4';
  return { address: info.source.address, port: info.source.port, family, proxy: parseEndpoint(info.peer) };
}
