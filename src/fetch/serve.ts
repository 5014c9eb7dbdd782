// serve(): one exported function with two forms. serve({ fetch, port, hostname }) is the one-argument form of Bun,
// Deno and srvx; serve(settings, app) is Sluice's own. Both return the same Server, listening when serve returns.
import {
  defaultOnException,
  DEFAULT_SETTINGS,
  serve as serveApplication,
  type Application,
  type Server,
  type Settings,
} from '../server/index.js';
import type { WebSocketHandler } from '../websocket/index.js';
import { fromFetch, requestIPOf, webSocketMethods, type FetchHandler, type FetchOptions } from './fetch-app.js';
import type { NetAddr, SocketAddress } from './client-address.js';
import { PendingWork } from './pending-work.js';
import type { WebSocketMethods } from './websocket-server.js';

/** serve()'s one-argument form: a fetch handler plus any Settings field (`hostname` or `host`, `port`...). */
export interface FetchServeOptions extends Partial<Omit<Settings, 'port' | 'host'>> {
  /** The handler, called as `options.fetch(request, info)` (so `this` is the options object, as in Bun and Workers). */
  fetch: FetchHandler;
  /** TCP port (0 = any free one); a numeric string is accepted. Default: $PORT, else 3000. */
  port?: number | string | undefined;
  /** Address to bind (Bun and Deno's name): an IP address, 'localhost' (127.0.0.1) or '' (all). Default ''. */
  hostname?: string | undefined;
  /** The same as hostname (Sluice's and node's name). */
  host?: string | undefined;
  /** Turns an error thrown by the handler into a Response; if it fails too, a bare 500. */
  error?: FetchOptions['error'];
  /** Bun's `websocket` handler: what `server.upgrade(request, { data })` serves (hooks and settings). */
  websocket?: WebSocketHandler<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- each socket's data type is the app's
  /** true installs FastResponse as globalThis.Response (see FetchOptions.overrideGlobalObjects). Default false. */
  overrideGlobalObjects?: boolean | undefined;
}

/** The names Bun, Deno and srvx give the same server facts and actions, so code written for them finds them. */
export interface ServerAliases {
  /** Bun's `server.url`: where the server answers, e.g. http://localhost:3000/ (a wildcard bind shows as localhost). */
  readonly url: URL;
  /** Bun's `server.hostname`: the address bound ('localhost' for all of them). */
  readonly hostname: string;
  /** Deno's `server.addr`. */
  readonly addr: NetAddr;
  /** Deno's `server.finished`: resolves once the server has closed. */
  readonly finished: Promise<void>;
  /** srvx's `server.ready()`: the server, which is listening already. */
  ready(): Promise<FetchServer>;
  /** Bun's `server.stop(closeActiveConnections)`: close(), or with true closeNow(). */
  stop(closeActiveConnections?: boolean): Promise<void>;
  /** Deno's `server.shutdown()`: close(). */
  shutdown(): Promise<void>;
  /** Bun's `server.requestIP(request)`: the client's address, or null for a request this server did not make. */
  requestIP(request: Request): SocketAddress | null;
  /** srvx's `server.waitUntil(promise)`: work close() waits for (request.waitUntil keeps its promises here too). */
  waitUntil(promise: PromiseLike<unknown>): void;
}

/** The server serve({ fetch }) returns: the engine's Server with Bun's upgrade, publish and subscriberCount. */
export type FetchServer = Server & Pick<WebSocketMethods, 'upgrade' | 'publish' | 'subscriberCount'> & ServerAliases;

/** Serves a fetch handler: `serve({ fetch: (req) => new Response('hi'), port: 3000 })`. */
export function serve(options: FetchServeOptions): FetchServer;
/** Serves a Sluice Application: `serve({ port: 3000 }, app)`. */
export function serve(settings: Partial<Settings>, app: Application): Server;
export function serve(options: FetchServeOptions | Partial<Settings>, app?: Application): Server | FetchServer {
  if (app !== undefined) return serveApplication(options as Partial<Settings>, app);
  const o = options as Partial<FetchServeOptions> | null | undefined;
  if (typeof o?.fetch !== 'function') {
    throw new TypeError('serve(options) needs options.fetch, a function (request) => Response; or call serve(settings, app)');
  }
  const settings = settingsOf(o as FetchServeOptions);
  const where = { host: 'localhost' };
  const ws = webSocketMethods(o.websocket);
  const pending = new PendingWork((e) => (settings.onException ?? defaultOnException)(e, null));
  const handlerOptions: FetchOptions = {
    waitUntil: (promise) => pending.waitUntil(promise),
    error: o.error,
    websocket: o.websocket,
    overrideGlobalObjects: o.overrideGlobalObjects,
    onException: settings.onException,
    thisArg: o,
    get defaultHost() {
      return where.host;
    },
  };
  const server = serveApplication(settings, fromFetch(o.fetch, handlerOptions));
  // A request without a Host (HTTP/1.0) is given this server's own address in request.url.
  where.host = `${displayHost(settings.host ?? '')}:${server.port}`;
  // Bun's server methods on the server itself, for code that keeps `server` and publishes from elsewhere.
  const fetchServer: FetchServer = Object.assign(server, {
    upgrade: ws.upgrade.bind(ws) as WebSocketMethods['upgrade'],
    publish: ws.publish.bind(ws),
    subscriberCount: ws.subscriberCount.bind(ws),
    ...aliasesOf(server, settings, pending),
  });
  return fetchServer;
}

function aliasesOf(server: Server, settings: Partial<Settings>, pending: PendingWork): ServerAliases & ThisType<FetchServer> {
  const hostname = displayHost(settings.host ?? '');
  const scheme = settings.tls !== undefined && settings.tls !== null ? 'https' : 'http';
  let closed: () => void = () => {};
  const finished = new Promise<void>((resolve) => (closed = resolve));
  const close = server.close.bind(server);
  // Every way of closing (close, stop, shutdown, closeNow) goes through close(), which settles `finished` once the
  // requests in flight and then the work they left to waitUntil are done (srvx's close waits for it too).
  server.close = () => close().then(() => pending.settled()).then(closed);
  return {
    url: new URL(`${scheme}://${hostname}:${server.port}/`),
    hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    addr: { transport: 'tcp', hostname: settings.host === '' || settings.host === undefined ? '0.0.0.0' : settings.host, port: server.port },
    finished,
    ready(this: FetchServer) {
      return Promise.resolve(this);
    },
    stop: (closeActiveConnections = false) => (closeActiveConnections ? server.closeNow() : server.close()),
    shutdown: () => server.close(),
    requestIP: (request) => requestIPOf(request),
    waitUntil: (promise) => pending.waitUntil(promise),
  };
}

/** The Settings fields of a one-argument options object (a Hono app passed whole brings other keys: they are left). */
function settingsOf(o: FetchServeOptions): Partial<Settings> {
  const settings: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_SETTINGS)) {
    const v = (o as unknown as Record<string, unknown>)[key];
    if (v !== undefined) settings[key] = v;
  }
  settings.host = bindAddress(o.hostname ?? o.host ?? '');
  settings.port = portOf(o.port);
  return settings as Partial<Settings>;
}

function portOf(port: number | string | undefined): number {
  const v = port ?? process.env.PORT ?? 3000;
  const n = typeof v === 'number' ? v : /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw new TypeError(`port must be an integer 0-65535, got ${JSON.stringify(v)}`);
  return n;
}

/** 'localhost' binds the loopback address; '[::1]' loses its brackets; other names must be IP addresses. */
function bindAddress(hostname: string): string {
  if (hostname === 'localhost') return '127.0.0.1';
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  return hostname;
}

function displayHost(bound: string): string {
  if (bound === '' || bound === '0.0.0.0' || bound === '::') return 'localhost';
  return bound.includes(':') ? `[${bound}]` : bound;
}
