// Request bodies as Sources over the connection's resumable input: isolated by Content-Length or dechunked, so they
// never read past their end and pipelined requests survive. Expect: 100-continue is answered on the first read
// (Warp's lazy policy); an unread remainder is drained up to maxBodyFlush after the response, else the connection closes.
import {
  empty, isolate, dechunk, Source, Stage, type Done, type ResumableSource, type Suspend, type Sink, sink, END,
} from '../conduit/index.js';
import { ConduitError } from '../conduit/errors.js';
import { RequestError, type RequestErrorCode } from './errors.js';
import type { RequestHead } from './request-head.js';

const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;
const SUSPEND: Suspend = Symbol.for('sluice.conduit.SUSPEND') as Suspend;
/** Shared by every bodiless request: a description, so sharing it is safe. */
const NO_BODY: Source<Uint8Array> = empty<Uint8Array>();
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** What a body needs from the connection it is read from. */
export interface BodyHost {
  /** Sends bytes ahead of the response (the interim 100 Continue). */
  writeInterim(bytes: Uint8Array): void;
  /** The body is waiting for bytes (start the body timeout) or got some (pause it). */
  setWaiting(waiting: boolean): void;
}

/** A body's framing failed (a ConduitError from dechunk or isolate): the request error the client is answered with. */
const FRAMING_ERRORS: Readonly<Record<string, RequestErrorCode>> = {
  BAD_CHUNK: 'BAD_CHUNK',
  CHUNK_TOO_LARGE: 'CHUNK_TOO_LARGE',
  TRAILER_TOO_LARGE: 'TRAILER_TOO_LARGE',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  PREMATURE_END: 'TRUNCATED_BODY',
};

/** Turns a framing failure into the RequestError it means (the cause kept); other errors pass unchanged. */
function classifyBodyError(e: unknown): unknown {
  if (!(e instanceof ConduitError)) return e;
  const code = FRAMING_ERRORS[e.code];
  return code === undefined ? e : new RequestError(code, undefined, { cause: e });
}

/** The body of one request, owned by the engine; the app reads `source`. */
export class RequestBody {
  /** What the app reads (a borrowed view: closing it never closes the connection). */
  readonly source: Source<Uint8Array>;
  /** Bytes the app (or the drain) has read so far. */
  bytesRead = 0;
  /** The body was read to its end. */
  finished: boolean;
  /** Trailer fields of a chunked body, once read. */
  trailers: Array<[string, string]> = [];
  private continuePending: boolean;
  private responseStarted = false;
  private readonly framed: ResumableSource<Uint8Array> | null;

  constructor(
    private readonly head: RequestHead,
    input: ResumableSource<Uint8Array>,
    private readonly host: BodyHost,
    private readonly maxBodyBytes: number,
  ) {
    const length = head.contentLength;
    if (length > maxBodyBytes) throw new RequestError('BODY_TOO_LARGE');
    if (head.chunked) {
      this.framed = input.pipe(dechunk({ onTrailers: (t: Array<[string, string]>) => (this.trailers = t) }));
    } else if (length > 0) {
      this.framed = input.pipe(isolate(length));
    } else this.framed = null;
    this.finished = this.framed === null;
    this.continuePending = head.expectContinue && !this.finished;
    this.source = this.framed === null ? NO_BODY : new Source(() => new BodyStage(this, this.framed!.borrow().build()));
  }

  /** Bytes still declared and unread (-1 when unknown: chunked). */
  get remaining(): number {
    if (this.finished) return 0;
    return this.head.chunked ? -1 : this.head.contentLength - this.bytesRead;
  }

  /** Whether the client is still waiting for 100 Continue (it has not sent the body). */
  get awaitingContinue(): boolean {
    return this.continuePending;
  }

  /** The final response head is about to go out: an interim 100 can no longer be sent after it (RFC 9110 §15.2). */
  beginResponse(streaming: boolean): void {
    // A streamed response may read the body while it streams (an echo): invite the body now, before the final head.
    if (streaming) this.onRead();
    this.responseStarted = true;
  }

  /** @internal */
  onRead(): void {
    if (this.continuePending && !this.responseStarted) {
      this.continuePending = false;
      this.host.writeInterim(CONTINUE);
    }
  }

  /** @internal */
  count(n: number): void {
    this.bytesRead += n;
    if (this.bytesRead > this.maxBodyBytes) throw new RequestError('BODY_TOO_LARGE');
  }

  /** @internal */
  setWaiting(waiting: boolean): void {
    this.host.setWaiting(waiting);
  }

  /**
   * After the response: reads and discards what is left, up to `limit` bytes. True when the body is consumed (the
   * connection can carry another request), false when it must close. Sync when nothing has to be waited for.
   */
  drain(limit: number): boolean | Promise<boolean> {
    if (this.finished) return this.closeFramed(true);
    if (this.continuePending) return this.closeFramed(false);
    const left = this.remaining;
    if (left > limit) return this.closeFramed(false);
    let r: number | Promise<number>;
    try {
      r = this.source.run(discardUpTo(limit));
    } catch {
      return this.closeFramed(false);
    }
    if (typeof r === 'number') return this.closeFramed(r <= limit && this.finished);
    return r.then((n) => this.closeFramed(n <= limit && this.finished), () => this.closeFramed(false));
  }

  private closeFramed(ok: boolean): boolean {
    const closed = this.framed?.close();
    if (closed !== undefined) closed.catch(() => undefined);
    return ok;
  }
}

/** The body of every request without one: nothing to read, drain or wait for. Shared: it never changes. */
const NO_REQUEST_BODY: BodyState = Object.freeze({
  source: NO_BODY,
  finished: true,
  remaining: 0,
  awaitingContinue: false,
  trailers: Object.freeze([]) as unknown as Array<[string, string]>,
  beginResponse(): void {},
  drain(): boolean {
    return true;
  },
});

/** What the engine uses of a request body (a RequestBody, or the shared empty one). */
export interface BodyState {
  readonly source: Source<Uint8Array>;
  readonly finished: boolean;
  readonly remaining: number;
  readonly awaitingContinue: boolean;
  readonly trailers: ReadonlyArray<readonly [string, string]>;
  beginResponse(streaming: boolean): void;
  drain(limit: number): boolean | Promise<boolean>;
}

/**
 * The body of a request: the shared empty body when the head announces none (no allocation for a GET), else a
 * RequestBody over the connection's resumable input. Throws RequestError('BODY_TOO_LARGE') over maxBodyBytes.
 */
export function openBody(head: RequestHead, from: InputOwner, host: BodyHost, maxBodyBytes: number): BodyState {
  if (!head.chunked && head.contentLength <= 0) return NO_REQUEST_BODY;
  return new RequestBody(head, from.input(), host, maxBodyBytes);
}

/** Where a body's bytes come from (the connection): its input as a resumable source, made on first use. */
export interface InputOwner {
  input(): ResumableSource<Uint8Array>;
}

/** Counts and drops bytes; stops (leaving the rest unread) once more than `limit` were seen. */
function discardUpTo(limit: number): Sink<Uint8Array, number> {
  return sink<Uint8Array, number>(function* (io) {
    let n = 0;
    for (;;) {
      const x = yield* io.receive();
      if (x === END) return n;
      n += x.length;
      if (n > limit) return n;
    }
  });
}

class BodyStage extends Stage<Uint8Array, void> {
  constructor(private readonly body: RequestBody, up: Stage<Uint8Array, unknown>) {
    super(up);
  }
  pull(): Uint8Array | Done | Suspend {
    const body = this.body;
    body.onRead();
    let x: Uint8Array | Done | Suspend;
    try {
      x = (this.up as Stage<Uint8Array, unknown>).pull();
    } catch (e) {
      // Classified here, at the body boundary, so the engine answers with the client's own status (400, 413...).
      throw classifyBodyError(e);
    }
    if (x === SUSPEND) {
      body.setWaiting(true);
      return SUSPEND;
    }
    body.setWaiting(false);
    if (x === DONE) {
      body.finished = true;
      return DONE;
    }
    body.count((x as Uint8Array).length);
    return x as Uint8Array;
  }
}
