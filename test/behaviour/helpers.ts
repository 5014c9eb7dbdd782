// Real-socket test helpers: a server on an ephemeral port, a raw client, and a small response parser. Server and
// clients speak the transport of the test they run in (transport.ts): plain TCP, or TLS.
import type { Socket } from 'node:net';
import { serve, type Application, type Server, type Settings } from '../../src/index.js';
import { connectClient, serverTls } from './transport.js';

/** Runs fn with a server listening on 127.0.0.1:<ephemeral> (over the test's transport), then closes it. */
export async function withServer<T>(app: Application, settings: Partial<Settings>, fn: (port: number, server: Server) => Promise<T>): Promise<T> {
  const server = serve({ host: '127.0.0.1', port: 0, onException: () => {}, tls: serverTls(), ...settings }, app);
  try {
    return await fn(server.port, server);
  } finally {
    await server.close();
  }
}

/** What a raw exchange saw: every byte received, and whether the server closed the connection. */
export interface Exchange {
  data: Buffer;
  closed: boolean;
}

/** Options for rawExchange. */
export interface ExchangeOptions {
  /** Pause between writes of the pieces (ms). */
  delayMs?: number;
  /** Give up waiting for the close after this long (ms); `closed` is then false. */
  timeoutMs?: number;
  /** Stop as soon as the received bytes satisfy this. */
  until?: (data: Buffer) => boolean;
  /** Half-close our side after writing. */
  end?: boolean;
}

/** Opens a connection, writes the pieces in order, and collects everything until the server closes (or a stop rule). */
export function rawExchange(port: number, pieces: Array<string | Uint8Array> | string | Uint8Array, options: ExchangeOptions = {}): Promise<Exchange> {
  const list = Array.isArray(pieces) ? pieces : [pieces];
  return new Promise((resolve, reject) => {
    const socket: Socket = connectClient(port);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 5000);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (options.until?.(Buffer.concat(chunks))) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') finish(true);
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(e);
      }
    });
    socket.on('connect', async () => {
      for (let i = 0; i < list.length; i++) {
        if (socket.destroyed) return;
        socket.write(list[i]!);
        if (options.delayMs !== undefined && i < list.length - 1) await new Promise((r) => setTimeout(r, options.delayMs));
      }
      if (options.end === true) socket.end();
    });
  });
}

/** A GET request with a Host header. */
export function get(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;
}

/** Resolves after `ms` (to let a server act; never used as an assertion). */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ** Re-exported so tests import everything from one place
export { RawClient, withClient } from './raw-client.js';
export { connectClient, httpAgent, httpRequest, serverTls, testCa, transportKind, type TransportKind } from './transport.js';
export { countCompleteResponses, parseResponses, type ParsedResponse } from './responses.js';
