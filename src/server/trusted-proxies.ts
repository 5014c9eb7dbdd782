// The trusted proxies of settings.trustedProxies in JS: checked once at serve() (the same grammar the native accept
// path reads: 'a.b.c.d/n', 'ip6/n', a bare address, or 'unix:'), and matched when forwarded headers are walked.
// Key decision: node:net's BlockList does the matching (IPv4-mapped IPv6 included), nothing hand-written.
import { BlockList, isIP } from 'node:net';

/** A compiled trusted-proxy list. */
export interface TrustedProxies {
  /** Whether a hop's address (IPv4 or IPv6 text, no port) is one of the trusted proxies. */
  trusts(address: string): boolean;
  /** No range was given. */
  readonly empty: boolean;
}

/** Why a trusted-proxy entry is not a range, or null when it is one ('10.0.0.0/8', '::1', '2001:db8::/32', 'unix:'). */
export function checkTrustedProxy(entry: unknown): string | null {
  if (typeof entry !== 'string') return `a trusted proxy must be a string like '10.0.0.0/8', got ${typeof entry}`;
  if (entry === 'unix:') return null;
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `'${entry}' is not an IP address or CIDR range (like '10.0.0.0/8' or '2001:db8::/32')`;
  if (slash < 0) return null;
  const bits = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `'${entry}' has a bad prefix length (0-${max})`;
  return null;
}

/** Compiles checked entries (see checkTrustedProxy); 'unix:' entries match no IP address. */
export function compileTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === 'unix:') continue;
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    empty: entries.length === 0,
    trusts: (address) => {
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

const compiled = new WeakMap<readonly string[], TrustedProxies>();

/** The compiled form of a settings object's list, built once per list. */
export function trustedProxiesOf(entries: readonly string[]): TrustedProxies {
  let trusted = compiled.get(entries);
  if (trusted === undefined) {
    trusted = compileTrustedProxies(entries);
    compiled.set(entries, trusted);
  }
  return trusted;
}
