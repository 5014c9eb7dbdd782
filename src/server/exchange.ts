// One request/response exchange on a connection: build the Request, run the app, send its Response, and decide what
// the connection does next: keep going, close, linger (the client may still be sending), or switch protocols.
// Synchronous when the app and the write are (the common case costs no promise); each async step continues with .then.
import type { Connection } from './connection.js';
import { wantsKeepAlive } from './connection-header.js';
import type { Engine } from './engine.js';
import { RequestError, ResponseError, type RequestErrorCode } from './errors.js';
import { Request } from './request.js';
import { openBody, type BodyState } from './request-body.js';
import type { RequestHead } from './request-head.js';
import { engineHeaders, writeErrorResponse, writeHead } from './response-writer.js';
import { appCloses, closeDelimited, describeNonResponse, isResponse, sendResponse } from './send-response.js';
import { loopNow } from './timeout.js';
import type { Response, UpgradeResponse } from './types.js';

/** Go round for the next request. */
export const KEEP = 0;
/** Close once the response is sent: nothing unread is pending. */
export const CLOSE = 1;
/** Close after a lingering read: the client may still be sending, and an immediate close would RST our response away. */
export const LINGER = 2;
/** What the connection does after an exchange; an UpgradeResponse hands it to another protocol. */
export type Next = typeof KEEP | typeof CLOSE | typeof LINGER | UpgradeResponse;

const INTERNAL_ERROR = Buffer.from('Internal Server Error\n', 'latin1');

/** Serves one parsed request head on conn. Never throws: failures become error responses and a closing Next. */
export function serveRequest(engine: Engine, conn: Connection, head: RequestHead): Next | Promise<Next> {
  let body: BodyState;
  try {
    body = openBody(head, conn, conn, engine.settings.maxBodyBytes);
  } catch (e) {
    if (e instanceof RequestError) writeErrorResponse(engine, conn, e.code);
    return LINGER;
  }
  conn.resetBodyClock();
  // When the head was complete: the time of the event batch that brought its last bytes (one clock read per batch).
  const req = new Request(head, body.source, conn, loopNow(), body);
  let r: Response | Promise<Response>;
  try {
    r = engine.app(req);
  } catch (e) {
    return failBeforeHead(engine, conn, req, e, body);
  }
  if (r instanceof Promise) return r.then((res) => respondWith(engine, conn, req, body, res), (e: unknown) => failBeforeHead(engine, conn, req, e, body));
  return respondWith(engine, conn, req, body, r);
}

function respondWith(engine: Engine, conn: Connection, req: Request, body: BodyState, res: Response): Next | Promise<Next> {
  const { settings } = engine;
  if (!isResponse(res)) {
    return failBeforeHead(engine, conn, req, new TypeError(`the app returned ${describeNonResponse(res)}, not a Response (use respond())`), body);
  }
  if (res.kind === 'upgrade') return switchProtocols(engine, conn, req, body, res);
  body.beginResponse(res.kind === 'stream');
  const head = req.head;
  const clientKeeps = wantsKeepAlive(head);
  // The client's last request: its response's segment can carry our FIN (Connection.lastExchange).
  if (!clientKeeps) conn.lastExchange = true;
  let keepAlive = clientKeeps && !engine.shuttingDown && !conn.failed && !appCloses(res.headers);
  // An unread body we could not drain cheaply ends the connection: say so in this response (RFC 9112 §9.6). A stream
  // may still read it as it goes (an echo), so it is judged after the response: finishRequest closes if it must.
  if (keepAlive && (body.awaitingContinue || (res.kind !== 'stream' && body.remaining > settings.maxBodyFlush))) keepAlive = false;
  // A 101 without a protocol to hand over to: nobody here speaks what follows, so the connection ends after it.
  // An HTTP/1.0 stream of unknown length is framed by the close itself (RFC 9112 §6.3).
  if (res.status === 101 || closeDelimited(res, head)) keepAlive = false;
  let s: number | Promise<number>;
  try {
    s = sendResponse(engine, conn, head, res, keepAlive);
  } catch (e) {
    return sendFailed(engine, conn, req, body, e);
  }
  if (s instanceof Promise) {
    return s.then((bytes) => finishRequest(engine, req, body, res.status, bytes, keepAlive), (e: unknown) => sendFailed(engine, conn, req, body, e));
  }
  return finishRequest(engine, req, body, res.status, s, keepAlive);
}

/**
 * An upgrade: only for an HTTP/1.1 request that asked for one, with its body read (RFC 9110 §7.8); the 101 head is
 * queued and the connection goes to the new protocol with the rest of its input.
 */
function switchProtocols(engine: Engine, conn: Connection, req: Request, body: BodyState, res: UpgradeResponse): Next {
  const head = req.head;
  let problem: string | null = null;
  if (head.versionMinor !== 1) problem = 'an HTTP/1.0 request cannot be upgraded (RFC 9110 §7.8)';
  else if (head.upgrade === null) problem = 'the request has no Upgrade header field';
  else if (!body.finished) problem = 'the request body must be read before switching protocols';
  else if (typeof res.run !== 'function') problem = 'an upgrade response needs a run(io) function';
  if (problem !== null) return failBeforeHead(engine, conn, req, new ResponseError('BAD_UPGRADE', problem), body);
  try {
    sendResponse(engine, conn, head, res, true);
  } catch (e) {
    return sendFailed(engine, conn, req, body, e);
  }
  engine.settings.logger?.({ request: req, status: 101, bytes: 0, durationMs: Date.now() - req.receivedAt });
  return res;
}

/** Failures after the head went out (warp's ExceptionInsideResponseBody): close, never a second response. */
function sendFailed(engine: Engine, conn: Connection, req: Request, body: BodyState, e: unknown): Next {
  // Refused before anything was written (bad status, bad header): still time for a clean 500.
  if (e instanceof ResponseError) return failBeforeHead(engine, conn, req, e, body);
  // A client that went away mid-response is an ordinary event, not an error to report.
  if (!conn.peerGone) engine.settings.onException(e, req);
  return CLOSE;
}

function finishRequest(engine: Engine, req: Request, body: BodyState, status: number, bytes: number, keepAlive: boolean): Next | Promise<Next> {
  const { settings } = engine;
  settings.logger?.({ request: req, status, bytes, durationMs: Date.now() - req.receivedAt });
  if (!keepAlive) return body.finished ? CLOSE : LINGER;
  const drained = body.drain(settings.maxBodyFlush);
  if (drained === true) return KEEP;
  if (drained === false) return LINGER;
  return drained.then((ok) => (ok ? KEEP : LINGER));
}

/** The request error behind an app failure (the app may have wrapped it as a cause), or null. */
function clientErrorCode(error: unknown): RequestErrorCode | null {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof RequestError) return e.code;
  }
  return null;
}

/** The app threw (or gave unsendable headers) before anything went out: a 500 that leaks nothing, then close. */
function failBeforeHead(engine: Engine, conn: Connection, req: Request, error: unknown, body: BodyState): Next {
  // A malformed or oversized body surfaced through the app: the client's fault, answered with its own status.
  const code = clientErrorCode(error);
  if (code !== null) {
    if (code !== 'TRUNCATED_BODY') writeErrorResponse(engine, conn, code);
    return LINGER;
  }
  engine.settings.onException(error, req);
  writeHead(engine, conn, 500, { 'content-type': 'text/plain; charset=utf-8' }, engineHeaders(engine, INTERNAL_ERROR.length, false, true), INTERNAL_ERROR);
  return body.finished ? CLOSE : LINGER;
}
