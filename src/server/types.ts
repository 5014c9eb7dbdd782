// The application contract: Application = (req) => Response | Promise<Response>; Middleware = (app) => app. A
// Response is bytes, a stream, a file, or an upgrade: a hand-off of the connection to another protocol.
import type { Done, ResumableSource, Source } from '../conduit/index.js';
import type { Flushable } from '../conduit/flush.js';
import type { ReceiveCopier } from './receive-copy.js';
import type { Request } from './request.js';
import type { TransportInfo } from './transport.js';

/**
 * Key of an optional reason phrase in ResponseHeaders (e.g. a fetch Response's statusText). A symbol, so it is never
 * enumerated as a field and survives `{ ...headers }` copies made by middleware.
 */
export const REASON_PHRASE: unique symbol = Symbol('sluice.reasonPhrase');

/**
 * App-supplied fields; an array value becomes one field line per element (e.g. set-cookie, RFC 9110 §5.3). The
 * optional [REASON_PHRASE] replaces the standard reason phrase on the status line.
 */
export type ResponseHeaders = Record<string, string | number | readonly string[]> & { readonly [REASON_PHRASE]?: string };

/** Fields the engine decides; written after the app's. The app's own framing fields are never written. */
export interface EngineHeaders {
  /**
   * Date value bytes (DateCache.bytes()), or null to omit; an app-supplied Date wins. Never mutated once passed: heads
   * are reused while the same array comes back (DateCache makes a new one each second).
   */
  readonly date: Uint8Array | null;
  /** Server value, or null to omit; an app-supplied Server wins. */
  readonly server: string | null;
  /** Content-Length to write, or -1 for none (RFC 9112 §6.2). */
  readonly contentLength: number;
  /** Write `transfer-encoding: chunked` (RFC 9112 §7.1). */
  readonly chunked: boolean;
  /** Write `connection: close` in place of any app Connection field (RFC 9112 §9.6). */
  readonly close: boolean;
  /** Write `connection: keep-alive` (persisting an HTTP/1.0 connection, RFC 9112 Appendix C.2.2); optional, default false. */
  readonly keepAlive?: boolean;
}

/** A response body stream: byte chunks and Flush markers (Flush pushes what is buffered to the socket now). */
export type BodySource = Source<Flushable<Uint8Array>>;

/** A byte range of a file, end exclusive. */
export interface FileRange {
  readonly start: number;
  readonly end: number;
}

/**
 * A connection after `101 Switching Protocols`: the rest of its input and a corked output, for the protocol that
 * takes over (hyper's upgrade Parts, warp's ResponseRaw). Nothing received is lost or read twice at the switch. Every
 * member is called on the JS thread; a protocol reads either through `input` (conduits) or with read()/waitReadable()
 * (a loop that parks a plain function while idle, as the HTTP/1.1 loop does: no suspended run per idle connection).
 */
export interface UpgradedIO {
  /**
   * Everything the client sent after the upgrade request, leftovers first. Chunks are fresh copies owned by the
   * reader (it may change them in place and keep views of them). It ends at the peer's FIN or once the connection is
   * closed, and throws the socket error after a reset.
   */
  readonly input: ResumableSource<Uint8Array>;
  /**
   * What `input` would give now without waiting: the next chunk, DONE at its end, or null when nothing has arrived
   * yet (then waitReadable). Throws the socket error after a reset. Shares input's queue and order. DONE once close()
   * has been called (the lingering close reads the rest).
   */
  read(): Uint8Array | Done | null;
  /**
   * Calls `fn` (or `fn.readable()`) once when read() would not return null (bytes, the end, an error, a close); one
   * wait at a time.
   */
  waitReadable(fn: (() => void) | UpgradedListener): void;
  /** Queues bytes after everything queued before, corked until the end of the microtask wave; taken by reference. */
  write(bytes: Uint8Array): void;
  /**
   * Queues `head` then `body` as one write (a frame header and its payload): corked together when small, one writev
   * when the body is large (no copy of the body, one syscall). Both are taken by reference.
   */
  writePair(head: Uint8Array, body: Uint8Array): void;
  /**
   * Lets the protocol copy received bytes out of the receive buffer itself (null: plain chunks again). Chunks already
   * queued go through the copier at once, so order is kept. See ReceiveCopier.
   */
  receiveWith(copier: ReceiveCopier | null): void;
  /** Sends what is corked now instead of at the end of the wave. */
  flush(): void;
  /** Bytes the kernel would not take yet (the backlog after a short send); this wave's corked bytes do not count. */
  readonly bufferedAmount: number;
  /**
   * null when bufferedAmount is 0; else a promise that resolves once the backlog has gone to the kernel, or when the
   * connection closes first (it never rejects: the caller checks its own state afterwards).
   */
  whenDrained(): Promise<void> | null;
  /**
   * The protocol's own idle clock: when no byte has arrived for `ms`, `onIdle` runs once and the clock stops until the
   * next call (a WebSocket pings, then closes). Every received chunk pushes the deadline back; `ms <= 0` stops it. The
   * engine's sweeper fires it, up to about a second late. A listener's idle() is called.
   */
  setIdleTimeout(ms: number, onIdle: (() => void) | UpgradedListener): void;
  /**
   * Closes the connection once what is corked and queued has gone out (within the send timeout), lingering: it
   * half-closes and discards input until the peer's FIN (at most a few seconds), so a peer still sending does not
   * reset our last bytes away. Idempotent.
   */
  close(): void;
  /** Closes the connection now, dropping what is queued. Idempotent. */
  destroy(): void;
  /** Reports an exception the way the engine reports an app's (Settings.onException). */
  reportError(error: unknown): void;
  /** Aborted when the connection fails or closes (made on first use). */
  readonly signal: AbortSignal;
  /** Whether the server has begun a graceful shutdown. */
  readonly shuttingDown: boolean;
  /**
   * Called once when the server begins a graceful shutdown (a WebSocket sends close 1001 and waits for the peer's);
   * the server closes what is still open when its grace period ends. Not called for a shutdown that began before it
   * was set: check shuttingDown. A listener's shutdown() is called.
   */
  onShutdown: (() => void) | UpgradedListener | null;
  /** The carrier (TCP, TLS). */
  readonly transport: TransportInfo;
  /** The peer's address ('ip:port'), or null. */
  readonly remoteAddress: string | null;
}

/**
 * A protocol's object for one upgraded connection, given where a callback goes (waitReadable, setIdleTimeout,
 * onShutdown) and called by method, as the DOM calls an EventListener's handleEvent: a protocol that keeps each
 * connection's state in one object then needs no closure per connection (memory per idle WebSocket).
 */
export interface UpgradedListener {
  /** After waitReadable: read() would not return null any more. */
  readable(): void;
  /** After setIdleTimeout: the idle deadline passed. */
  idle(): void;
  /** As onShutdown: the server began a graceful shutdown. */
  shutdown(): void;
}

/** What an application answers. Build them with respond(), respond.file(), respond.stream(), respond.upgrade(). */
export type Response =
  | {
      readonly kind: 'bytes';
      readonly status: number;
      readonly headers: ResponseHeaders;
      /** The whole body (empty for none). */
      readonly body: Uint8Array;
    }
  | {
      readonly kind: 'stream';
      readonly status: number;
      readonly headers: ResponseHeaders;
      /** The body, pulled with backpressure; framed by `length` when known, else chunked (HTTP/1.1) or close (1.0). */
      readonly body: BodySource;
      readonly length: number | null;
    }
  | {
      readonly kind: 'file';
      readonly status: number;
      readonly headers: ResponseHeaders;
      /** Absolute or cwd-relative path; sent with sendfile from the fd cache. */
      readonly path: string;
      /** The part to send (a 206 body); null for the whole file. */
      readonly range: FileRange | null;
    }
  | UpgradeResponse;

/** A 101 that hands the connection to another protocol; the HTTP/1.1 loop ends after it (RFC 9110 §7.8). */
export interface UpgradeResponse {
  readonly kind: 'upgrade';
  readonly status: 101;
  /** Must include Upgrade; Connection: upgrade is added by the engine. */
  readonly headers: ResponseHeaders;
  /**
   * Runs the new protocol once the 101 head is corked; the connection closes (after sending what is queued) when it
   * settles. A rejection is reported (Settings.onException) unless the peer had gone.
   */
  run(io: UpgradedIO): void | Promise<void>;
  /**
   * Used instead of run when present: starts the protocol, which then closes the connection itself (io.close() or
   * io.destroy()), so no promise is held per connection while it is open. A throw is reported as run's would be.
   */
  start?(io: UpgradedIO): void;
}

/** An HTTP application. */
export type Application = (req: Request) => Response | Promise<Response>;

/** Wraps an application: `(app) => app`. */
export type Middleware = (app: Application) => Application;
