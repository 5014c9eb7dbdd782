// Sends one response: the head is composed once straight into the cork buffer (a small body rides in the same
// send), a Source body is framed (Content-Length or chunked) and written with backpressure, honouring Flush.
import { FLUSH, Sink, Stage, suspend, type Done, type Flushable, type Suspend } from '../conduit/index.js';
import { LAST_CHUNK, writeChunkHeader } from '../conduit/chunked-codec.js';
import type { Connection } from './connection.js';
import { ConnectionError } from './connection-error.js';
import type { DateCache } from './date.js';
import { errorResponse, type RequestErrorCode } from './errors.js';
import { Phase } from './phase.js';
import { cachedResponseHead, measureResponseHead, renderResponseHead, writeResponseHead } from './response-head.js';
import type { Reactor } from './reactor.js';
import type { EngineHeaders, ResponseHeaders } from './types.js';

const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;
const SUSPEND: Suspend = Symbol.for('sluice.conduit.SUSPEND') as Suspend;
/** Heads plus bodies up to this size leave in one corked write. */
const CORK_WRITE = 16 * 1024;
/** A streaming body waits for the client once this much is queued for it (bounded memory for slow readers). */
export const SEND_HIGH_WATER = 256 * 1024;

/** What writers need from the server. */
export interface WriterContext {
  readonly reactor: Reactor;
  readonly date: DateCache;
  readonly serverName: string | null;
}

/** The engine-decided fields for one head. */
export function engineHeaders(ctx: WriterContext, contentLength: number, chunked: boolean, close: boolean, http10 = false): EngineHeaders {
  // RFC 9112 §9.3 / Appendix C.2.2: an HTTP/1.0 client assumes close unless the response says keep-alive.
  return { date: ctx.date.bytes(), server: ctx.serverName, contentLength, chunked, close, keepAlive: http10 && !close };
}

/** The engine fields of the head being written by writeFramedHead: filled and consumed in one synchronous call. */
const framed: { -readonly [K in keyof EngineHeaders]-?: EngineHeaders[K] } = {
  date: null, server: null, contentLength: -1, chunked: false, close: false, keepAlive: false,
};

/**
 * writeHead with the engine fields given one by one (engineHeaders' arguments): the per-response path, which then
 * allocates no EngineHeaders object. Nothing keeps the fields past the call (the head cache copies what it keys on).
 */
export function writeFramedHead(
  ctx: WriterContext, conn: Connection, status: number, headers: ResponseHeaders,
  contentLength: number, chunked: boolean, close: boolean, http10: boolean, body: Uint8Array | null,
): void {
  const e = framed;
  e.date = ctx.date.bytes();
  e.server = ctx.serverName;
  e.contentLength = contentLength;
  e.chunked = chunked;
  e.close = close;
  e.keepAlive = http10 && !close;
  writeHead(ctx, conn, status, headers, e, body);
}

/**
 * Writes a head (and optionally a whole small body) for conn, in order with everything written before.
 * Throws ResponseError before writing anything when the app's headers are invalid.
 */
export function writeHead(
  ctx: WriterContext, conn: Connection, status: number, headers: ResponseHeaders, engine: EngineHeaders, body: Uint8Array | null,
): void {
  const reactor = ctx.reactor;
  // A repeating head (the common case) is one lookup and one copy.
  const cached = cachedResponseHead(status, headers, engine);
  if (cached !== null && cached.length + (body === null ? 0 : body.length) <= CORK_WRITE && reactor.canCork(conn)) {
    const total = cached.length + (body === null ? 0 : body.length);
    const at = reactor.reserve(conn, total);
    if (at >= 0) {
      const out = reactor.corkBuffer;
      out.set(cached, at);
      if (body !== null) out.set(body, at + cached.length);
      return;
    }
  }
  const headLen = measureResponseHead(status, headers, engine);
  const total = headLen + (body === null ? 0 : body.length);
  if (total <= CORK_WRITE && reactor.canCork(conn)) {
    const at = reactor.reserve(conn, total);
    if (at >= 0) {
      try {
        writeResponseHead(reactor.corkBuffer, at, status, headers, engine);
      } catch (e) {
        reactor.unreserve(conn, at, total);
        throw e;
      }
      if (body !== null) reactor.corkBuffer.set(body, at + headLen);
      return;
    }
  }
  reactor.write(conn, renderResponseHead(status, headers, engine));
  if (body !== null) reactor.write(conn, body);
}

/** Waits until conn's queued output is below the high-water mark (send timeout armed while waiting). */
export function whenWritableEnough(conn: Connection): Promise<void> | null {
  return conn.backlogBytes <= SEND_HIGH_WATER ? null : waitForClient(conn, conn.whenDrained());
}

/** Awaits `wait` (the client taking our output) in the Send phase, with the send timeout armed; then goes back. */
export async function waitForClient(conn: Connection, wait: Promise<void>): Promise<void> {
  const before = conn.phase;
  conn.enter(Phase.Send);
  await wait;
  if (conn.phase === Phase.Send) conn.enter(before);
}

/** Answers a refused request: the prebuilt error response with today's Date (RFC 9110 §6.6.1); the caller closes. */
export function writeErrorResponse(ctx: WriterContext, conn: Connection, code: RequestErrorCode): void {
  ctx.reactor.write(conn, errorResponse(code, ctx.date.bytes(), ctx.serverName));
}

/** How a streamed body is framed on the wire (RFC 9112 §6). */
export type Framing = { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

class WriterStage extends Stage<never, number> {
  private readonly chunked: boolean;
  private readonly length: number;

  constructor(up: Stage<Flushable<Uint8Array>, unknown>, private readonly ctx: WriterContext, private readonly conn: Connection, framing: Framing) {
    super(up);
    this.result = 0;
    this.chunked = framing.kind === 'chunked';
    this.length = framing.kind === 'length' ? framing.length : -1;
  }

  pull(): Done | Suspend {
    const up = this.up as Stage<Flushable<Uint8Array>, unknown>;
    const { reactor } = this.ctx;
    const conn = this.conn;
    for (;;) {
      if (conn.closed) throw new ConnectionError('ECONNRESET', 'client went away mid-response');
      const x = up.pull();
      if (x === SUSPEND) return SUSPEND;
      if (x === DONE) {
        if (this.length >= 0 && this.result !== this.length) {
          throw new RangeError(`response body was ${this.result} bytes, content-length said ${this.length}`);
        }
        if (this.chunked) reactor.write(conn, LAST_CHUNK);
        return DONE;
      }
      if (x === FLUSH) {
        reactor.flush();
        continue;
      }
      const chunk = x as Uint8Array;
      const n = chunk.length;
      if (n === 0) continue;
      if (this.length >= 0 && this.result + n > this.length) {
        throw new RangeError(`response body exceeds its content-length of ${this.length}`);
      }
      if (this.chunked) this.writeChunk(chunk);
      else reactor.write(conn, chunk);
      this.result += n;
      const wait = whenWritableEnough(conn);
      if (wait !== null) return suspend(wait);
    }
  }

  /** Size line, data and CRLF in one corked write when small (RFC 9112 §7.1). */
  private writeChunk(chunk: Uint8Array): void {
    const { reactor } = this.ctx;
    const n = chunk.length;
    if (n <= CORK_WRITE && reactor.canCork(this.conn)) {
      const at = reactor.reserve(this.conn, 16 + 2 + n + 2);
      if (at >= 0) {
        const out = reactor.corkBuffer;
        const p = at + writeChunkHeader(out, at, n);
        out.set(chunk, p);
        out[p + n] = 13;
        out[p + n + 1] = 10;
        reactor.unreserve(this.conn, p + n + 2, at + 16 + 2 + n + 2 - (p + n + 2));
        return;
      }
    }
    const sizeLine = Buffer.from(`${n.toString(16)}\r\n`, 'latin1');
    reactor.write(this.conn, sizeLine);
    reactor.write(this.conn, chunk);
    reactor.write(this.conn, CRLF);
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');

/** A Sink that writes a body to conn with the given framing; its result is the body byte count. */
export function bodyWriter(ctx: WriterContext, conn: Connection, framing: Framing): Sink<Flushable<Uint8Array>, number> {
  return new Sink((up) => new WriterStage(up, ctx, conn, framing));
}
