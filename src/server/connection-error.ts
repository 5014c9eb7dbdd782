// Connection-level failures as one closed union of codes (warp's InvalidRequest / hyper's error Kind), so callers
// match on `code` and "the client went away" is a predicate, not a list of strings kept in several places.

/**
 * Why a connection ended abnormally. ECONNRESET and ETIMEDOUT keep Node's names, so code written for node:net
 * (and abort-reason checks) reads the same: ECONNRESET = the peer is gone (reset, FIN during a streamed response,
 * or our close), ETIMEDOUT = a phase deadline passed, FILE_TRUNCATED = a file shrank while being sent,
 * TLS_HANDSHAKE and BAD_PROXY_HEADER = the connection never reached HTTP.
 */
export type ConnectionErrorCode = 'ECONNRESET' | 'ETIMEDOUT' | 'FILE_TRUNCATED' | 'TLS_HANDSHAKE' | 'BAD_PROXY_HEADER';

/** A connection failed or was closed under a request, a response or a stream. */
export class ConnectionError extends Error {
  /** Machine-readable reason; match on this, never on the message. */
  readonly code: ConnectionErrorCode;
  constructor(code: ConnectionErrorCode, message: string) {
    super(message);
    this.name = 'ConnectionError';
    this.code = code;
  }
}

/** Codes that mean "an ordinary network event": the client went away or was timed out. Not worth reporting. */
const PEER_GONE_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECANCELED', 'ABORT_ERR']);

/** Whether `error` only says that the peer went away or timed out (hyper's is_closed / is_timeout). */
export function isPeerGone(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && PEER_GONE_CODES.has(code);
}
