// One WebSocket from the 101 to the end: bytes arrive through the frame copier and the receiver, messages go to the
// handler's hooks, frames go out through UpgradedIO, and the closing handshake (RFC 6455 §7), idle pings and server
// shutdown run here. Key decisions: hooks are called synchronously in arrival order and never awaited (as in Bun and
// uWebSockets.js); an idle socket is this object and its face only. The session is its own UpgradedListener and
// ReceiveCopier (no closure, promise or helper object per socket), and it holds a receiver or copier only while a
// frame is cut off between receives (memory per idle WebSocket).
import type { Done } from '../conduit/index.js';
import type { ChunkSink, ReceiveCopier, UpgradedIO, UpgradedListener } from '../server/index.js';
import { CloseCodes, encodeClosePayload, WebSocketError, type CloseFrame } from './close.js';
import type { DeflateParams } from './extensions.js';
import { keepCopier, takeCopier, type FrameCopier } from './frame-copier.js';
import { beginLend, endLend } from './frame-pool.js';
import { OP_CLOSE, OP_PING, OP_PONG } from './frame.js';
import { CLOSE_WAIT_MS, pingMargin, type Settings, type WebSocketHandler } from './options.js';
import { encodeFrame, type MessageData, type PreparedMessage } from './outgoing.js';
import { MessageDecompressor, type MessageCompressor } from './permessage-deflate.js';
import { keepReceiver, takeReceiver, type Received, type Receiver } from './receiver.js';
import { closeWriter, deliverMessage, sendControl, sendMessage, writeFrame, type WriterHost } from './socket-writer.js';
import { ServerWebSocket, type SocketSession } from './websocket.js';

export { pingMargin } from './options.js';

const EMPTY = new Uint8Array(0);
const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;

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

/** The state of one socket; ServerWebSocket is its public face. */
export class Session<T> implements SocketSession, WriterHost, UpgradedListener, ReceiveCopier {
  state = OPEN;
  /** A ping went out for the idle timeout and nothing has arrived since. */
  private pingOutstanding = false;
  draining = false;
  /** The topics this socket is in, made at its first subscribe (an idle socket without topics holds no Set). */
  private topicSet: Set<string> | null = null;
  readonly ws: ServerWebSocket<T>;
  readonly protocol: string;
  readonly deflate: DeflateParams | null;
  compressor: MessageCompressor | null = null;
  private readonly decompressor: MessageDecompressor | null;
  /**
   * The close frame that ends the session: ours (the app's, shutdown's 1001, or a failure's code) until the peer's
   * arrives, which wins; or 1006 and why the connection ended without one.
   */
  private closeFrame: CloseFrame | null = null;
  private address: string | null | undefined = undefined;
  /** The receiver and the copier, held only while a frame is cut off between receives (else the shared spares). */
  private receiver: Receiver | null = null;
  private copier: FrameCopier | null = null;
  /** Settles run()'s promise once the session has ended (start() makes none). */
  private done: (() => void) | null = null;

  constructor(
    readonly io: UpgradedIO,
    private readonly handler: WebSocketHandler<T>,
    readonly settings: Settings,
    init: SessionInit<T>,
  ) {
    const d = init.deflate;
    this.protocol = init.protocol;
    this.deflate = d;
    this.decompressor = d !== null ? new MessageDecompressor(d.clientWindowBits, d.clientContextTakeover) : null;
    this.ws = new ServerWebSocket(this, init.data);
  }

  /** Serves the socket; the connection is closed when it ends (io.close, or destroy). */
  start(): void {
    const io = this.io;
    this.armIdle();
    io.onShutdown = this;
    this.callHook(this.handler.open);
    if (io.shuttingDown) this.shutdown();
    // Large frames are copied once, whole, out of the receive buffer (frame-copier.ts).
    io.receiveWith(this);
    this.readable();
  }

  /** Serves the socket until it is closed; never rejects (app errors go to io.reportError). */
  run(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.done = resolve;
      this.start();
    });
  }

  /** Reads everything that has arrived, hands it to the hooks, then waits for more or ends (UpgradedListener). */
  readable(): void {
    const io = this.io;
    const rx = this.receiver ?? takeReceiver(this.settings.maxPayloadLength, this.decompressor, this.settings.reuseMessageBuffers);
    this.receiver = null;
    try {
      while (this.state !== CLOSED) {
        const x = rx.next();
        if (x !== null) {
          if (rx.lent) this.receiveLent(rx, x as Buffer);
          else this.receive(x);
          continue;
        }
        const chunk = io.read();
        if (chunk === null) {
          this.receiver = keepReceiver(rx);
          return io.waitReadable(this);
        }
        if (chunk === DONE) break;
        rx.feed(chunk);
      }
    } catch (e) {
      return this.ended(e);
    }
    this.ended(null);
  }

  /**
   * A binary message lent to the hook (reuseMessageBuffers): its buffer may be reused afterwards unless this socket
   * queued bytes (they may be the message's) or the message went to other sockets.
   */
  private receiveLent(rx: Receiver, message: Buffer): void {
    beginLend(message, this);
    try {
      this.receive(message);
    } finally {
      rx.settleLent(endLend() || this.io.bufferedAmount > 0);
    }
  }

  /** Copies received bytes out of the engine's receive buffer (ReceiveCopier; see frame-copier.ts). */
  copy(src: Buffer, at: number, end: number, sink: ChunkSink): void {
    const c = this.copier ?? takeCopier(this.settings.maxPayloadLength);
    this.copier = null;
    c.copy(src, at, end, sink);
    this.copier = keepCopier(c);
  }

  /** Reading is over: a protocol error fails the connection, any other error ends it with 1006. */
  private ended(error: unknown): void {
    if (error instanceof WebSocketError) this.fail(error.closeCode, error.message);
    else if (error !== null) this.abnormal(error instanceof Error ? error.message : String(error));
    this.finish();
  }

  /** One received message or control frame. */
  private receive(x: Received): void {
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
      writeFrame(this.io, encodeFrame(OP_PONG, x.data, false));
      this.callHook(this.handler.ping, x.data);
    } else this.callHook(this.handler.pong, x.data);
  }

  private peerClosed(frame: CloseFrame): void {
    this.closeFrame = frame;
    if (this.state === OPEN) {
      // RFC 6455 §5.5.1: answer with a close frame echoing the code (none when the peer sent none).
      const code = frame.code === CloseCodes.NO_STATUS ? undefined : frame.code;
      writeFrame(this.io, encodeFrame(OP_CLOSE, encodeClosePayload(code), false));
    }
    // RFC 6455 §7.1.1: the server closes the TCP connection first.
    this.state = CLOSED;
    this.io.close();
  }

  /** Fails the connection (RFC 6455 §7.1.7): a close frame with `code` unless one went already, then the socket. */
  fail(code: number, reason: string): void {
    if (this.state === CLOSED) return;
    if (this.state === OPEN) writeFrame(this.io, encodeFrame(OP_CLOSE, encodeClosePayload(code, reason), false));
    this.closeFrame = { code, reason };
    this.state = CLOSED;
    this.io.close();
  }

  /** The app's close: starts the closing handshake and waits for the peer's close frame (up to the margin). */
  close(code?: number, reason?: string): void {
    if (this.state !== OPEN) return;
    const payload = encodeClosePayload(code, reason);
    writeFrame(this.io, encodeFrame(OP_CLOSE, payload, false));
    this.closeFrame = { code: code ?? CloseCodes.NO_STATUS, reason: reason ?? '' };
    this.state = CLOSING;
    this.io.setIdleTimeout(this.margin, this);
  }

  /** Closes the socket now, without a closing handshake. */
  terminate(reason = 'terminated'): void {
    if (this.state === CLOSED) return;
    this.abnormal(reason);
    this.state = CLOSED;
    this.io.destroy();
  }

  /** The connection ends without close frames: reported with 1006 and `reason`, unless a close frame went already. */
  private abnormal(reason: string): void {
    this.closeFrame ??= { code: CloseCodes.ABNORMAL, reason };
  }

  /** The idle deadline passed (UpgradedListener): ping once, then close. */
  idle(): void {
    if (this.state === OPEN && this.settings.sendPings && !this.pingOutstanding) {
      this.pingOutstanding = true;
      writeFrame(this.io, encodeFrame(OP_PING, EMPTY, false));
      this.io.setIdleTimeout(this.margin, this);
      return;
    }
    this.terminate(this.state === CLOSING ? 'closing handshake timed out' : 'idle timeout');
  }

  /** The server began a graceful shutdown (UpgradedListener): close with 1001. */
  shutdown(): void {
    this.close(CloseCodes.GOING_AWAY, 'server shutting down');
  }

  /** How long a ping may go unanswered, and a closing handshake may take. */
  private get margin(): number {
    const ms = this.settings.idleTimeoutMs;
    return ms > 0 ? pingMargin(ms) : CLOSE_WAIT_MS;
  }

  private armIdle(): void {
    const ms = this.settings.idleTimeoutMs;
    if (ms > 0) this.io.setIdleTimeout(this.settings.sendPings ? ms - this.margin : ms, this);
  }

  /** Ends the session once reading has stopped: the close hook runs once, then subscriptions and zlib go. */
  private finish(): void {
    this.state = CLOSED;
    const io = this.io;
    io.setIdleTimeout(0, this);
    io.onShutdown = null;
    io.receiveWith(null);
    io.close();
    const end = this.closeFrame ?? { code: CloseCodes.ABNORMAL, reason: 'connection closed' };
    this.callHook(this.handler.close, end.code, end.reason);
    if (this.topicSet !== null) this.settings.topics.unsubscribeAll(this);
    closeWriter(this);
    this.decompressor?.close();
    this.receiver = null;
    this.copier = null;
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

  /** Sends one message (see sendMessage). */
  send(data: MessageData, compress: boolean): number {
    return sendMessage(this, data, compress);
  }

  /** Sends a published message (Subscriber). */
  deliver(m: PreparedMessage): number {
    return deliverMessage(this, m);
  }

  /** An app's ping or pong. */
  sendControl(opcode: typeof OP_PING | typeof OP_PONG, data: MessageData | undefined): number {
    return sendControl(this, opcode, data);
  }

  /** Whether messages may still be sent (WriterHost). */
  get sending(): boolean {
    return this.state === OPEN;
  }

  /** The backlog has drained (WriterHost). */
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
