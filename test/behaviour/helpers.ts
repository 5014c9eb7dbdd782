// Real-socket test helpers: a server on an ephemeral port, a raw TCP client, and a small response parser.
import { connect, type Socket } from 'node:net';
import { serve, type Application, type Server, type Settings } from '../../src/index.js';

/** Runs fn with a server listening on 127.0.0.1:<ephemeral>, then closes it. */
export async function withServer<T>(app: Application, settings: Partial<Settings>, fn: (port: number, server: Server) => Promise<T>): Promise<T> {
  const server = serve({ host: '127.0.0.1', port: 0, onException: () => {}, ...settings }, app);
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
    const socket: Socket = connect(port, '127.0.0.1');
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

/** One parsed response. */
export interface ParsedResponse {
  status: number;
  /** Lower-case names; repeated fields joined with ', '; absent names are undefined. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Parses back-to-back HTTP/1.1 responses (Content-Length, chunked, or to the end). Enough for tests. */
export function parseResponses(data: Buffer, options: { headRequests?: number } = {}): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let p = 0;
  let heads = options.headRequests ?? 0;
  while (p < data.length) {
    const end = data.indexOf('\r\n\r\n', p, 'latin1');
    if (end < 0) throw new Error(`incomplete head at ${p}: ${JSON.stringify(data.subarray(p, p + 80).toString('latin1'))}`);
    const lines = data.subarray(p, end).toString('latin1').split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers: Record<string, string | undefined> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      const name = line.slice(0, i).toLowerCase();
      const value = line.slice(i + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    p = end + 4;
    let body: Buffer;
    const noBody = status < 200 || status === 204 || status === 304 || heads > 0;
    if (heads > 0) heads--;
    if (noBody) body = Buffer.alloc(0);
    else if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const le = data.indexOf('\r\n', p, 'latin1');
        const size = le < 0 ? NaN : parseInt(data.subarray(p, le).toString('latin1'), 16);
        // A truncated or malformed chunked body: report it rather than loop.
        if (!Number.isInteger(size) || size < 0 || le + 2 + size > data.length) {
          throw new Error(`incomplete chunked body at ${p}: ${JSON.stringify(data.subarray(p, p + 80).toString('latin1'))}`);
        }
        p = le + 2;
        if (size === 0) {
          // The trailer section (usually empty) ends with an empty line.
          const end = data[p] === 13 && data[p + 1] === 10 ? p : data.indexOf('\r\n\r\n', p, 'latin1') + 2;
          if (end < p) throw new Error(`incomplete trailer section at ${p}`);
          p = end + 2;
          break;
        }
        parts.push(data.subarray(p, p + size));
        p += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      body = data.subarray(p, p + n);
      p += n;
    } else {
      body = data.subarray(p);
      p = data.length;
    }
    out.push({ status, headers, body });
  }
  return out;
}

/** A GET request with a Host header. */
export function get(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;
}

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

  /** Connects to 127.0.0.1:port. */
  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawClient(socket)));
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

/** How many complete responses `data` holds (a partial last one is not counted). */
export function countCompleteResponses(data: Buffer, headRequests = 0): number {
  let n = 0;
  let p = 0;
  let heads = headRequests;
  while (p < data.length) {
    const end = data.indexOf('\r\n\r\n', p, 'latin1');
    if (end < 0) return n;
    const head = data.subarray(p, end).toString('latin1').toLowerCase();
    const status = Number(head.slice(9, 12));
    p = end + 4;
    const noBody = status < 200 || status === 204 || status === 304 || heads > 0;
    if (heads > 0) heads--;
    if (!noBody) {
      const cl = /\r\ncontent-length: *(\d+)/.exec(head);
      if (/\r\ntransfer-encoding: *chunked/.test(head)) {
        const last = data.indexOf('\r\n0\r\n\r\n', p - 2, 'latin1');
        if (last < 0) return n;
        p = last + 7;
      } else if (cl !== null) {
        p += Number(cl[1]);
        if (p > data.length) return n;
      } else return n; // close-delimited: never complete while open
    }
    n++;
  }
  return n;
}

/** Resolves after `ms` (to let a server act; never used as an assertion). */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
