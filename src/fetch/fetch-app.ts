// fromFetch(handler): a web-standard fetch handler as a Sluice Application, so it composes with middleware. Each
// request is one Exchange: a lazy Request in, a Response converted at the edge out. A handler that throws or rejects
// gets the `error` hook's Response or a bare 500 on a connection that stays open; a failure of the request body itself
// (malformed chunking, too large, client gone) goes back to the engine, which answers with the client's status.
// `info.upgrade(request)` (Bun's server.upgrade) records a WebSocket 101 that the exchange answers with instead.
import {
  defaultOnException,
  RequestError,
  type Application,
  type Request as EngineRequest,
  type Response as EngineResponse,
  type ResponseHeaders,
} from '../server/index.js';
import { topicsOf, tryUpgrade, type WebSocketHandler } from '../websocket/index.js';
import { ServeInfo } from './client-address.js';
import { OriginCache } from './request-url.js';
import { installLazyResponse } from './global-response.js';
import { LazyRequest, type ExchangeHooks } from './web-request.js';
import { toEngineResponse, type ExchangeFacts } from './web-response.js';
import { WebSocketMethods, type UpgradeTarget } from './websocket-server.js';
import { PendingWork } from './pending-work.js';
import type { SocketAddress } from './client-address.js';

/**
 * A web-standard handler: Bun's, Deno's, srvx's and Cloudflare's `fetch(request, info)`. It may return nothing once
 * `info.upgrade(request)` has returned true.
 */
export type FetchHandler = (request: Request, info: ServeInfo) => Response | void | PromiseLike<Response | void>;

/** How fromFetch treats failures and requests without a Host. */
export interface FetchOptions {
  /** Turns an error thrown by the handler into a Response (Bun's and srvx's `error`); if it fails too, a bare 500. */
  error?: ((error: unknown) => Response | PromiseLike<Response>) | undefined;
  /** Told about every handler failure (default: print it unless it is a client going away). */
  onException?: ((error: unknown, request: EngineRequest | null) => void) | undefined;
  /** Host for request.url when a request has none (HTTP/1.0). Default 'localhost'. */
  defaultHost?: string | undefined;
  /** `this` for the handler (serve passes its options object, as Bun and Workers call `fetch` as a method). */
  thisArg?: unknown;
  /** The WebSocket handler `info.upgrade(request, { data })` serves (Bun's `websocket` option). */
  websocket?: WebSocketHandler<any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any -- each socket's data type is the app's
  /**
   * true makes globalThis.Response Sluice's FastResponse (a subclass of undici's that makes no stream for a string or
   * bytes body until one is asked for), so that code which says `new Response` (Hono's `c.json`) gets it. Default
   * false: the global Request and Response are never replaced unless the app asks (@hono/node-server's option name;
   * its default is true, Sluice's is the "never replaced").
   */
  overrideGlobalObjects?: boolean | undefined;
  /**
   * Where `request.waitUntil(promise)` keeps its promises (serve passes its server's, which close() waits for).
   * Default: kept by this handler, a rejection reported to onException.
   */
  waitUntil?: ((promise: PromiseLike<unknown>) => void) | undefined;
}

const EMPTY = new Uint8Array(0);

/** The 500 a failed handler leaves: no details leak, and the connection stays usable. */
function internalError(): EngineResponse {
  return { kind: 'bytes', status: 500, headers: { 'content-type': 'text/plain' }, body: EMPTY };
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

const NO_ERROR = Symbol('no body error');

/** One request/response exchange: what the lazy request and the conversion report to the adapter. */
class Exchange implements ExchangeHooks, ExchangeFacts, UpgradeTarget {
  readonly web: LazyRequest;
  readonly info: ServeInfo;
  readonly method: string;
  private bodyError: unknown = NO_ERROR;
  private settled = false;
  /** The 101 that info.upgrade() recorded: the answer, whatever the handler returns. */
  private upgraded: EngineResponse | null = null;

  constructor(
    readonly engine: EngineRequest, origin: string, private readonly options: FetchOptions, methods: WebSocketMethods,
    private readonly keep: (promise: PromiseLike<unknown>) => void,
  ) {
    this.web = new LazyRequest(engine, origin, this);
    this.info = new ServeInfo(engine, methods);
    this.method = engine.method;
  }

  upgrade(handler: WebSocketHandler<unknown>, data: unknown, headers: ResponseHeaders | undefined): boolean {
    if (this.settled || this.upgraded !== null) return false;
    const r = tryUpgrade(this.engine, handler, { data, headers });
    if (r.kind !== 'upgrade') return false;
    this.upgraded = r;
    return true;
  }

  bodyFailed(error: unknown): void {
    this.bodyError = error;
  }

  waitUntil(promise: PromiseLike<unknown>): void {
    this.keep(promise);
  }

  settle(): void {
    if (this.settled) return;
    this.settled = true;
    LazyRequest.settle(this.web);
    ServeInfo.complete(this.info);
    // A body stream the handler opened and left unread is stopped, so the engine can drain or close cleanly.
    const body = LazyRequest.openedBody(this.web);
    if (body !== null && !body.locked) body.cancel().catch(() => undefined);
  }

  answer(res: unknown): EngineResponse | Promise<EngineResponse> {
    if (this.upgraded !== null) {
      this.settle();
      return this.upgraded;
    }
    try {
      const r = toEngineResponse(res, this);
      return isThenable(r) ? Promise.resolve(r).catch((e: unknown) => this.failed(e, false)) : r;
    } catch (e) {
      return this.failed(e, false);
    }
  }

  failed(error: unknown, mayRecover = true): EngineResponse | Promise<EngineResponse> {
    // The request body failed (bad framing, too large, client gone): the engine answers that with the client's status.
    if (error instanceof RequestError || (this.bodyError !== NO_ERROR && error === this.bodyError)) {
      this.settle();
      throw error;
    }
    const hook = this.options.error;
    if (mayRecover && hook !== undefined) {
      let r: Response | PromiseLike<Response>;
      try {
        r = hook(error);
      } catch (e) {
        return this.failed(e, false);
      }
      if (isThenable(r)) return Promise.resolve(r).then((res) => this.answer(res), (e: unknown) => this.failed(e, false));
      return this.answer(r);
    }
    this.settle();
    (this.options.onException ?? defaultOnException)(error, this.engine);
    return internalError();
  }
}

/** Runs `handler` for every request: `serve({ port }, compose(gzip())(fromFetch(app.fetch)))`. */
export function fromFetch(handler: FetchHandler, options: FetchOptions = {}): Application {
  if (typeof handler !== 'function') throw new TypeError('fromFetch(handler): handler must be a function (request) => Response');
  if (options.overrideGlobalObjects === true) installLazyResponse();
  const origins = new OriginCache('http');
  // A TLS connection's request.url is https://: one cache per scheme, chosen by a boolean per request.
  const secureOrigins = new OriginCache('https');
  const thisArg = options.thisArg;
  const methods = webSocketMethods(options.websocket);
  let keep = options.waitUntil;
  if (keep === undefined) {
    const pending = new PendingWork((e) => (options.onException ?? defaultOnException)(e, null));
    keep = (promise) => pending.waitUntil(promise);
  }
  return (req: EngineRequest) => {
    const origin = (req.secure ? secureOrigins : origins).originOf(req.host ?? options.defaultHost ?? 'localhost');
    // A Host that is not a valid URL host cannot make request.url: 400, as for any malformed Host (RFC 9112 §3.2).
    if (origin === null) throw new RequestError('BAD_HOST');
    const exchange = new Exchange(req, origin, options, methods, keep);
    let r: Response | void | PromiseLike<Response | void>;
    try {
      r = handler.call(thisArg, exchange.web as unknown as Request, exchange.info);
    } catch (e) {
      return exchange.failed(e);
    }
    if (isThenable(r)) return Promise.resolve(r).then((res) => exchange.answer(res), (e: unknown) => exchange.failed(e));
    return exchange.answer(r);
  };
}

/** Bun's `server.requestIP(request)`: the client's address for a request this adapter made, else null. */
export function requestIPOf(request: unknown): SocketAddress | null {
  const hooks = LazyRequest.hooksOf(request);
  return hooks instanceof Exchange ? hooks.info.requestIP() : null;
}

/** Bun's server.upgrade/publish/subscriberCount over `handler` (its settings are checked now, not at the first upgrade). */
export function webSocketMethods(handler: WebSocketHandler<unknown> | undefined): WebSocketMethods {
  if (handler !== undefined) topicsOf(handler as WebSocketHandler<never>);
  return new WebSocketMethods(handler, (request) => LazyRequest.hooksOf(request) as Exchange | null);
}
