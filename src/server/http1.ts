// The per-connection loop (Warp's HTTP1.hs): read a head from the resumable connection input, hand the app a request
// whose body is isolated from what follows, send the response, drain what the app left unread, and go round again.
import { ResumableSource, sinkNull } from '../conduit/index.js';
import { SHUT_WR } from '../native/index.js';
import { Phase, type Connection } from './connection.js';
import { hasConnectionOption, wantsKeepAlive } from './connection-header.js';
import { errorResponse, RequestError, ResponseError, type RequestErrorCode } from './errors.js';
import { ConduitError } from '../conduit/errors.js';
import type { FileCaches } from './file-caches.js';
import { planFile, sendFile } from './file-sender.js';
import { headSink } from './head-sink.js';
import { Request, type RequestOrigin } from './request.js';
import { RequestBody, type BodyHost } from './request-body.js';
import type { RequestHead } from './request-head.js';
import { bodyWriter, engineHeaders, writeHead, type Framing, type WriterContext } from './response-writer.js';
import type { Settings } from './settings.js';
import type { Application, Response, ResponseHeaders } from './types.js';

/** Everything the loop needs from its server. */
export interface Engine extends WriterContext {
  readonly settings: Settings;
  readonly app: Application;
  readonly files: FileCaches;
  /** True once graceful shutdown began: finish in-flight requests with Connection: close. */
  readonly shuttingDown: boolean;
}

const INTERNAL_ERROR = Buffer.from('Internal Server Error\n', 'latin1');
const NOT_FOUND = Buffer.from('Not Found\n', 'latin1');

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
        // Graceful shutdown closes idle keep-alive connections at once.
        if (engine.shuttingDown) break;
        conn.phase = Phase.Idle;
        engine.timeouts.arm(conn, settings.idleTimeoutMs);
      }
      let parsed: RequestHead | null;
      try {
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
    if (linger && !conn.peerGone) await lingerClose(engine, conn, input);
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
    engine.reactor.flush();
    if (conn.backlogBytes > 0) await conn.whenDrained();
    engine.reactor.native.shutdown(conn.fd, SHUT_WR);
    await input.connect(sinkNull(), { signal: AbortSignal.timeout(LINGER_MS) });
  } catch {
    // Timed out or reset: close regardless.
  }
}

const LINGER_MS = 2000;

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
          if (conn.phase !== Phase.Body) {
            conn.phase = Phase.Body;
            conn.bodyBytes = 0;
            conn.bodyStart = engine.timeouts.now;
          }
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
  // An unread body we could not drain cheaply ends the connection: say so in this response (RFC 9112 §9.6).
  if (keepAlive && (body.awaitingContinue || body.remaining > settings.maxBodyFlush)) keepAlive = false;
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

const RESPONSE_KINDS: ReadonlySet<unknown> = new Set(['bytes', 'stream', 'file']);

function isResponse(x: unknown): x is Response {
  return typeof x === 'object' && x !== null && RESPONSE_KINDS.has((x as { kind?: unknown }).kind);
}

function describe(x: unknown): string {
  return x === null ? 'null' : typeof x === 'object' ? 'an object without a valid kind' : typeof x;
}

/** The app asked to close (RFC 9112 §9.6: a server that sends `close` must close after the response). */
function appCloses(headers: ResponseHeaders): boolean {
  for (const name in headers) {
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    const v = headers[name];
    const values = typeof v === 'string' ? [v] : Array.isArray(v) ? (v as readonly string[]) : [];
    return values.some((value) => hasConnectionOption(value, 'close'));
  }
  return false;
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

/** What sending a response did: body bytes written, and whether the connection may stay open. */
interface Sent {
  readonly bytes: number;
  readonly keepAlive: boolean;
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

/** Writes the response; synchronous when it could go out at once, else a promise. */
function sendResponse(engine: Engine, conn: Connection, head: RequestHead, res: Response, keepAlive: boolean): Sent | Promise<Sent> {
  const status = res.status;
  // RFC 9110 §6.4.1: no content in responses to HEAD, or with 1xx, 204 or 304.
  const bodiless = status < 200 || status === 204 || status === 304;
  const noBody = bodiless || head.method === 'HEAD';
  if (res.kind === 'bytes') {
    const len = res.body.length;
    writeHead(engine, conn, status, res.headers, engineHeaders(engine, bodiless ? -1 : len, false, !keepAlive, head.versionMinor === 0), noBody || len === 0 ? null : res.body);
    return { bytes: noBody ? 0 : len, keepAlive };
  }
  if (res.kind === 'file') {
    const plan = planFile(engine.files, res.path, res.range);
    if (plan === null) {
      writeHead(engine, conn, 404, { 'content-type': 'text/plain; charset=utf-8' }, engineHeaders(engine, NOT_FOUND.length, false, !keepAlive, head.versionMinor === 0), noBody ? null : NOT_FOUND);
      return { bytes: noBody ? 0 : NOT_FOUND.length, keepAlive };
    }
    return sendFile(engine, engine.files, conn, plan, status, res.headers, !keepAlive, noBody, head.versionMinor === 0).then((bytes) => ({ bytes, keepAlive }));
  }
  // A streamed body: framed by its declared length, else chunked (HTTP/1.1), else ended by closing (HTTP/1.0).
  const framing: Framing = noBody ? { kind: 'length', length: 0 }
    : res.length !== null ? { kind: 'length', length: res.length }
      : head.versionMinor === 1 ? { kind: 'chunked' } : { kind: 'close' };
  const close = !keepAlive || framing.kind === 'close';
  writeHead(engine, conn, status, res.headers,
    engineHeaders(engine, bodiless ? -1 : res.length ?? -1, framing.kind === 'chunked', close, head.versionMinor === 0), null);
  // HEAD and bodiless statuses never run the body Source: nothing is acquired, so nothing needs releasing.
  if (noBody) return { bytes: 0, keepAlive: !close };
  const r = res.body.run(bodyWriter(engine, conn, framing), { signal: conn.signal });
  if (typeof r === 'number') return { bytes: r, keepAlive: !close };
  return r.then((bytes) => ({ bytes, keepAlive: !close }));
}

async function closeQuietly(input: ResumableSource<Uint8Array>): Promise<void> {
  try {
    await input.close();
  } catch {
    // The socket is closed either way; a failed release here has no one left to report to.
  }
}
