// serve(settings, app): binds (or adopts) a listening socket, accepts through the native reactor, runs one
// connection life (serve-connection.ts) per socket, and shuts down gracefully: stop accepting, close idle
// connections, let in-flight requests finish with Connection: close, force-close after the grace period.
import { ConnectionError } from './connection-error.js';
import { Connection } from './connection.js';
import { DateCache } from './date.js';
import type { Engine } from './engine.js';
import { fileCaches, type FileCaches } from './file-caches.js';
import { Phase } from './phase.js';
import { sharedReactor, type Reactor } from './reactor.js';
import { writeErrorResponse } from './response-writer.js';
import { serveConnection } from './serve-connection.js';
import { resolveSettings, type Settings } from './settings.js';
import { TimeoutManager } from './timeout.js';
import { TCP } from './transport.js';
import type { Application } from './types.js';
import { sysError } from '../native/index.js';

/** How long graceful shutdown waits for the first request of a connection accepted just before it. */
const FRESH_GRACE_MS = 1000;

/** A running server. */
export class Server implements Engine {
  readonly settings: Settings;
  readonly app: Application;
  readonly reactor: Reactor;
  readonly date = new DateCache();
  /** Every open connection, each in one slot: the deadline sweep and graceful shutdown walk it. */
  readonly timeouts: TimeoutManager<Connection<Server>> = new TimeoutManager<Connection<Server>>();
  readonly files: FileCaches;
  readonly serverName: string | null;
  /** The bound port. */
  readonly port: number;
  shuttingDown = false;
  private readonly listenFd: number;
  private open = 0;
  private closing: Promise<void> | null = null;
  private allClosed: (() => void) | null = null;

  /** @internal use serve() */
  constructor(settings: Settings, app: Application, reactor: Reactor) {
    this.settings = settings;
    this.app = app;
    this.reactor = reactor;
    this.files = fileCaches();
    this.serverName = settings.serverName === '' ? null : settings.serverName;
    const native = reactor.native;
    const fd = settings.fd ?? native.listen(settings.host, settings.port, settings.backlog, settings.reusePort);
    if (fd < 0) throw describeListenError(sysError(fd, 'listen'), settings);
    this.listenFd = fd;
    const port = native.localPort(fd);
    if (port < 0) throw sysError(port, 'getsockname');
    this.port = port;
    reactor.listen(fd, this);
  }

  /** Open connections. */
  get connections(): number {
    return this.open;
  }

  /** @internal the reactor hands over a new connection (its first bytes, if any, arrive in the same batch). */
  onAccept(fd: number): void {
    const native = this.reactor.native;
    if (this.shuttingDown || (this.settings.onOpen !== null && !this.settings.onOpen(native.peerAddress(fd)))) {
      native.close(fd);
      return;
    }
    const conn = new Connection<Server>(fd, this.reactor, this, TCP);
    this.reactor.attach(conn);
    this.timeouts.add(conn);
    this.open++;
    serveConnection(conn);
  }

  /** @internal accept4 failed (EMFILE...): native backs off by itself. */
  onAcceptError(error: Error): void {
    this.settings.onException(error, null);
  }

  /** @internal a phase deadline passed (connection.ts's phase table says which). */
  timedOut(conn: Connection): void {
    // A client that started a request gets a 408 (RFC 9110 §15.5.9); a fresh or idle one is just closed (as nginx).
    if (conn.phase === Phase.Head) writeErrorResponse(this, conn, 'REQUEST_TIMEOUT');
    conn.fail(new ConnectionError('ETIMEDOUT', 'connection timed out'));
    conn.destroy();
  }

  /** @internal conn's fd is closed. */
  released(conn: Connection): void {
    this.timeouts.remove(conn as Connection<Server>);
    this.open--;
    this.settings.onClose?.(null);
    if (this.open === 0 && this.allClosed !== null) this.allClosed();
  }

  /**
   * Graceful shutdown: stops accepting, closes idle connections at once, lets in-flight requests finish (their
   * responses say Connection: close), tells upgraded protocols (a WebSocket sends 1001), force-closes the rest after
   * settings.gracefulShutdownMs. Resolves when every fd is closed. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.shuttingDown = true;
    this.reactor.unlisten(this.listenFd);
    const done = new Promise<void>((resolve) => (this.allClosed = resolve));
    this.timeouts.forEach((conn) => {
      if (conn.phase === Phase.Upgraded) {
        conn.protocolShutdown?.();
        return;
      }
      if ((conn.phase !== Phase.Idle && conn.phase !== Phase.Fresh) || conn.hasBuffered()) return;
      // Idle between requests: close now. Accepted but silent so far: its first request may be on the wire, so it
      // gets a short grace (FRESH_GRACE_MS) and is then answered with connection: close, or timed out.
      if (conn.served > 0) conn.destroy();
      else conn.shortenDeadline(Math.min(FRESH_GRACE_MS, this.settings.idleTimeoutMs));
    });
    const force = setTimeout(() => this.timeouts.forEach((conn) => conn.destroy()), this.settings.gracefulShutdownMs);
    force.unref();
    this.closing = (this.open === 0 ? Promise.resolve() : done).then(() => {
      clearTimeout(force);
      this.timeouts.close();
    });
    return this.closing;
  }
}

function describeListenError(e: Error & { code?: string }, s: Settings): Error {
  const where = `${s.host === '' ? '*' : s.host}:${s.port}`;
  if (e.code === 'EADDRINUSE') e.message = `port ${s.port} is already in use (${where})`;
  else if (e.code === 'EACCES') e.message = `no permission to listen on ${where} (ports below 1024 need privileges)`;
  else if (e.code === 'EADDRNOTAVAIL') e.message = `address ${s.host} is not available on this machine`;
  return e;
}

/** Runs `app` over HTTP/1.1: `serve({ port: 3000 }, app)`. Throws a SysError (code EADDRINUSE, …) if it cannot listen. */
export function serve(settings: Partial<Settings>, app: Application): Server {
  return new Server(resolveSettings(settings), app, sharedReactor());
}
