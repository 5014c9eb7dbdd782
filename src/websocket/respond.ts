// The package root's `respond`: the engine's, whose upgrade() also takes `(req, handler, options)` and answers with a
// WebSocket. Key decision: the engine never imports websocket/ (its respond.upgrade takes a protocol's run function);
// this copy is made once at the entry, so `respond.upgrade(req, handler)` reads like Bun without a layer cycle.
import { respond as engineRespond, type Response, type ResponseHeaders, type UpgradedIO } from '../server/index.js';
import type { UpgradeRequest } from './handshake.js';
import type { WebSocketHandler } from './options.js';
import { upgradeWebSocket, type UpgradeOptions } from './upgrade.js';

/** respond.upgrade's two forms: any protocol's run function, or a WebSocket handler. */
export interface RespondUpgrade {
  /** A 101 to any protocol: `headers` (Upgrade among them), then `run(io)` with the rest of the connection. */
  (headers: ResponseHeaders, run: (io: UpgradedIO) => void | Promise<void>): Response;
  /** A 101 that serves `handler` as a WebSocket, or the 4xx that says what is wrong with the handshake. */
  <T = undefined>(req: UpgradeRequest, handler: WebSocketHandler<T>, options?: UpgradeOptions<T>): Response;
}

/** The engine's respond with both upgrade forms. */
export type Respond = typeof engineRespond & { readonly upgrade: RespondUpgrade };

function upgrade<T>(
  target: ResponseHeaders | UpgradeRequest, how: ((io: UpgradedIO) => void | Promise<void>) | WebSocketHandler<T>, options?: UpgradeOptions<T>,
): Response {
  if (typeof how === 'function') return engineRespond.upgrade(target as ResponseHeaders, how);
  if (typeof how !== 'object' || how === null || typeof (target as UpgradeRequest).header !== 'function') {
    throw new TypeError('respond.upgrade(req, handler, options?) needs the request and a WebSocket handler object; or (headers, run)');
  }
  return upgradeWebSocket(target as UpgradeRequest, how, options);
}

function respondAtEntry(...args: Parameters<typeof engineRespond>): Response {
  return engineRespond(...args);
}

/** Response constructors (see server/response.ts); `respond.upgrade(req, handler, options?)` upgrades to a WebSocket. */
export const respond: Respond = Object.assign(respondAtEntry, engineRespond, { upgrade: upgrade as RespondUpgrade });
