// serve(settings, app): binds (or adopts) its listening sockets (listen.ts: one per address), accepts through the
// native reactor, runs one connection life (serve-connection.ts) per socket, and shuts down gracefully: stop
// accepting, close idle connections, let in-flight requests finish with Connection: close, force-close after the
// grace period.
import { AcceptErrorLog } from './accept-errors.js';
import { ConnectionError } from './connection-error.js';
import { Connection } from './connection.js';
import { DateCache } from './date.js';
import type { Engine } from './engine.js';
import { fileCaches, type FileCaches } from './file-caches.js';
import { closeListeners, openListeners, type ListenAddress } from './listen.js';
import { OptionError } from './option-error.js';
import { Phase } from './phase.js';
import { sharedReactor, type ListenOptions, type Reactor } from './reactor.js';
import { writeErrorResponse } from './response-writer.js';
import { serveConnection } from './serve-connection.js';
import { resolveSettings, type Settings } from './settings.js';
import { TimeoutManager } from './timeout.js';
import { ServerTls } from './tls-listener.js';
import { checkTlsSettings, type TlsSettings } from './tls-settings.js';
import { TCP, TLS, type Transport } from './transport.js';
import type { Application } from './types.js';

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
  /** Every address it listens on (one per resolved host address; `::` for every interface). */
  readonly addresses: readonly ListenAddress[];
  shuttingDown = false;
  private readonly listenFds: readonly number[];
  private readonly acceptErrors: AcceptErrorLog;
  /** HTTPS state (the native context, ticket rotation), or null for plain HTTP. */
  private readonly tls: ServerTls | null;
  /** What every accepted connection runs on. */
  private readonly transport: Transport;
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
    // Certificates first: a bad file fails serve() before any port is bound.
    this.tls = settings.tls === null ? null : new ServerTls(reactor.native, settings.tls, settings.serverName);
    this.transport = this.tls === null ? TCP : TLS;
    let listeners;
    try {
      listeners = openListeners(settings, reactor.native);
    } catch (err) {
      this.tls?.close();
      throw err;
    }
    this.listenFds = listeners.fds;
    this.port = listeners.port;
    this.addresses = listeners.addresses;
    this.acceptErrors = new AcceptErrorLog((e) => settings.onException(e, null));
    let started = 0;
    const options = listenOptionsOf(settings, this.tls?.listenOptions(settings.handshakeTimeoutMs));
    try {
      for (const fd of this.listenFds) {
        reactor.listen(fd, this, options);
        started++;
      }
    } catch (err) {
      // The one that failed is registered too: unlisten closes those, the ones never reached are closed here.
      for (const fd of this.listenFds.slice(0, started + 1)) reactor.unlisten(fd);
      closeListeners(this.listenFds.slice(started + 1), reactor.native);
      this.tls?.close();
      throw err;
    }
  }

  /** Open connections, counting those accepted that have not sent a byte yet (native holds them until they do). */
  get connections(): number {
    let held = 0;
    for (const fd of this.listenFds) held += Math.max(0, this.reactor.native.heldConnections(fd));
    return this.open + held;
  }

  /** Whether the server speaks HTTPS. */
  get secure(): boolean {
    return this.tls !== null;
  }

  /**
   * Swaps the certificates new connections get (open connections keep theirs, nothing is dropped): `tls` replaces
   * the settings, or with no argument the current files are read again (a renewed certificate). Throws TlsError
   * (and keeps the old certificates) when the new ones cannot be used, and an Error on a plain HTTP server.
   */
  setTls(tls?: TlsSettings): void {
    if (this.tls === null) throw new TypeError('setTls: this server was started without settings.tls (plain HTTP)');
    if (this.shuttingDown) return;
    const next = tls === undefined ? undefined : checkTlsSettings(tls);
    if (next === null) throw new TypeError('setTls(tls): tls must be { cert, key, ... }; a server cannot switch to plain HTTP');
    this.tls.swap(this.listenFds, next);
  }

  /** @internal the reactor hands over a new connection (its first bytes, if any, arrive in the same batch). */
  onAccept(fd: number): void {
    const native = this.reactor.native;
    if (this.shuttingDown || (this.settings.onOpen !== null && !this.settings.onOpen(native.peerAddress(fd)))) {
      native.close(fd);
      return;
    }
    const conn = new Connection<Server>(fd, this.reactor, this, this.transport);
    this.reactor.attach(conn);
    this.timeouts.add(conn);
    this.open++;
    serveConnection(conn);
  }

  /** @internal accept4 failed (EMFILE...): native backs off by itself; the log says so once per interval. */
  onAcceptError(error: Error): void {
    this.acceptErrors.record(error);
  }

  /** @internal a phase deadline passed (connection.ts's phase table says which). */
  timedOut(conn: Connection): void {
    // An upgraded protocol runs its own idle clock and decides (a WebSocket pings first): it stays tracked.
    if (conn.phase === Phase.Upgraded && conn.upgraded !== null) {
      this.timeouts.add(conn as Connection<Server>);
      if (conn.upgraded.idle()) return;
    }
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
    // Connections accepted but still silent become ours first: a request may be on its way, and it gets the same
    // grace as any fresh connection's below (closing the listener would drop them unanswered).
    for (const fd of this.listenFds) for (const held of this.reactor.native.releaseHeld(fd)) this.onAccept(held);
    this.shuttingDown = true;
    for (const fd of this.listenFds) this.reactor.unlisten(fd);
    this.tls?.close();
    this.acceptErrors.close();
    const done = new Promise<void>((resolve) => (this.allClosed = resolve));
    this.timeouts.forEach((conn) => {
      if (conn.phase === Phase.Upgraded) {
        conn.upgraded?.shutdown();
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

  /** close() without the wait: every connection, in flight or not, is closed now (Bun's `stop(true)`). */
  closeNow(): Promise<void> {
    const closing = this.close();
    this.timeouts.forEach((conn) => conn.destroy());
    return closing;
  }
}

/** A timeout setting as the native prelude deadline: whole ms in 1..2^31-1 (Infinity: the longest it takes). */
function nativeDeadlineMs(ms: number): number {
  return Number.isFinite(ms) ? Math.min(Math.max(Math.ceil(ms), 1), 2 ** 31 - 1) : 2 ** 31 - 1;
}

/** The reactor's accept options the settings ask for. One native deadline covers a connection's whole prelude: with TLS
 *  it is the handshake's (a PROXY header comes first, in the same budget); without, the header timeout, which is also
 *  how long native holds a plain connection that has not sent its first byte (holdSilent: JS hears of a connection once,
 *  with its request, and one that never writes costs no JS at all). */
function listenOptionsOf(settings: Settings, tls: ListenOptions | undefined): ListenOptions {
  // A PROXY listener always defers (Settings.deferAccept): its peer is a balancer, which writes the header first.
  const deferAccept = settings.deferAccept || settings.proxyProtocol;
  const base: ListenOptions = { preludeTimeoutMs: nativeDeadlineMs(settings.headerTimeoutMs), holdSilent: true, ...tls, deferAccept };
  if (!settings.proxyProtocol) return base;
  return { ...base, proxyProtocol: true, trustedProxies: settings.trustedProxies };
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
