// The application contract: Application = (req) => Response | Promise<Response>; Middleware = (app) => app. A
// Response is bytes, a stream, a file, or an upgrade: a hand-off of the connection to another protocol.
import type { ResumableSource, Source } from '../conduit/index.js';
import type { Flushable } from '../conduit/flush.js';
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
 * takes over (hyper's upgrade Parts, warp's ResponseRaw). Nothing received is lost or read twice at the switch.
 */
export interface UpgradedIO {
  /** Everything the client sent after the upgrade request, leftovers first. Read it with conduits. */
  readonly input: ResumableSource<Uint8Array>;
  /** Queues bytes in order; small writes are corked and leave with the event loop turn's one flush. */
  write(bytes: Uint8Array): void;
  /** Sends what is corked now. */
  flush(): void;
  /** Bytes queued for the socket that the kernel has not taken yet. */
  readonly bufferedAmount: number;
  /** A promise that settles once the queued output is below the high-water mark, or null when it already is. */
  whenWritable(): Promise<void> | null;
  /** Closes the connection after this long without input (0 = never); the protocol's own keep-alive clock. */
  setIdleTimeout(ms: number): void;
  /** Closes the connection once what is queued has been sent. */
  close(): void;
  /** Closes the connection now, dropping what is queued. */
  destroy(): void;
  /** Aborted when the connection fails or closes. */
  readonly signal: AbortSignal;
  /** Called once when the server starts a graceful shutdown (send a going-away close, then end). */
  onShutdown: (() => void) | null;
  /** The carrier (TCP, TLS). */
  readonly transport: TransportInfo;
  /** The peer's address ('ip:port'), or null. */
  readonly remoteAddress: string | null;
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
  /** Runs the new protocol once the 101 head is queued; the connection closes when it settles. */
  run(io: UpgradedIO): void | Promise<void>;
}

/** An HTTP application. */
export type Application = (req: Request) => Response | Promise<Response>;

/** Wraps an application: `(app) => app`. */
export type Middleware = (app: Application) => Application;
