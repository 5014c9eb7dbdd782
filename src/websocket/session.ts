// One WebSocket from the 101 to the end: messages from the reader go to the handler's hooks, frames go out through
// UpgradedIO, and the closing handshake (RFC 6455 §7), idle pings and server shutdown run here.
// Key decision: hooks are called synchronously in arrival order and never awaited (as in Bun and uWebSockets.js).
import type { UpgradedIO } from '../server/index.js';
import { CloseCodes, encodeClosePayload, WebSocketError, type CloseFrame } from './close.js';
import type { DeflateParams } from './extensions.js';
import { OP_CLOSE, OP_PING, OP_PONG } from './frame.js';
import type { Received } from './messages.js';
import type { Settings, WebSocketHandler } from './options.js';
import { encodeFrame, type MessageData, type PreparedMessage } from './outgoing.js';
import { MessageDecompressor } from './permessage-deflate.js';
import { Reader, type ReaderOwner } from './reader.js';
import { SocketWriter, type WriterOwner } from './socket-writer.js';
import { ServerWebSocket, type SocketSession } from './websocket.js';

const EMPTY = new Uint8Array(0);

/** readyState values (the WebSocket API's numbering). */
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** What the handshake decided for one socket. */
export interface SessionInit<T> {
  readonly data: T;
  /** The selected subprotocol, '' for none. */
  readonly protocol: string;
  /** The negotiated permessage-deflate, or null. */
  readonly deflate: DeflateParams | null;
}

/**
 * uWebSockets' split of the idle timeout: a ping goes out `margin` before the end (4, 8 or 16 s; half of a short
 * timeout), and the margin is also how long a closing handshake may take.
 */
export function pingMargin(idleMs: number): number {
  let m = 4000;
  while (idleMs - 4 * m >= 0 && m < 16000) m *= 2;
  return Math.min(m, idleMs / 2);
}

/** The default closing-handshake wait when there is no idle timeout. */
const CLOSE_WAIT_MS = 16000;

/** The state of one socket; ServerWebSocket is its public face. */
export class Session<T> implements SocketSession, WriterOwner, ReaderOwner {
  state = OPEN;
  /** The topics this socket is in, made at its first subscribe (an idle socket without topics holds no Set). */
  private topicSet: Set<string> | null = null;
  readonly ws: ServerWebSocket<T>;
  private readonly writer: SocketWriter;
  private readonly decompressor: MessageDecompressor | null;
  private readonly margin: number;
  /** The peer's close frame, once received. */
  private peerClose: CloseFrame | null = null;
  /** The close frame we sent (the app's, shutdown's 1001, or a failure's code). */
  private ownClose: CloseFrame | null = null;
  /** Why the connection ended without close frames (reported with 1006). */
  private endReason = 'connection closed';
  private pingOutstanding = false;
  private readonly onIdle = (): void => this.idle();
  private readonly onShutdown = (): void => this.close(CloseCodes.GOING_AWAY, 'server shutting down');
  private address: string | null | undefined = undefined;
  /** Settles run()'s promise once the session has ended. */
  private done: (() => void) | null = null;

  constructor(
    readonly io: UpgradedIO,
    private readonly handler: WebSocketHandler<T>,
    readonly settings: Settings,
    readonly init: SessionInit<T>,
  ) {
    const d = init.deflate;
    this.writer = new SocketWriter(io, settings, d, this);
    this.decompressor = d !== null ? new MessageDecompressor(d.clientWindowBits, d.clientContextTakeover) : null;
    this.margin = settings.idleTimeoutMs > 0 ? pingMargin(settings.idleTimeoutMs) : CLOSE_WAIT_MS;
    this.ws = new ServerWebSocket(this, init.data);
  }

  /** Serves the socket until it is closed; never rejects (app errors go to io.reportError). */
  run(): Promise<void> {
    const io = this.io;
    this.armIdle();
    io.onShutdown = this.onShutdown;
    this.callHook(this.handler.open);
    if (io.shuttingDown) this.onShutdown();
    const reader = new Reader(io, { maxPayloadLength: this.settings.maxPayloadLength, decompressor: this.decompressor }, this);
    return new Promise<void>((resolve) => {
      this.done = resolve;
      reader.pump();
    });
  }

  /** Whether the reader should go on (ReaderOwner). */
  get reading(): boolean {
    return this.state !== CLOSED;
  }

  /** Reading is over (ReaderOwner): a protocol error fails the connection, any other error ends it with 1006. */
  ended(error: unknown): void {
    if (error instanceof WebSocketError) this.fail(error.closeCode, error.message);
    else if (error !== null) this.endReason = error instanceof Error ? error.message : String(error);
    this.finish();
  }

  /** One received message or control frame (ReaderOwner). */
  receive(x: Received): void {
    if (this.pingOutstanding) {
      this.pingOutstanding = false;
      this.armIdle();
    }
    if (typeof x === 'string' || x instanceof Uint8Array) {
      // RFC 6455 §7.1.2: once we have sent a close frame, data that still arrives is dropped.
      if (this.state === OPEN && this.handler.message !== undefined) {
        try {
          settle(this.handler.message(this.ws, x), this);
        } catch (e) {
          this.hookFailed(e);
        }
      }
      return;
    }
    if (x.kind === 'close') return this.peerClosed(x);
    if (this.state !== OPEN) return;
    // RFC 6455 §5.5.2: a ping is answered with a pong carrying the same data, as soon as practical.
    if (x.kind === 'ping') {
      this.writer.writeFrame(encodeFrame(OP_PONG, x.data, false));
      this.callHook(this.handler.ping, x.data);
    } else this.callHook(this.handler.pong, x.data);
  }

  private peerClosed(frame: CloseFrame): void {
    this.peerClose = frame;
    if (this.state === OPEN) {
      // RFC 6455 §5.5.1: answer with a close frame echoing the code (none when the peer sent none).
      const code = frame.code === CloseCodes.NO_STATUS ? undefined : frame.code;
      this.writer.writeFrame(encodeFrame(OP_CLOSE, encodeClosePayload(code), false));
    }
    // RFC 6455 §7.1.1: the server closes the TCP connection first.
    this.state = CLOSED;
    this.io.close();
  }

  /** Fails the connection (RFC 6455 §7.1.7): a close frame with `code` unless one went already, then the socket. */
  fail(code: number, reason: string): void {
    if (this.state === CLOSED) return;
    if (this.state === OPEN) this.writer.writeFrame(encodeFrame(OP_CLOSE, encodeClosePayload(code, reason), false));
    this.ownClose = { code, reason };
    this.state = CLOSED;
    this.io.close();
  }

  /** The app's close: starts the closing handshake and waits for the peer's close frame (up to the margin). */
  close(code?: number, reason?: string): void {
    if (this.state !== OPEN) return;
    const payload = encodeClosePayload(code, reason);
    this.writer.writeFrame(encodeFrame(OP_CLOSE, payload, false));
    this.ownClose = { code: code ?? CloseCodes.NO_STATUS, reason: reason ?? '' };
    this.state = CLOSING;
    this.io.setIdleTimeout(this.margin, this.onIdle);
  }

  /** Closes the socket now, without a closing handshake. */
  terminate(reason = 'terminated'): void {
    if (this.state === CLOSED) return;
    this.endReason = reason;
    this.state = CLOSED;
    this.io.destroy();
  }

  private idle(): void {
    if (this.state === OPEN && this.settings.sendPings && !this.pingOutstanding) {
      this.pingOutstanding = true;
      this.writer.writeFrame(encodeFrame(OP_PING, EMPTY, false));
      this.io.setIdleTimeout(this.margin, this.onIdle);
      return;
    }
    this.terminate(this.state === CLOSING ? 'closing handshake timed out' : 'idle timeout');
  }

  private armIdle(): void {
    const ms = this.settings.idleTimeoutMs;
    if (ms > 0) this.io.setIdleTimeout(this.settings.sendPings ? ms - this.margin : ms, this.onIdle);
  }

  /** Ends the session once reading has stopped: the close hook runs once, then subscriptions and zlib go. */
  private finish(): void {
    this.state = CLOSED;
    const io = this.io;
    io.setIdleTimeout(0, this.onIdle);
    io.onShutdown = null;
    io.close();
    const end = this.peerClose ?? this.ownClose ?? { code: CloseCodes.ABNORMAL, reason: this.endReason };
    this.callHook(this.handler.close, end.code, end.reason);
    if (this.topicSet !== null) this.settings.topics.unsubscribeAll(this);
    this.writer.close();
    this.decompressor?.close();
    this.done?.();
  }

  /** The peer's address, read from the connection on first use and kept (it is gone once the socket closes). */
  get remoteAddress(): string | null {
    if (this.address === undefined) this.address = this.io.remoteAddress;
    return this.address;
  }

  /** The topics this socket is in (Subscriber). */
  get topics(): Set<string> {
    return (this.topicSet ??= new Set());
  }

  /** Whether this socket is in `topic`, without making a topic set. */
  isSubscribed(topic: string): boolean {
    return this.topicSet !== null && this.topicSet.has(topic);
  }

  /** The topics this socket is in. */
  subscriptions(): string[] {
    return this.topicSet === null ? [] : [...this.topicSet];
  }

  /** Sends one message (see SocketWriter.send). */
  send(data: MessageData, compress: boolean): number {
    return this.writer.send(data, compress);
  }

  /** Sends a published message (Subscriber). */
  deliver(m: PreparedMessage): number {
    return this.writer.deliver(m);
  }

  /** An app's ping or pong. */
  sendControl(opcode: typeof OP_PING | typeof OP_PONG, data: MessageData | undefined): number {
    return this.writer.control(opcode, data);
  }

  /** Whether messages may still be sent (WriterOwner). */
  get sending(): boolean {
    return this.state === OPEN;
  }

  /** The backlog has drained (WriterOwner). */
  drained(): void {
    if (this.state === OPEN) this.callHook(this.handler.drain);
  }

  private callHook<A extends unknown[]>(hook: ((ws: ServerWebSocket<T>, ...args: A) => void | Promise<void>) | undefined, ...args: A): void {
    if (hook === undefined) return;
    try {
      settle(hook.call(this.handler, this.ws, ...args), this);
    } catch (e) {
      this.hookFailed(e);
    }
  }

  /** A hook threw or rejected: the engine reports it, and the connection fails with 1011 (RFC 6455 §7.4.1). */
  hookFailed(error: unknown): void {
    this.io.reportError(error);
    this.fail(CloseCodes.INTERNAL_ERROR, 'internal error');
  }
}

/** Routes a hook's rejection to the session, like a throw. */
function settle(result: void | Promise<void>, session: Session<unknown>): void {
  if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
    (result as Promise<void>).then(undefined, (e: unknown) => session.hookFailed(e));
  }
}
