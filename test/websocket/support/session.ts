// Starts a WebSocket the way the engine will: tryUpgrade() on a request, then run() on an in-memory UpgradedIO.
// Handlers log what they see, so tests assert exact event orders.
import { tryUpgrade, type ServerWebSocket, type UpgradeOptions, type WebSocketHandler } from '../../../src/websocket/index.js';
import { FakeIO } from './fake-io.js';
import { GOOD, request } from './requests.js';
import { serverFrames, type ServerFrame } from './wire.js';

/** A running socket under test. */
export interface Harness<T> {
  io: FakeIO;
  /** What the hooks saw, in order ('open', 'message:hi', 'close:1000:bye', ...). */
  log: string[];
  /** Settles when run() does. */
  done: Promise<void>;
  /** The socket the hooks got. */
  ws: () => ServerWebSocket<T>;
  /** The 101's fields. */
  headers: Record<string, unknown>;
  /** The server's frames so far. */
  frames: () => ServerFrame[];
}

/** Hooks that log every call; `extra` hooks run after logging. */
export function loggingHandler<T>(log: string[], extra: Partial<WebSocketHandler<T>> = {}): WebSocketHandler<T> {
  return {
    ...extra,
    open(ws) {
      log.push('open');
      return extra.open?.(ws);
    },
    message(ws, m) {
      log.push(typeof m === 'string' ? `message:${m}` : `binary:${m.toString('hex')}`);
      return extra.message?.(ws, m);
    },
    close(ws, code, reason) {
      log.push(`close:${code}:${reason}`);
      return extra.close?.(ws, code, reason);
    },
    drain(ws) {
      log.push('drain');
      return extra.drain?.(ws);
    },
    ping(ws, data) {
      log.push(`ping:${data.toString()}`);
      return extra.ping?.(ws, data);
    },
    pong(ws, data) {
      log.push(`pong:${data.toString()}`);
      return extra.pong?.(ws, data);
    },
  };
}

/** Upgrades a request with `fields` added and runs `handler` on a fresh FakeIO. */
export function start<T>(
  handler: WebSocketHandler<T>, options: UpgradeOptions<T> = {}, fields: Record<string, string> = {}, log: string[] = [],
  io = new FakeIO(),
): Harness<T> {
  let socket: ServerWebSocket<T> | null = null;
  const original = handler.open;
  const wrapped: WebSocketHandler<T> = Object.assign(Object.create(handler) as WebSocketHandler<T>, {
    open(ws: ServerWebSocket<T>) {
      socket = ws;
      return original?.call(handler, ws);
    },
  });
  const up = tryUpgrade(request({ ...GOOD, ...fields }), wrapped, options);
  if (up.kind !== 'upgrade') throw new Error(`handshake refused: ${up.code}`);
  const done = up.run(io);
  return {
    io, log, done, headers: up.headers as Record<string, unknown>,
    ws: () => socket ?? (() => { throw new Error('open has not run'); })(),
    frames: () => serverFrames(io.output()),
  };
}
