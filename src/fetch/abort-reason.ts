// Why request.signal aborts when the client goes away, in the shape each peer's users check: Bun aborts with a
// DOMException named AbortError ("The connection was closed"), srvx on Node with the socket's error, code ECONNRESET.
// One object per connection failure satisfies both (`err.name === 'AbortError'`, `err.code === 'ECONNRESET'`), and the
// engine's own error stays reachable as its cause. The same object rejects a body read the client cut short, so
// `error === request.signal.reason` tells a client disconnect from a bad request.

/** The reason made for each connection failure, so the signal and the body reads share one object. */
const REASONS = new WeakMap<object, DOMException>();

/** The abort reason for a request whose connection ended with `failure` (the engine's ConnectionError). */
export function clientGoneReason(failure: unknown): unknown {
  if (typeof failure !== 'object' || failure === null) return failure;
  let reason = REASONS.get(failure);
  if (reason === undefined) {
    const detail = failure instanceof Error ? failure.message : String(failure);
    reason = new DOMException(`The connection was closed (${detail})`, { name: 'AbortError', cause: failure });
    // DOMException's legacy numeric `code` (20) gives way to the connection's own, which isPeerGone and apps match on.
    const code = (failure as { code?: unknown }).code;
    if (code !== undefined) Object.defineProperty(reason, 'code', { value: code, enumerable: true, configurable: true, writable: true });
    REASONS.set(failure, reason);
  }
  return reason;
}
