// Conduit errors: one closed union of codes, so callers match on `code` (never on message text).
// The library knows nothing about HTTP: the engine maps these codes to its own request errors.

/** Why a conduit stage failed. */
export type ConduitErrorCode =
  /** Upstream ended before a stage got the bytes or elements it was promised (isolate, dechunk, fromReadable). */
  | 'PREMATURE_END'
  /** A line exceeded boundedLines' limit. */
  | 'LINE_TOO_LONG'
  /** More bytes than a collecting sink's limit (concatBytes with maxBytes). */
  | 'TOO_LARGE'
  /** Malformed chunked framing: a bad size line, a missing CRLF, a malformed trailer (RFC 9112 §7.1). */
  | 'BAD_CHUNK'
  /** A chunk size with more hex digits than the decoder accepts. */
  | 'CHUNK_TOO_LARGE'
  /** A trailer section larger than the decoder accepts (RFC 9112 §7.1.2). */
  | 'TRAILER_TOO_LARGE';

/** An error raised by a conduit stage; `code` says which rule was broken. */
export class ConduitError extends Error {
  /** Machine-readable reason; match on this, never on the message. */
  readonly code: ConduitErrorCode;

  constructor(code: ConduitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConduitError';
    this.code = code;
  }
}

/** Whether `e` is a ConduitError with the given code. */
export function isConduitError(e: unknown, code?: ConduitErrorCode): e is ConduitError {
  return e instanceof ConduitError && (code === undefined || e.code === code);
}
