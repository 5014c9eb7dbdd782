// Real-socket helpers for the fetch adapter's tests: a serve({ fetch }) server on an ephemeral port, and a raw
// HTTP/1.1 exchange for what a fetch client hides (framing fields, reason phrases, the connection staying open).
import { connect, type Socket } from 'node:net';
import { serve, type FetchServeOptions, type Server } from '../../src/index.js';

/** Runs fn against a one-argument serve() on 127.0.0.1:<ephemeral>, then closes the server. */
export async function withFetchServer<T>(
  options: FetchServeOptions | FetchServeOptions['fetch'],
  fn: (base: string, server: Server) => Promise<T>,
): Promise<T> {
  const o: FetchServeOptions = typeof options === 'function' ? { fetch: options } : options;
  const server = serve({ hostname: '127.0.0.1', port: 0, onException: () => {}, ...o });
  try {
    return await fn(`http://127.0.0.1:${server.port}`, server);
  } finally {
    await server.close();
  }
}

/** One parsed HTTP/1.1 response: status line parts, fields in order (lower-case names), and the raw body bytes. */
export interface RawResponse {
  status: number;
  reason: string;
  fields: Array<[string, string]>;
  body: Buffer;
  /** The value of one field (first occurrence), or undefined. */
  get(name: string): string | undefined;
  /** Every value of one field, in order. */
  all(name: string): string[];
}

/** Parses one response head at the start of `data`; the body is everything after the head. */
export function parseRaw(data: Buffer): RawResponse {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete head in ${JSON.stringify(data.toString('latin1'))}`);
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.1 (\d{3}) ?(.*)$/.exec(statusLine!);
  if (m === null) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const fields = lines.map((l): [string, string] => {
    const colon = l.indexOf(':');
    return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()];
  });
  return {
    status: Number(m[1]), reason: m[2]!, fields, body: data.subarray(end + 4),
    get: (name) => fields.find(([n]) => n === name)?.[1],
    all: (name) => fields.filter(([n]) => n === name).map(([, v]) => v),
  };
}

/** A chunked body's payload. */
export function unchunk(body: Buffer): string {
  let out = '';
  let rest = body.toString('latin1');
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, line), 16);
    if (size === 0) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

/** A raw connection: write requests, read until a condition holds, see whether the server closed. */
export class RawConnection {
  private readonly socket: Socket;
  private buffered = Buffer.alloc(0);
  closed = false;
  private wake: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.wake?.();
    });
    const onClose = (): void => {
      this.closed = true;
      this.wake?.();
    };
    socket.on('close', onClose);
    socket.on('end', onClose);
    socket.on('error', onClose);
  }

  /** Opens a connection to 127.0.0.1:port. */
  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Waits until `done(bytes)` holds or the server closes; returns (and consumes) everything received so far. */
  async readUntil(done: (data: Buffer) => boolean, timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.buffered) && !this.closed) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.buffered.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    const out = this.buffered;
    this.buffered = Buffer.alloc(0);
    return out;
  }

  /** Reads one whole response framed by Content-Length (or a head only, for HEAD/204/304). */
  async readResponse(headOnly = false): Promise<RawResponse> {
    const data = await this.readUntil((d) => {
      const end = d.indexOf('\r\n\r\n');
      if (end < 0) return false;
      if (headOnly) return true;
      const length = /\r\ncontent-length: *(\d+)/i.exec(d.subarray(0, end).toString('latin1'));
      return length === null || d.length >= end + 4 + Number(length[1]);
    });
    return parseRaw(data);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Opens a raw connection to `base`'s port, runs fn, destroys it. */
export async function withRaw<T>(base: string, fn: (c: RawConnection) => Promise<T>): Promise<T> {
  const c = await RawConnection.open(Number(new URL(base).port));
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** A promise and the function that resolves it. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
