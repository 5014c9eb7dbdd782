// serve(settings, app): binds (or adopts) its listening sockets (listen.ts: one per address), accepts through the
// native reactor, runs one connection loop per socket, and shuts down gracefully: stop accepting, close idle
// connections, let in-flight requests finish with Connection: close, force-close after the grace period.
import { AcceptErrorLog } from './accept-errors.js';
import { errorResponse } from './errors.js';
import { Connection, Phase } from './connection.js';
import { DateCache } from './date.js';
import { fileCaches, type FileCaches } from './file-caches.js';
import { serveConnection, type Engine } from './http1.js';
import { closeListeners, openListeners, type ListenAddress } from './listen.js';
import { OptionError } from './option-error.js';
import { sharedReactor, type Reactor } from './reactor.js';
import { resolveSettings, type Settings } from './settings.js';
import { TimeoutManager } from './timeout.js';
import type { Application } from './types.js';

/** How long graceful shutdown waits for the first request of a connection accepted just before it. */
const FRESH_GRACE_MS = 1000;

/** A running server. */
export class Server implements Engine {
  readonly settings: Settings;
  readonly app: Application;
  readonly reactor: Reactor;
  readonly date = new DateCache();
  readonly timeouts = new TimeoutManager();
  readonly files: FileCaches;
  readonly serverName: string | null;
  readonly sendTimeoutMs: number;
  /** The bound port. */
  readonly port: number;
  /** Every address it listens on (one per resolved host address; `::` for every interface). */
  readonly addresses: readonly ListenAddress[];
  shuttingDown = false;
  private readonly listenFds: readonly number[];
  private readonly acceptErrors: AcceptErrorLog;
  private readonly conns = new Set<Connection>();
  private closing: Promise<void> | null = null;
  private allClosed: (() => void) | null = null;

  /** @internal use serve() */
  constructor(settings: Settings, app: Application, reactor: Reactor) {
    this.settings = settings;
    this.app = app;
    this.reactor = reactor;
    this.files = fileCaches();
    this.serverName = settings.serverName === '' ? null : settings.serverName;
    this.sendTimeoutMs = settings.sendTimeoutMs;
    const listeners = openListeners(settings, reactor.native);
    this.listenFds = listeners.fds;
    this.port = listeners.port;
    this.addresses = listeners.addresses;
    this.acceptErrors = new AcceptErrorLog((e) => settings.onException(e, null));
    let started = 0;
    try {
      for (const fd of this.listenFds) {
        reactor.listen(fd, { onAccept: (cfd) => this.accept(cfd), onAcceptError: (e) => this.acceptErrors.record(e) });
        started++;
      }
    } catch (err) {
      // The one that failed is registered too: unlisten closes those, the ones never reached are closed here.
      for (const fd of this.listenFds.slice(0, started + 1)) reactor.unlisten(fd);
      closeListeners(this.listenFds.slice(started + 1), reactor.native);
      throw err;
    }
  }

  /** Open connections. */
  get connections(): number {
    return this.conns.size;
  }

  private accept(fd: number): void {
    const native = this.reactor.native;
    if (this.shuttingDown || (this.settings.onOpen !== null && !this.settings.onOpen(native.peerAddress(fd)))) {
      native.close(fd);
      return;
    }
    const conn: Connection = new Connection(fd, this.reactor, () => this.timedOut(conn), (c, n) => this.received(c, n));
    this.reactor.attach(conn);
    this.conns.add(conn);
    this.timeouts.add(conn);
    void serveConnection(this, conn).finally(() => this.forget(conn));
  }

  /** A chunk arrived: the first byte of a request starts the header clock; body bytes feed the rate check. */
  private received(conn: Connection, n: number): void {
    if (conn.phase === Phase.Body) {
      conn.bodyBytes += n;
      this.timeouts.arm(conn, this.settings.bodyTimeoutMs);
      const elapsed = this.timeouts.now - conn.bodyStart;
      const min = this.settings.minBodyBytesPerSecond;
      // RFC-free policy (slowloris on bodies): after one body timeout's grace, the average rate must reach the minimum.
      if (min > 0 && elapsed > this.settings.bodyTimeoutMs && (conn.bodyBytes * 1000) / elapsed < min) this.timedOut(conn);
    }
  }

  private timedOut(conn: Connection): void {
    // A client that started a request gets a 408 (RFC 9110 §15.5.9); an idle keep-alive one is just closed.
    if (conn.phase === Phase.Head) this.reactor.write(conn, errorResponse('REQUEST_TIMEOUT'));
    conn.fail(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' }));
    conn.destroy();
  }

  private forget(conn: Connection): void {
    conn.destroy();
    this.timeouts.remove(conn);
    this.conns.delete(conn);
    this.settings.onClose?.(null);
    if (this.conns.size === 0 && this.allClosed !== null) this.allClosed();
  }

  /**
   * Graceful shutdown: stops accepting, closes idle connections at once, lets in-flight requests finish (their
   * responses say Connection: close), force-closes the rest after settings.gracefulShutdownMs. Resolves when every
   * fd is closed. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.shuttingDown = true;
    for (const fd of this.listenFds) this.reactor.unlisten(fd);
    this.acceptErrors.close();
    const done = new Promise<void>((resolve) => (this.allClosed = resolve));
    for (const conn of this.conns) {
      if (conn.phase !== Phase.Idle || conn.hasBuffered()) continue;
      // Idle between requests: close now. Accepted but silent so far: its first request may be on the wire, so it
      // gets a short grace (FRESH_GRACE_MS) and is then answered with connection: close, or timed out.
      if (conn.served > 0) conn.destroy();
      else this.timeouts.arm(conn, Math.min(FRESH_GRACE_MS, this.settings.idleTimeoutMs));
    }
    const force = setTimeout(() => {
      for (const conn of this.conns) conn.destroy();
    }, this.settings.gracefulShutdownMs);
    force.unref();
    this.closing = (this.conns.size === 0 ? Promise.resolve() : done).then(() => {
      clearTimeout(force);
      this.timeouts.close();
    });
    return this.closing;
  }
}

/**
 * Runs `app` over HTTP/1.1: `serve({ port: 3000 }, app)`. Throws an OptionError for an unknown or bad setting or an
 * app that is not a function, a HostResolutionError for a host name that does not resolve, and a SysError (code
 * EADDRINUSE, …) if it cannot listen.
 */
export function serve(settings: Partial<Settings>, app: Application): Server {
  const resolved = resolveSettings(settings);
  if (typeof app !== 'function') {
    throw new OptionError('INVALID_APP', 'app', `serve(settings, app): app must be a function (req) => Response, got ${app === null ? 'null' : typeof app}`);
  }
  return new Server(resolved, app, sharedReactor());
}
