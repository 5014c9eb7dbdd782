// The socket an app holds (Bun's ServerWebSocket): send, close, ping, pub/sub and its `data`. A thin face over the
// session, so the app sees methods, not the session's internals. Key decision: the face names the few session members
// it calls (SocketSession) instead of importing Session, so options -> websocket -> session -> options is no cycle.
import { OP_PING, OP_PONG } from './frame.js';
import type { MessageData } from './outgoing.js';
import type { Subscriber, Topics } from './topics.js';

/** What a ServerWebSocket asks of its session (session.ts implements it). */
export interface SocketSession extends Subscriber {
  /** 1 open, 2 closing, 3 closed. */
  readonly state: number;
  readonly remoteAddress: string | null;
  /** The selected subprotocol, '' for none. */
  readonly protocol: string;
  /** The negotiated permessage-deflate, or null. */
  readonly deflate: { readonly response: string } | null;
  readonly io: { readonly bufferedAmount: number };
  readonly settings: { readonly topics: Topics; readonly publishToSelf: boolean };
  send(data: MessageData, compress: boolean): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  sendControl(opcode: typeof OP_PING | typeof OP_PONG, data: MessageData | undefined): number;
  isSubscribed(topic: string): boolean;
  subscriptions(): string[];
}

/** How send() may be asked to compress: Bun's boolean, or the issue's `{ compress }`. */
export type SendOptions = boolean | { readonly compress?: boolean };

function compressOf(options: SendOptions | undefined): boolean {
  return typeof options === 'object' ? options.compress === true : options === true;
}

/** One open WebSocket on the server. */
export class ServerWebSocket<T = undefined> {
  /** The app's own per-socket value, given at upgrade time. */
  data: T;
  readonly #session: SocketSession;

  /** Made by the session when a connection is upgraded; apps never construct one. */
  constructor(session: SocketSession, data: T) {
    this.#session = session;
    this.data = data;
  }

  /** 1 open, 2 closing (our close frame went, waiting for the peer's), 3 closed. */
  get readyState(): 1 | 2 | 3 {
    return this.#session.state as 1 | 2 | 3;
  }

  /** The peer's address ('ip:port'), or null when unknown. */
  get remoteAddress(): string | null {
    return this.#session.remoteAddress;
  }

  /** The subprotocol selected at the handshake, '' for none. */
  get protocol(): string {
    return this.#session.protocol;
  }

  /** The negotiated extensions (the Sec-WebSocket-Extensions response value), '' for none. */
  get extensions(): string {
    return this.#session.deflate?.response ?? '';
  }

  /** Bytes queued for this socket that the kernel has not taken yet. */
  get bufferedAmount(): number {
    return this.#session.io.bufferedAmount;
  }

  /**
   * Sends a message: text for a string, binary for bytes. Returns the bytes sent, -1 when it was queued behind
   * backpressure (the drain hook follows), or 0 when it was dropped (over maxBackpressure, or the socket is closing).
   * Bytes may be queued by reference: do not change them after sending.
   */
  send(data: MessageData, options?: SendOptions): number {
    return this.#session.send(data, compressOf(options));
  }

  /** Sends a text message. */
  sendText(data: string, options?: SendOptions): number {
    return this.#session.send(data, compressOf(options));
  }

  /** Sends a binary message (a string goes as its UTF-8 bytes). */
  sendBinary(data: MessageData, options?: SendOptions): number {
    return this.#session.send(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, compressOf(options));
  }

  /** Starts the closing handshake (RFC 6455 §7.1.2); with no code the close frame is empty. */
  close(code?: number, reason?: string): void {
    this.#session.close(code, reason);
  }

  /** Closes the connection at once, without a closing handshake (the close hook gets 1006). */
  terminate(): void {
    this.#session.terminate();
  }

  /** Sends a ping with up to 125 bytes of data; the result follows send(). */
  ping(data?: MessageData): number {
    return this.#session.sendControl(OP_PING, data);
  }

  /** Sends an unsolicited pong (a heartbeat, RFC 6455 §5.5.3); the result follows send(). */
  pong(data?: MessageData): number {
    return this.#session.sendControl(OP_PONG, data);
  }

  /** Subscribes this socket to `topic`. */
  subscribe(topic: string): void {
    if (this.#session.state !== 3) this.#session.settings.topics.subscribe(topic, this.#session);
  }

  /** Unsubscribes this socket from `topic`; whether it was subscribed. */
  unsubscribe(topic: string): boolean {
    return this.#session.settings.topics.unsubscribe(topic, this.#session);
  }

  /** Whether this socket is subscribed to `topic`. */
  isSubscribed(topic: string): boolean {
    return this.#session.isSubscribed(topic);
  }

  /** The topics this socket is subscribed to. */
  get subscriptions(): string[] {
    return this.#session.subscriptions();
  }

  /**
   * Sends to every subscriber of `topic` (this socket too only with publishToSelf), framed once. Returns the
   * payload's byte length when a subscriber took it, else 0.
   */
  publish(topic: string, data: MessageData, options?: SendOptions): number {
    const s = this.#session;
    return s.settings.topics.publish(topic, data, compressOf(options), s.settings.publishToSelf ? null : s);
  }
}
