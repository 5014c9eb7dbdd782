// The HTTP/1.1 request loop (Warp's HTTP1.hs, written as a state machine): wait for a request's first bytes, parse its
// head (in place from the received chunk when it is all there), run one exchange, and go round again. It ends with a
// hand-off value that serve-connection.ts acts on: close, linger, or run another protocol on the rest of the input.
// Key decision: waiting parks a plain function on the connection (no promise, no closure per request); only an
// async app, a head split across packets or a slow reader takes a promise path.
import type { Connection } from './connection.js';
import type { Engine } from './engine.js';
import { RequestError } from './errors.js';
import { CLOSE, KEEP, LINGER, serveRequest, type Next } from './exchange.js';
import { headSink } from './head-sink.js';
import { Phase } from './phase.js';
import { parseRequestHead, type RequestHead } from './request-head.js';
import { writeErrorResponse } from './response-writer.js';

/** How the HTTP/1.1 loop ended: close (after sending), linger, or an upgrade with the protocol to run next. */
export type HandOff = Exclude<Next, typeof KEEP>;

/** The loop's two exits, supplied by the connection's lifecycle (serve-connection.ts); module-level functions. */
export interface LoopHooks {
  /** Continues the loop on conn: parked as conn's onReadable, or called after an async step. Catches what it runs. */
  readonly resume: (conn: Connection<Engine>) => void;
  /** The loop is over; what happens to the connection now. Called exactly once. */
  readonly end: (conn: Connection<Engine>, handOff: HandOff) => void;
}

/** Serves requests on conn for as long as it can without waiting; then parks, goes async, or ends via hooks. */
export function runHttp1(conn: Connection<Engine>, hooks: LoopHooks): void {
  while (nextRequest(conn, hooks)) {
    // each turn served one request synchronously; pipelined ones follow at once
  }
}

/** Serves the next request if it is here; false when the loop parked, went async or ended. */
function nextRequest(conn: Connection<Engine>, hooks: LoopHooks): boolean {
  const engine = conn.owner;
  if (!conn.hasBuffered()) {
    // EOF, a reset or our own close between requests: an ordinary end.
    if (conn.readable) return end(conn, hooks, CLOSE);
    // Graceful shutdown closes idle keep-alive connections at once (a fresh one may have its request in flight).
    if (engine.shuttingDown && conn.served > 0) return end(conn, hooks, CLOSE);
    // A fresh connection keeps the header clock it got at accept (slowloris); a kept-alive one goes idle.
    if (conn.served > 0) conn.enter(Phase.Idle);
    conn.waitReadable(hooks.resume);
    return false;
  }
  const chunk = conn.peek()!;
  const r = parseRequestHead(chunk, conn.headOffset, conn.peekEnd, engine.settings.headLimits);
  if (r.kind === 'head') {
    // Fast path: the whole head is in the chunk; it is parsed in place and the rest (body, next request) stays queued.
    conn.consume(r.consumed);
    return serveHead(conn, r.head, hooks);
  }
  if (r.kind === 'error') return refuse(conn, hooks, r.error);
  return readSplitHead(conn, hooks);
}

/** The head is split across chunks: a head Sink accumulates it (waiting for bytes if it must) under the header clock. */
function readSplitHead(conn: Connection<Engine>, hooks: LoopHooks): boolean {
  const engine = conn.owner;
  conn.enterHead();
  let h: RequestHead | null | Promise<RequestHead | null>;
  try {
    h = conn.input().connect(headSink(engine.settings.headLimits));
  } catch (e) {
    return headFailed(conn, hooks, e);
  }
  if (h instanceof Promise) {
    h.then(
      (head) => guard(conn, hooks, () => (head === null ? end(conn, hooks, CLOSE) : serveHead(conn, head, hooks) && hooks.resume(conn))),
      (e: unknown) => guard(conn, hooks, () => headFailed(conn, hooks, e)),
    );
    return false;
  }
  // EOF inside a head: the client gave up; there is no one to answer.
  if (h === null) return end(conn, hooks, CLOSE);
  return serveHead(conn, h, hooks);
}

/** Runs one exchange; true when the loop can go on synchronously. */
function serveHead(conn: Connection<Engine>, head: RequestHead, hooks: LoopHooks): boolean {
  conn.served++;
  conn.enter(Phase.App);
  const next = serveRequest(conn.owner, conn, head);
  if (next instanceof Promise) {
    next.then(
      (n) => guard(conn, hooks, () => afterExchange(conn, hooks, n) && hooks.resume(conn)),
      (e: unknown) => guard(conn, hooks, () => crashed(conn, hooks, e)),
    );
    return false;
  }
  return afterExchange(conn, hooks, next);
}

function afterExchange(conn: Connection<Engine>, hooks: LoopHooks, next: Next): boolean {
  if (next !== KEEP) return end(conn, hooks, next);
  // Pipelined requests must not queue unbounded output for a client that is not reading.
  if (conn.backlogBytes > 0) {
    conn.whenDrained().then(() => hooks.resume(conn), () => guard(conn, hooks, () => end(conn, hooks, CLOSE)));
    return false;
  }
  return true;
}

function headFailed(conn: Connection<Engine>, hooks: LoopHooks, e: unknown): false {
  if (e instanceof RequestError) return refuse(conn, hooks, e);
  if (!conn.peerGone) conn.owner.settings.onException(e, null);
  return end(conn, hooks, CLOSE);
}

/** A malformed or oversized head: its error response, then a lingering close (the client may still be sending). */
function refuse(conn: Connection<Engine>, hooks: LoopHooks, e: RequestError): false {
  writeErrorResponse(conn.owner, conn, e.code);
  return end(conn, hooks, LINGER);
}

/** A bug, not a client error: report it and close. */
function crashed(conn: Connection<Engine>, hooks: LoopHooks, e: unknown): false {
  if (!conn.failed && !conn.closed) conn.owner.settings.onException(e, null);
  return end(conn, hooks, CLOSE);
}

function end(conn: Connection<Engine>, hooks: LoopHooks, handOff: HandOff): false {
  hooks.end(conn, handOff);
  return false;
}

/** Runs an async continuation's step; a throw there is reported and ends the connection instead of going unhandled. */
function guard(conn: Connection<Engine>, hooks: LoopHooks, step: () => unknown): void {
  try {
    step();
  } catch (e) {
    crashed(conn, hooks, e);
  }
}
