// Server settings with documented defaults. Timeouts are chosen not to trip behind load balancers (idle > 60 s, the
// common LB idle timeout, so the LB closes first and never races a server-side close).
import { isPeerGone } from './connection-error.js';
import { checkKnownKeys, OptionError } from './option-error.js';
import type { HeadLimits } from './request-head.js';
import type { Request } from './request.js';
import { checkTlsSettings, type TlsSettings } from './tls-settings.js';
import { checkTrustedProxy } from './trusted-proxies.js';

/** One line for the logger hook: what happened to one request. */
export interface RequestLog {
  readonly request: Request;
  readonly status: number;
  /** Exact body bytes written (after framing is removed). */
  readonly bytes: number;
  readonly durationMs: number;
}

/** Everything serve() accepts; every field is optional. */
export interface Settings {
  /** TCP port (0 = any free port). Default 3000. */
  port: number;
  /** Host to bind: '' = all interfaces (IPv6 dual-stack when available), a numeric address, or a name, which is
   *  resolved once at start-up and bound on each address (`localhost`: 127.0.0.1 and ::1). Default ''. */
  host: string;
  /** Listen backlog; raised to at least net.core.somaxconn. Default 4096. */
  backlog: number;
  /** SO_REUSEPORT, so several processes can each bind the port (workers). Default false. */
  reusePort: boolean;
  /** Adopt already-listening sockets (one fd or several) instead of binding (systemd, supervisors). Default null. */
  fd: number | readonly number[] | null;
  /** Idle keep-alive timeout between requests. Default 65 s. */
  idleTimeoutMs: number;
  /** Whole request head must arrive within this (slowloris). Default 30 s. */
  headerTimeoutMs: number;
  /** Request body: no byte for this long closes the connection. Default 30 s. */
  bodyTimeoutMs: number;
  /** Request body: below this average rate (bytes/s) after bodyTimeoutMs closes it. Default 1024; 0 disables. */
  minBodyBytesPerSecond: number;
  /** Response: no progress writing to a client for this long closes it. Default 60 s. */
  sendTimeoutMs: number;
  /** Request head limits (431 / 414). */
  headLimits: HeadLimits;
  /** Largest request body accepted (413). Default: no limit (bodies are streamed, never buffered). */
  maxBodyBytes: number;
  /** Unread request body drained to keep a connection alive, at most (Warp's maximumBodyFlush). Default 8 KiB. */
  maxBodyFlush: number;
  /** Server header value; '' omits it. Default 'Sluice'. */
  serverName: string;
  /** Graceful shutdown: in-flight requests get this long before connections are forced closed. Default 10 s. */
  gracefulShutdownMs: number;
  /** Called with errors the engine handled (app exceptions, failed responses). Default: print non-network errors. */
  onException: (error: unknown, request: Request | null) => void;
  /** A connection opened; return false to refuse it. */
  onOpen: ((remoteAddress: string | null) => boolean) | null;
  /** A connection closed. */
  onClose: ((remoteAddress: string | null) => void) | null;
  /** Called once per completed request (access logs). */
  logger: ((entry: RequestLog) => void) | null;
  /** HTTPS on every listener: certificates (PEM text, bytes or file paths), SNI, minimum version. Default null
   *  (plain HTTP). See tls-settings.ts. */
  tls: TlsSettings | null;
  /** TLS: the handshake must complete within this (slowloris before the request), else a silent close. Default 10 s. */
  handshakeTimeoutMs: number;
  /** Require a PROXY protocol v1 or v2 header on every connection (behind HAProxy, AWS NLB...); it is read before
   *  anything else (before TLS) and names req.remote. A connection without one, or with a bad one, or one not
   *  complete within headerTimeoutMs, is closed. Default false. */
  proxyProtocol: boolean;
  /** The proxies trusted to speak for clients: CIDR ranges or addresses ('10.0.0.0/8', '::1'). With proxyProtocol,
   *  a connection from anywhere else is closed at accept (empty: any peer may send the header); forwardedHeaders
   *  believes only these hops. Default []. */
  trustedProxies: readonly string[];
  /** TCP_DEFER_ACCEPT on every listener, as nginx's `listen ... deferred`: the kernel hands a connection over only
   *  once its first bytes (request, PROXY header or ClientHello) are in, which saves a wakeup, a poll registration
   *  and a read for most new connections (bench: npm run bench:proxy-close). The trade: a client that connects and
   *  stays silent is seen about a second later, and one still silent when the server stops gets no FIN (it learns
   *  at its first write). Default false; a proxyProtocol listener defers whatever this says: its peer is a balancer,
   *  which writes the header as soon as it connects (HAProxy, AWS NLB), and whose connect-only health checks then
   *  never wake the server. */
  deferAccept: boolean;
  /** Read the client from Forwarded (RFC 7239) / X-Forwarded-For, believing only hops in trustedProxies (as nginx's
   *  real_ip_recursive). Default false. */
  forwardedHeaders: boolean;
}

/** Prints an error unless it is an ordinary network event (a client going away). */
export function defaultOnException(error: unknown): void {
  if (isPeerGone(error)) return;
  console.error('sluice:', error);
}

/** The defaults, documented on Settings. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  port: 3000,
  host: '',
  backlog: 4096,
  reusePort: false,
  fd: null,
  idleTimeoutMs: 65_000,
  headerTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  minBodyBytesPerSecond: 1024,
  sendTimeoutMs: 60_000,
  headLimits: Object.freeze({ maxHeaderBytes: 64 * 1024, maxTargetBytes: 8 * 1024, maxHeaders: 100 }),
  maxBodyBytes: Number.MAX_SAFE_INTEGER,
  maxBodyFlush: 8 * 1024,
  serverName: 'Sluice',
  gracefulShutdownMs: 10_000,
  onException: defaultOnException,
  onOpen: null,
  onClose: null,
  logger: null,
  tls: null,
  handshakeTimeoutMs: 10_000,
  proxyProtocol: false,
  trustedProxies: Object.freeze([]) as readonly string[],
  forwardedHeaders: false,
  deferAccept: false,
});

/** Fills in defaults and checks keys and ranges; a bad one is an OptionError (a TypeError) naming the setting. */
export function resolveSettings(partial: Partial<Settings> = {}): Settings {
  if (typeof partial !== 'object' || partial === null) throw invalid('settings', `settings must be an object, got ${partial === null ? 'null' : typeof partial}`);
  checkKnownKeys('setting', partial, SETTING_KEYS);
  if (partial.headLimits !== undefined) checkKnownKeys('headLimits key', partial.headLimits, HEAD_LIMIT_KEYS);
  // An explicit `undefined` means "the default", as an absent key does.
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<Settings>;
  const s: Settings = { ...DEFAULT_SETTINGS, ...given, headLimits: { ...DEFAULT_SETTINGS.headLimits, ...given.headLimits } };
  if (!Number.isInteger(s.port) || s.port < 0 || s.port > 65535) throw invalid('port', `settings.port must be 0-65535, got ${String(s.port)}`);
  if (typeof s.host !== 'string') throw invalid('host', `settings.host must be a string, got ${typeof s.host}`);
  for (const key of ['idleTimeoutMs', 'headerTimeoutMs', 'bodyTimeoutMs', 'sendTimeoutMs', 'gracefulShutdownMs', 'maxBodyFlush',
    'minBodyBytesPerSecond', 'backlog'] as const) {
    const v = s[key];
    if (typeof v !== 'number' || !(v >= 0)) throw invalid(key, `settings.${key} must be a non-negative number, got ${String(v)}`);
  }
  if (!(Number.isInteger(s.handshakeTimeoutMs) && s.handshakeTimeoutMs > 0 && s.handshakeTimeoutMs <= 2 ** 31 - 1)) {
    throw invalid('handshakeTimeoutMs', `settings.handshakeTimeoutMs must be a whole number of ms above 0, got ${String(s.handshakeTimeoutMs)}`);
  }
  s.tls = checkTlsSettings(s.tls);
  if (!(s.maxBodyBytes >= 0)) throw invalid('maxBodyBytes', `settings.maxBodyBytes must be a non-negative number, got ${s.maxBodyBytes}`);
  if (typeof s.serverName !== 'string' || /[\r\n\0]/.test(s.serverName)) throw invalid('serverName', 'settings.serverName must be a string without CR, LF or NUL');
  for (const key of ['onException', 'onOpen', 'onClose', 'logger'] as const) {
    const v = s[key];
    if ((v !== null || key === 'onException') && typeof v !== 'function') throw invalid(key, `settings.${key} must be a function${key === 'onException' ? '' : ' or null'}, got ${typeof v}`);
  }
  checkProxySettings(s);
  return s;
}

function checkProxySettings(s: Settings): void {
  for (const key of ['proxyProtocol', 'forwardedHeaders', 'deferAccept'] as const) {
    if (typeof s[key] !== 'boolean') throw invalid(key, `settings.${key} must be a boolean, got ${typeof s[key]}`);
  }
  if (!Array.isArray(s.trustedProxies)) throw invalid('trustedProxies', `settings.trustedProxies must be an array of CIDR ranges, got ${typeof s.trustedProxies}`);
  for (const entry of s.trustedProxies as readonly unknown[]) {
    const problem = checkTrustedProxy(entry);
    if (problem !== null) throw invalid('trustedProxies', `settings.trustedProxies: ${problem}`);
  }
  if (s.forwardedHeaders && s.trustedProxies.length === 0) {
    throw invalid('forwardedHeaders', 'settings.forwardedHeaders needs settings.trustedProxies: the proxies whose forwarded headers to believe');
  }
}

const SETTING_KEYS: readonly string[] = Object.keys(DEFAULT_SETTINGS);
const HEAD_LIMIT_KEYS: readonly string[] = Object.keys(DEFAULT_SETTINGS.headLimits);

function invalid(key: string, message: string): OptionError {
  return new OptionError('INVALID_OPTION', key, message);
}
