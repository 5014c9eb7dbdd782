// Switching a request to WebSocket: the handshake checks, negotiation and the 101 response that runs the session.
// upgradeWebSocket() is what `respond.upgrade(req, handler, options)` does for Sluice apps; tryUpgrade() is the
// boolean form behind a fetch handler's `server.upgrade(request, { data })` (Bun).
import type { Response, ResponseHeaders, UpgradedIO, UpgradeResponse } from '../server/index.js';
import { negotiateDeflate } from './extensions.js';
import {
  checkHandshake, refusalResponse, selectProtocol, switchingHeaders, type ProtocolChoice, type RefusedHandshake,
  type UpgradeRequest,
} from './handshake.js';
import { settingsOf, type Settings, type WebSocketHandler } from './options.js';
import { Session, type SessionInit } from './session.js';

/** Per-connection choices made at upgrade time. */
export interface UpgradeOptions<T> {
  /** The socket's `data` (ws.data). */
  readonly data?: T;
  /**
   * The subprotocol: a name taken when the client offers it, or a function picking one of those offered. Without
   * it, a Sec-WebSocket-Protocol among `headers` (Bun's way) is taken the same way as a name.
   */
  readonly protocol?: ProtocolChoice;
  /** Extra fields for the 101 response (set-cookie, ...); the handshake's own fields cannot be overridden. */
  readonly headers?: ResponseHeaders;
}

/**
 * The 101 that runs a WebSocket: an UpgradeResponse whose run settles once the socket has closed; the engine calls
 * start, which holds no promise per socket.
 */
export interface WebSocketUpgrade extends UpgradeResponse {
  run(io: UpgradedIO): Promise<void>;
  start(io: UpgradedIO): void;
}

/** Whether a request asks for a WebSocket (its Upgrade field lists websocket): a cheap test for routing. */
export function isWebSocketUpgrade(req: UpgradeRequest): boolean {
  return /(?:^|,)\s*websocket\s*(?:,|$)/i.test(req.header('upgrade') ?? '');
}

/**
 * The upgrade response for `req`, or the refusal when the handshake is invalid (the fetch adapter's
 * server.upgrade() returns whether it got an UpgradeResponse).
 */
export function tryUpgrade<T>(req: UpgradeRequest, handler: WebSocketHandler<T>, options: UpgradeOptions<T> = {}): WebSocketUpgrade | RefusedHandshake {
  const hs = checkHandshake(req);
  if (hs.kind === 'refuse') return hs;
  const settings = settingsOf(handler);
  const protocol = selectProtocol(hs.protocols, options.protocol ?? protocolHeaderOf(options.headers));
  const deflate = settings.deflate === null ? null : negotiateDeflate(hs.extensions, settings.deflate);
  const init = { data: options.data as T, protocol: protocol ?? '', deflate };
  return new SessionUpgrade(switchingHeaders(hs.key, protocol, deflate?.response ?? null, options.headers), handler, settings, init);
}

/** The 101 as an object with methods (no closures to make per handshake). */
class SessionUpgrade<T> implements WebSocketUpgrade {
  readonly kind = 'upgrade';
  readonly status = 101;

  constructor(
    readonly headers: ResponseHeaders,
    private readonly handler: WebSocketHandler<T>,
    private readonly settings: Settings,
    private readonly init: SessionInit<T>,
  ) {}

  run(io: UpgradedIO): Promise<void> {
    return new Session(io, this.handler, this.settings, this.init).run();
  }

  start(io: UpgradedIO): void {
    new Session(io, this.handler, this.settings, this.init).start();
  }
}

/** A Sec-WebSocket-Protocol value the app put among its 101 headers, if any. */
function protocolHeaderOf(headers: ResponseHeaders | undefined): string | undefined {
  for (const name in headers) if (name.toLowerCase() === 'sec-websocket-protocol') return String(headers[name]);
  return undefined;
}

/**
 * Answers an upgrade request: a 101 that serves `handler` on the connection, or the 4xx that says what is wrong
 * with the handshake (405, 400, or 426 with Sec-WebSocket-Version).
 */
export function upgradeWebSocket<T>(req: UpgradeRequest, handler: WebSocketHandler<T>, options?: UpgradeOptions<T>): Response {
  const r = tryUpgrade(req, handler, options);
  return r.kind === 'upgrade' ? r : refusalResponse(r.code);
}
