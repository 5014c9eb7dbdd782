// Upgrade requests for tests: a header-list view with the engine Request's header() semantics.
import type { UpgradeRequest } from '../../../src/websocket/index.js';

/** The RFC 6455 §1.2 example key. */
export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A valid handshake's fields. */
export const GOOD: Readonly<Record<string, string>> = {
  Host: 'x', Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': KEY, 'Sec-WebSocket-Version': '13',
};

/** A request view over a header list (names case-insensitive, repeats joined with ', ' as Request.header does). */
export function request(headers: Record<string, string | string[]>, method = 'GET', httpVersion: '1.0' | '1.1' = '1.1'): UpgradeRequest {
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(headers)) {
    const value = Array.isArray(v) ? v.join(', ') : v;
    if (!Array.isArray(v) || v.length > 0) lower.set(k.toLowerCase(), value);
  }
  return { method, httpVersion, header: (name) => lower.get(name.toLowerCase()) };
}
