// A raw client for wire tests (plain TCP or TLS, as the test's transport says), driven step by step: write, wait for
// bytes or responses, watch for the close.
import type { Socket } from 'node:net';
import { countCompleteResponses, parseResponses, type ParsedResponse } from './responses.js';
import { connectClient, transportKind } from './transport.js';

/** A raw TCP client driven step by step: write, wait for bytes, watch for the server's close. */
export class RawClient {
  // A growable buffer (capacity doubles), so collecting n bytes copies each byte about twice, not n times.
  private store: Buffer = Buffer.alloc(0);
  private length = 0;
  /** Set once the server closed (FIN or reset). */
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      if (this.length + d.length > this.store.length) {
        const grown = Buffer.allocUnsafe(Math.max(this.store.length * 2, this.length + d.length, 64 * 1024));
        this.store.copy(grown, 0, 0, this.length);
        this.store = grown;
      }
      d.copy(this.store, this.length);
      this.length += d.length;
      this.wake();
    });
    const onGone = (): void => {
      this.closed = true;
      this.wake();
    };
    socket.on('end', onGone);
    socket.on('close', onGone);
    socket.on('error', onGone);
  }

  /** Everything received so far (a view of the bytes at the time of the call). */
  get received(): Buffer {
    return this.store.subarray(0, this.length);
  }

  /** Connects to 127.0.0.1:port (over TLS: once the handshake is done). */
  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connectClient(port);
      socket.once(transportKind() === 'tls' ? 'secureConnect' : 'connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes bytes (ignored once the socket is gone). */
  write(data: string | Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Resolves with everything received once `until(received)` holds; rejects after timeoutMs or at close without it. */
  read(until: (data: Buffer) => boolean, timeoutMs = 5000): Promise<Buffer> {
    return this.wait(() => until(this.received), timeoutMs, 'bytes').then(() => this.received);
  }

  /** Resolves once `n` complete responses have arrived (parsed with parseResponses). */
  async readResponses(n: number, options: { headRequests?: number; timeoutMs?: number } = {}): Promise<ParsedResponse[]> {
    await this.read((d) => countCompleteResponses(d, options.headRequests ?? 0) >= n, options.timeoutMs);
    return parseResponses(this.received, { headRequests: options.headRequests ?? 0 });
  }

  /** Resolves true once the server has closed the connection, false if it stays open for timeoutMs. */
  whenClosed(timeoutMs = 5000): Promise<boolean> {
    return this.wait(() => this.closed, timeoutMs, 'close').then(() => true, () => false);
  }

  /** Half-closes our side. */
  end(): void {
    this.socket.end();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private wait(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (ready()) {
          clearTimeout(timer);
          resolve();
          return true;
        }
        if (this.closed) {
          clearTimeout(timer);
          reject(new Error(`connection closed while waiting for ${what}; got ${JSON.stringify(this.received.toString('latin1').slice(0, 300))}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received.toString('latin1').slice(0, 300))}`));
      }, timeoutMs);
      const waiter = (): void => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      if (!check()) this.waiters.push(waiter);
    });
  }

  private wake(): void {
    for (const w of this.waiters.slice()) w();
  }
}

/** Runs fn with a connected RawClient and always destroys it afterwards. */
export async function withClient<T>(port: number, fn: (client: RawClient) => Promise<T>): Promise<T> {
  const client = await RawClient.open(port);
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}
