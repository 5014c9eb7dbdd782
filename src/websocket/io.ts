// The contract between the engine and a WebSocket: what the HTTP/1.1 loop hands over after a 101 (UpgradedIO), and
// the upgrade response an app returns. Key decision: WebSocket code never sees a socket, only this interface.
import type { ResumableSource } from '../conduit/index.js';
import type { ResponseHeaders } from '../server/index.js';

/**
 * An upgraded connection, as the engine hands it over once the 101 head is corked (hyper's `Parts { io, read_buf }`,
 * warp's `ResponseRaw`). Every member is called from the JS thread, in order.
 */
export interface UpgradedIO {
  /**
   * The rest of the connection, leftovers first: bytes the client sent right after the request head arrive here
   * before anything newer. Chunks are fresh copies owned by the reader: it may change them in place (unmasking)
   * and keep views of them (a message handed to the app). It ends (DONE) at the peer's FIN or when close() or
   * destroy() ran; it throws the socket error on a reset.
   */
  readonly input: ResumableSource<Uint8Array>;
  /**
   * Queues bytes after everything queued before, corked until the end of the current microtask wave
   * (Reactor.write). The bytes may be queued by reference: the caller must not change them afterwards. No-op once
   * the socket is closed.
   */
  write(bytes: Uint8Array): void;
  /** Sends what is corked now instead of at the end of the wave. */
  flush(): void;
  /** Bytes the kernel has not taken yet (the backlog after a short send); corked bytes of this wave do not count. */
  readonly bufferedAmount: number;
  /**
   * null when bufferedAmount is 0; else a promise that resolves when the backlog has gone to the kernel, and
   * resolves too (never rejects) when the socket closes first: the caller checks its own state afterwards.
   */
  whenDrained(): Promise<void> | null;
  /**
   * Arms the idle deadline: when no byte has arrived for `ms`, `onIdle` runs once and the deadline is off until
   * the next call. Every received chunk pushes the deadline back. `ms <= 0` turns it off. The engine's sweeper
   * fires it, so it may run up to one sweep interval (about a second) late.
   */
  setIdleTimeout(ms: number, onIdle: () => void): void;
  /**
   * Closes the socket once the corked and queued bytes have gone out (bounded by the engine's send timeout), and
   * ends `input` (a pending read returns DONE). Idempotent; a no-op after destroy().
   */
  close(): void;
  /** Closes the socket now, dropping whatever is still queued (terminate, a dead peer); ends `input`. Idempotent. */
  destroy(): void;
  /** Reports an app hook's exception the way the engine reports app exceptions (Settings.onException). */
  reportError(error: unknown): void;
  /** Aborted when the socket is closed, by either side or by an error. */
  readonly signal: AbortSignal;
  /**
   * Aborted when the server starts a graceful shutdown: the WebSocket then sends close 1001 and waits for the
   * client's close frame; the engine destroys what is still open when its grace period ends.
   */
  readonly shutdown: AbortSignal;
}

/**
 * The fourth response kind an app returns to switch protocols: the engine writes `status` and `headers` (no
 * framing fields; `upgrade` and `connection` are among the headers), skips the request loop, and awaits `run`
 * with the rest of the connection. The connection is released once `run` settles.
 */
export interface UpgradeResponse {
  readonly kind: 'upgrade';
  readonly status: 101;
  readonly headers: ResponseHeaders;
  /** Serves the upgraded connection; settles when it is over (it never rejects for a peer's misbehaviour). */
  run(io: UpgradedIO): Promise<void>;
}
