// Real-socket WebSocket tests: a Sluice server on an ephemeral port whose app upgrades every request with
// respond.upgrade(req, handler, options), and small promise helpers around the `ws` client.
import WebSocket from 'ws';
import { respond, serve, type Request, type Server, type Settings } from '../../../src/index.js';
import type { UpgradeOptions, WebSocketHandler } from '../../../src/websocket/index.js';

/** A listening server and what it reported. */
export interface WsServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Exceptions reported through Settings.onException (hook errors among them). */
  readonly errors: unknown[];
}

/** Serves `handler` on every request (options per request), runs `fn`, then closes the server. */
export async function withWsServer<T>(
  handler: WebSocketHandler<T>, fn: (s: WsServer) => Promise<void>,
  options: (req: Request) => UpgradeOptions<T> = () => ({}), settings: Partial<Settings> = {},
): Promise<void> {
  const errors: unknown[] = [];
  const server = serve({ host: '127.0.0.1', port: 0, onException: (e) => void errors.push(e), ...settings },
    (req) => respond.upgrade(req, handler, options(req)));
  try {
    await fn({ server, port: server.port, url: `ws://127.0.0.1:${server.port}/`, errors });
  } finally {
    await server.close();
  }
}

/** A `ws` client once it is open. */
export function opened(url: string, protocols?: string | string[], options?: WebSocket.ClientOptions): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The client's next message. */
export function next(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, binary: boolean) => resolve({ data, binary })));
}

/** The close code and reason the client saw. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
}

/** Waits until `cond` holds, polling (a bounded wait: it throws after `ms`). */
export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
