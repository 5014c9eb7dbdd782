// Bun's WebSocket methods for fetch handlers: `server.upgrade(request, { data, headers })`, `server.publish(topic,
// data)` and `server.subscriberCount(topic)`, on the `websocket` handler given to serve(). Key decision: upgrade() only
// records the 101 on the request's exchange; the adapter answers with it whatever the handler returns (as Bun does).
import type { ResponseHeaders } from '../server/index.js';
import { topicsOf, type MessageData, type SendOptions, type Topics, type WebSocketHandler } from '../websocket/index.js';

/** What `new Headers(init)` takes. */
type HeadersInit = ConstructorParameters<typeof Headers>[0];

/** Bun's `server.upgrade` options. */
export interface FetchUpgradeOptions<T = unknown> {
  /** The socket's `ws.data`. */
  readonly data?: T;
  /** Extra fields for the 101 (set-cookie...); a Sec-WebSocket-Protocol among them selects that subprotocol if offered. */
  readonly headers?: HeadersInit | ResponseHeaders;
}

/** What a request's exchange does with an upgrade (fetch-app.ts). */
export interface UpgradeTarget {
  /** Records the 101 for `handler`; false when the request is not a valid WebSocket handshake (or already answered). */
  upgrade(handler: WebSocketHandler<unknown>, data: unknown, headers: ResponseHeaders | undefined): boolean;
}

/** Bun's server-side WebSocket methods, for one serve() (the same object on the server and on each handler's info). */
export class WebSocketMethods {
  constructor(
    private readonly handler: WebSocketHandler<unknown> | undefined,
    /** The exchange a request belongs to, or null when it is not one of this adapter's requests. */
    private readonly targetOf: (request: unknown) => UpgradeTarget | null,
  ) {}

  /**
   * Upgrades `request` to a WebSocket served by serve()'s `websocket` handler: true when the handshake is valid (the
   * handler's own return value is then ignored), false when it is not (answer it yourself, e.g. with a 400).
   */
  upgrade<T>(request: Request, options: FetchUpgradeOptions<T> = {}): boolean {
    const handler = this.handler;
    if (handler === undefined) throw new TypeError('server.upgrade() needs a websocket handler: serve({ fetch, websocket: { message(ws, m) {...} } })');
    const target = this.targetOf(request);
    if (target === null) throw new TypeError('server.upgrade(request): request must be the Request the fetch handler was given');
    return target.upgrade(handler, options.data, headersOf(options.headers));
  }

  /** Sends to every subscriber of `topic`, framed once; the payload's byte length when one took it, else 0. */
  publish(topic: string, data: MessageData, compress?: SendOptions): number {
    return this.topics().publish(topic, data, typeof compress === 'object' ? compress.compress === true : compress === true);
  }

  /** How many sockets are subscribed to `topic`. */
  subscriberCount(topic: string): number {
    return this.topics().subscriberCount(topic);
  }

  private topics(): Topics {
    const handler = this.handler;
    if (handler === undefined) throw new TypeError('server.publish() needs a websocket handler: serve({ fetch, websocket })');
    return topicsOf(handler as WebSocketHandler<never>);
  }
}

/** A Headers, an entry list or a record, as engine response fields (a Headers' Set-Cookie lines kept apart). */
function headersOf(init: HeadersInit | ResponseHeaders | undefined): ResponseHeaders | undefined {
  if (init === undefined) return undefined;
  if (!(init instanceof Headers) && !Array.isArray(init)) return init as ResponseHeaders;
  const headers = new Headers(init);
  const out: Record<string, string | readonly string[]> = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}
