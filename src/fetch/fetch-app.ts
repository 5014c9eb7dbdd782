// fromFetch(handler): a web-standard fetch handler as a Sluice Application, so it composes with middleware. Each
// request is one Exchange: a lazy Request in, a Response converted at the edge out. A handler that throws or rejects
// gets the `error` hook's Response or a bare 500 on a connection that stays open; a failure of the request body itself
// (malformed chunking, too large, client gone) goes back to the engine, which answers with the client's status.
import {
  defaultOnException,
  RequestError,
  type Application,
  type Request as EngineRequest,
  type Response as EngineResponse,
} from '../server/index.js';
import { ServeInfo } from './client-address.js';
import { OriginCache } from './request-url.js';
import { LazyRequest, type ExchangeHooks } from './web-request.js';
import { toEngineResponse, type ExchangeFacts } from './web-response.js';

/** A web-standard handler: Bun's, Deno's, srvx's and Cloudflare's `fetch(request, info)`. */
export type FetchHandler = (request: Request, info: ServeInfo) => Response | PromiseLike<Response>;

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
class Exchange implements ExchangeHooks, ExchangeFacts {
  readonly web: LazyRequest;
  readonly info: ServeInfo;
  readonly method: string;
  private bodyError: unknown = NO_ERROR;
  private settled = false;

  constructor(readonly engine: EngineRequest, origin: string, private readonly options: FetchOptions) {
    this.web = new LazyRequest(engine, origin, this);
    this.info = new ServeInfo(engine);
    this.method = engine.method;
  }

  bodyFailed(error: unknown): void {
    this.bodyError = error;
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
    try {
      return toEngineResponse(res, this);
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
  const origins = new OriginCache('http');
  const thisArg = options.thisArg;
  return (req: EngineRequest) => {
    const origin = origins.originOf(req.host ?? options.defaultHost ?? 'localhost');
    // A Host that is not a valid URL host cannot make request.url: 400, as for any malformed Host (RFC 9112 §3.2).
    if (origin === null) throw new RequestError('BAD_HOST');
    const exchange = new Exchange(req, origin, options);
    let r: Response | PromiseLike<Response>;
    try {
      r = handler.call(thisArg, exchange.web as unknown as Request, exchange.info);
    } catch (e) {
      return exchange.failed(e);
    }
    if (isThenable(r)) return Promise.resolve(r).then((res) => exchange.answer(res), (e: unknown) => exchange.failed(e));
    return exchange.answer(r);
  };
}
