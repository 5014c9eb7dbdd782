// The client's address in the shapes fetch handlers expect: Deno's `info.remoteAddr` ({ transport, hostname, port }),
// Bun's `server.requestIP(req)` ({ address, family, port }) and srvx's `request.ip`. Parsed from the engine's
// 'ip:port' / '[ip6]:port' text only when read. It also carries Bun's server.upgrade/publish/subscriberCount.
import { parseEndpoint, type Request as EngineRequest } from '../server/index.js';
import type { MessageData, SendOptions } from '../websocket/index.js';
import type { FetchUpgradeOptions, WebSocketMethods } from './websocket-server.js';

/** Deno's `Deno.NetAddr` for a TCP peer. */
export interface NetAddr {
  readonly transport: 'tcp';
  /** The peer's IP address (an IPv4 client of a dual-stack listener is shown as IPv4). */
  readonly hostname: string;
  readonly port: number;
}

/** Bun's `SocketAddress`. */
export interface SocketAddress {
  readonly address: string;
  readonly family: 'IPv4' | 'IPv6';
  readonly port: number;
}

/** Splits 'ip:port' or '[ip6]:port'; null for null or malformed text. */
export function parseAddress(text: string | null): NetAddr | null {
  const endpoint = parseEndpoint(text);
  return endpoint === null ? null : { transport: 'tcp', hostname: endpoint.address, port: endpoint.port };
}

/**
 * The second argument a fetch handler gets: Deno's ServeHandlerInfo (remoteAddr, completed) and the Bun server methods
 * a handler calls on its second argument (requestIP, upgrade, publish, subscriberCount).
 */
export class ServeInfo {
  #engine: EngineRequest;
  #ws: WebSocketMethods | null;
  #addr: NetAddr | null | undefined = undefined;
  #completed: Promise<void> | null = null;
  #done = false;
  #resolve: (() => void) | null = null;

  constructor(engine: EngineRequest, ws: WebSocketMethods | null = null) {
    this.#engine = engine;
    this.#ws = ws;
  }

  /**
   * Bun's `server.upgrade(request, { data, headers })`: true when the request is a valid WebSocket handshake, which
   * serve()'s `websocket` handler then serves (return nothing); false when it is not (answer it yourself).
   */
  upgrade<T>(request: Request, options?: FetchUpgradeOptions<T>): boolean {
    return this.#methods().upgrade(request, options);
  }

  /** Bun's `server.publish(topic, data, compress?)`: every subscriber of `topic` gets the message, framed once. */
  publish(topic: string, data: MessageData, compress?: SendOptions): number {
    return this.#methods().publish(topic, data, compress);
  }

  /** Bun's `server.subscriberCount(topic)`. */
  subscriberCount(topic: string): number {
    return this.#methods().subscriberCount(topic);
  }

  #methods(): WebSocketMethods {
    if (this.#ws === null) throw new TypeError('WebSocket methods need a fetch handler served by serve({ fetch, websocket }) or fromFetch(handler, { websocket })');
    return this.#ws;
  }

  /** Deno's `info.completed`: settles once the response has gone out whole (or was cut short by the client). */
  get completed(): Promise<void> {
    this.#completed ??= this.#done ? Promise.resolve() : new Promise<void>((resolve) => (this.#resolve = resolve));
    return this.#completed;
  }

  /** The exchange is over (called by the adapter). */
  static complete(info: ServeInfo): void {
    info.#done = true;
    info.#resolve?.();
  }

  /** The client's address (Deno's `info.remoteAddr`); hostname '' and port 0 when the socket has none. */
  get remoteAddr(): NetAddr {
    if (this.#addr === undefined) {
      // req.remote: the client a PROXY header or trusted forwarded headers named, else the TCP peer.
      const remote = this.#engine.remote;
      this.#addr = remote === null ? null : { transport: 'tcp', hostname: remote.address, port: remote.port };
    }
    return this.#addr ?? { transport: 'tcp', hostname: '', port: 0 };
  }

  /** Bun's `server.requestIP(request)`: the client's address, or null when unknown. */
  requestIP(_request?: unknown): SocketAddress | null {
    const addr = this.remoteAddr;
    if (addr.hostname === '') return null;
    return { address: addr.hostname, family: addr.hostname.includes(':') ? 'IPv6' : 'IPv4', port: addr.port };
  }
}
