// The per-connection loop (Warp's HTTP1.hs): read a head from the resumable connection input, hand the app a request
// whose body is isolated from what follows, send the response, drain what the app left unread, and go round again.
import { ResumableSource, sinkNull } from '../conduit/index.js';
import { SHUT_WR } from '../native/index.js';
import { Phase, type Connection } from './connection.js';
import { wantsKeepAlive } from './connection-header.js';
import { errorResponse, RequestError, ResponseError, type RequestErrorCode } from './errors.js';
import { ConduitError } from '../conduit/errors.js';
import type { FileCaches } from './file-caches.js';
import { headSink } from './head-sink.js';
import { Request, type RequestOrigin } from './request.js';
import { RequestBody, type BodyHost } from './request-body.js';
import type { RequestHead } from './request-head.js';
import { engineHeaders, waitForClient, writeHead, type WriterContext } from './response-writer.js';
import { appCloses, describe, isResponse, sendResponse, type Sent } from './send-response.js';
import type { Settings } from './settings.js';
import type { Application, Response } from './types.js';

/** Everything the loop needs from its server. */
export interface Engine extends WriterContext {
  readonly settings: Settings;
  readonly app: Application;
  readonly files: FileCaches;
  /** True once graceful shutdown began: finish in-flight requests with Connection: close. */
  readonly shuttingDown: boolean;
}

const INTERNAL_ERROR = Buffer.from('Internal Server Error\n', 'latin1');

/** Serves requests on conn until either side closes; resolves when the connection is closed. */
export async function serveConnection(engine: Engine, conn: Connection): Promise<void> {
  const input = ResumableSource.from(conn.source());
  const { settings } = engine;
  const head = headSink(settings.headLimits, () => {
    if (conn.phase === Phase.Idle) {
      conn.phase = Phase.Head;
      engine.timeouts.arm(conn, settings.headerTimeoutMs);
    }
  });
  let linger = false;
  const state = connState(engine, conn);
  try {
    for (;;) {
      // Idle keep-alive timeout until the first byte; then the header timeout, which trickling does not extend.
      if (conn.hasBuffered() || input.hasLeftovers()) {
        conn.phase = Phase.Head;
        engine.timeouts.arm(conn, settings.headerTimeoutMs);
      } else {
        // Graceful shutdown closes idle keep-alive connections at once (a fresh one may have its request in flight).
        if (engine.shuttingDown && conn.served > 0) break;
        conn.phase = Phase.Idle;
        engine.timeouts.arm(conn, settings.idleTimeoutMs);
      }
      let parsed: RequestHead | null;
      try {
        // Wait for the next request's first bytes with one await on the connection; the head Sink then usually
        // completes synchronously (no driver, no extra promise per request).
        if (!input.hasLeftovers()) {
          const readable = conn.whenReadable();
          if (readable !== null) await readable;
        }
        const h = input.connect(head);
        parsed = h instanceof Promise ? await h : h;
      } catch (e) {
        if (e instanceof RequestError) {
          engine.reactor.write(conn, errorResponse(e.code));
          linger = true;
        } else if (!conn.peerGone) engine.settings.onException(e, null);
        break;
      }
      if (parsed === null) break;
      conn.served++;
      conn.phase = Phase.App;
      conn.deadline = Infinity;
      const step = serveRequest(engine, conn, state, input, parsed);
      const next = typeof step === 'number' ? step : await step;
      if (next !== KEEP) {
        linger = next === LINGER;
        break;
      }
      // Pipelined requests must not queue unbounded output for a client that is not reading.
      if (conn.backlogBytes > 0) await conn.whenDrained();
    }
  } catch (e) {
    if (!conn.failed && !conn.closed) engine.settings.onException(e, null);
  } finally {
    // Never cut a response short: what the kernel has not taken yet leaves before the close.
    if (linger && !conn.peerGone) await lingerClose(engine, conn, input);
    else await sendQueued(engine, conn);
    await closeQuietly(input);
  }
}

/** What the loop does after a request. */
const KEEP = 0;
/** Close now: nothing unread is pending. */
const CLOSE = 1;
/** Close after a lingering read: the client may still be sending, and an immediate close would RST our response away. */
const LINGER = 2;
type Next = typeof KEEP | typeof CLOSE | typeof LINGER;

/** Lingering close: send what is queued, half-close, and discard input until the client closes (at most LINGER_MS). */
async function lingerClose(engine: Engine, conn: Connection, input: ResumableSource<Uint8Array>): Promise<void> {
  try {
    await sendQueued(engine, conn);
    if (conn.closed || conn.failed) return;
    engine.reactor.native.shutdown(conn.fd, SHUT_WR);
    await input.connect(sinkNull(), { signal: AbortSignal.timeout(LINGER_MS) });
  } catch {
    // Timed out or reset: close regardless.
  }
}

const LINGER_MS = 2000;

/** Sends everything queued for conn (corked or waiting for the client), within the send timeout; never throws. */
async function sendQueued(engine: Engine, conn: Connection): Promise<void> {
  if (conn.closed || conn.failed) return;
  engine.reactor.flush();
  if (conn.backlogBytes === 0) return;
  try {
    await waitForClient(engine, conn, conn.whenDrained());
  } catch {
    // Reset or timed out: there is no one left to deliver to.
  }
}

/** Per-connection objects made once, not per request. */
interface ConnState {
  readonly origin: RequestOrigin;
  readonly bodyHost: BodyHost;
}

function connState(engine: Engine, conn: Connection): ConnState {
  return {
    origin: {
      remoteAddress: () => engine.reactor.native.peerAddress(conn.fd),
      get signal() {
        return conn.signal;
      },
    },
    bodyHost: {
      writeInterim: (bytes) => engine.reactor.write(conn, bytes),
      setWaiting: (waiting) => {
        if (waiting) {
          conn.phase = Phase.Body;
          // The rate is measured over the whole body, from its first wait: trickling cannot reset it.
          if (conn.bodyStart < 0) conn.bodyStart = engine.timeouts.now;
          engine.timeouts.arm(conn, engine.settings.bodyTimeoutMs);
        } else if (conn.phase === Phase.Body) {
          conn.phase = Phase.App;
          conn.deadline = Infinity;
        }
      },
    },
  };
}

/**
 * One request/response exchange: what the loop does next. Synchronous when the app and the write are (the common
 * case costs no promise here); each async step continues with .then.
 */
function serveRequest(engine: Engine, conn: Connection, state: ConnState, input: ResumableSource<Uint8Array>, head: RequestHead): Next | Promise<Next> {
  let body: RequestBody;
  try {
    body = new RequestBody(head, input, state.bodyHost, engine.settings.maxBodyBytes);
  } catch (e) {
    if (e instanceof RequestError) engine.reactor.write(conn, errorResponse(e.code));
    return LINGER;
  }
  conn.bodyBytes = 0;
  conn.bodyStart = -1;
  const req = new Request(head, body.source, state.origin, Date.now(), body);
  let r: Response | Promise<Response>;
  try {
    r = engine.app(req);
  } catch (e) {
    return failBeforeHead(engine, conn, req, e, body);
  }
  if (r instanceof Promise) return r.then((res) => respondWith(engine, conn, req, body, res), (e: unknown) => failBeforeHead(engine, conn, req, e, body));
  return respondWith(engine, conn, req, body, r);
}

function respondWith(engine: Engine, conn: Connection, req: Request, body: RequestBody, res: Response): Next | Promise<Next> {
  const { settings } = engine;
  if (!isResponse(res)) return failBeforeHead(engine, conn, req, new TypeError(`the app returned ${describe(res)}, not a Response (use respond())`), body);
  body.beginResponse(res.kind === 'stream');
  let keepAlive = wantsKeepAlive(req.head) && !engine.shuttingDown && !conn.failed && !appCloses(res.headers);
  // An unread body we could not drain cheaply ends the connection: say so in this response (RFC 9112 §9.6). A stream
  // may still read it as it goes (an echo), so it is judged after the response: finishRequest closes if it must.
  if (keepAlive && (body.awaitingContinue || (res.kind !== 'stream' && body.remaining > settings.maxBodyFlush))) keepAlive = false;
  let s: Sent | Promise<Sent>;
  try {
    s = sendResponse(engine, conn, req.head, res, keepAlive);
  } catch (e) {
    return sendFailed(engine, conn, req, body, e);
  }
  if (s instanceof Promise) {
    return s.then((sent) => finishRequest(engine, req, body, res, sent, keepAlive), (e: unknown) => sendFailed(engine, conn, req, body, e));
  }
  return finishRequest(engine, req, body, res, s, keepAlive);
}

function sendFailed(engine: Engine, conn: Connection, req: Request, body: RequestBody, e: unknown): Next {
  // Refused before anything was written (bad status, bad header): still time for a clean 500.
  if (e instanceof ResponseError) return failBeforeHead(engine, conn, req, e, body);
  // A client that went away mid-response is an ordinary event, not an error to report.
  if (!conn.peerGone) engine.settings.onException(e, req);
  return CLOSE;
}

function finishRequest(engine: Engine, req: Request, body: RequestBody, res: Response, sent: Sent, keepAlive: boolean): Next | Promise<Next> {
  const { settings } = engine;
  keepAlive &&= sent.keepAlive;
  settings.logger?.({ request: req, status: res.status, bytes: sent.bytes, durationMs: Date.now() - req.receivedAt });
  if (!keepAlive) return body.finished ? CLOSE : LINGER;
  const drained = body.drain(settings.maxBodyFlush);
  if (drained === true) return KEEP;
  if (drained === false) return LINGER;
  return drained.then((ok) => (ok ? KEEP : LINGER));
}

const BODY_ERROR_CODES: ReadonlySet<string> = new Set(['BAD_CHUNK', 'CHUNK_TOO_LARGE', 'TRAILER_TOO_LARGE', 'BODY_TOO_LARGE']);

/** The request error behind an app failure (a RequestError, or a body framing error, possibly as the cause), or null. */
function clientErrorCode(error: unknown): RequestErrorCode | null {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof RequestError) return e.code;
    const code = (e as { code?: unknown }).code;
    if (e instanceof ConduitError) {
      if (typeof code === 'string' && BODY_ERROR_CODES.has(code)) return code as RequestErrorCode;
      if (code === 'PREMATURE_END') return 'TRUNCATED_BODY';
    }
  }
  return null;
}

/** The app threw (or gave unsendable headers) before anything went out: a 500 that leaks nothing, then close. */
function failBeforeHead(engine: Engine, conn: Connection, req: Request, error: unknown, body: RequestBody): Next {
  // A malformed or oversized body surfaced through the app: the client's fault, answered with its own status.
  const code = clientErrorCode(error);
  if (code !== null) {
    if (code !== 'TRUNCATED_BODY') engine.reactor.write(conn, errorResponse(code));
    return LINGER;
  }
  engine.settings.onException(error, req);
  writeHead(engine, conn, 500, { 'content-type': 'text/plain; charset=utf-8' }, engineHeaders(engine, INTERNAL_ERROR.length, false, true), INTERNAL_ERROR);
  return body.finished ? CLOSE : LINGER;
}

async function closeQuietly(input: ResumableSource<Uint8Array>): Promise<void> {
  try {
    await input.close();
  } catch {
    // The socket is closed either way; a failed release here has no one left to report to.
  }
}
