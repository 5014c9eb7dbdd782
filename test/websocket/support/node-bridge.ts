// A stand-in for the engine's upgrade hand-off, for interop tests before the engine has one: node:http's 'upgrade'
// event feeds tryUpgrade(), and a net.Socket is wrapped as UpgradedIO (input Source, corked writes, drain, idle
// timeout, close/destroy). Phase 2 replaces this with Sluice's own server; the tests keep their shape.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ResumableSource, Source, Stage, suspend, type Done, type Suspend } from '../../../src/conduit/index.js';
import { tryUpgrade, type UpgradedIO, type UpgradeOptions, type WebSocketHandler } from '../../../src/websocket/index.js';
import { refusalResponse } from '../../../src/websocket/handshake.js';

const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;

/** UpgradedIO over a net.Socket; `head` is what node read past the request head. */
class SocketIO implements UpgradedIO {
  readonly input: ResumableSource<Uint8Array>;
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly closer = new AbortController();
  private onIdle: (() => void) | null = null;

  constructor(private readonly socket: Socket, head: Buffer, readonly shutdown: AbortSignal, readonly errors: unknown[]) {
    if (head.length > 0) this.chunks.push(Buffer.from(head));
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.wakeReader();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wakeReader();
    });
    socket.on('error', (e) => {
      this.failure = e;
      this.wakeReader();
    });
    socket.on('close', () => {
      this.ended = true;
      this.closer.abort();
      this.wakeReader();
    });
    socket.on('timeout', () => {
      const f = this.onIdle;
      this.onIdle = null;
      socket.setTimeout(0);
      f?.();
    });
    socket.setNoDelay(true);
    this.input = ResumableSource.from(new Source(() => new SocketStage(this)));
  }

  read(): Uint8Array | Done | Suspend {
    if (this.chunks.length > 0) return this.chunks.shift()!;
    if (this.failure !== null) throw this.failure;
    if (this.ended) return DONE;
    return suspend(new Promise<void>((resolve) => (this.wake = resolve)));
  }

  private wakeReader(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  flush(): void {}

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  whenDrained(): Promise<void> | null {
    if (this.socket.writableLength === 0) return null;
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  setIdleTimeout(ms: number, onIdle: () => void): void {
    this.onIdle = ms > 0 ? onIdle : null;
    this.socket.setTimeout(Math.max(ms, 0));
  }

  close(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  reportError(error: unknown): void {
    this.errors.push(error);
  }

  get signal(): AbortSignal {
    return this.closer.signal;
  }
}

class SocketStage extends Stage<Uint8Array, void> {
  constructor(private readonly io: SocketIO) {
    super(null);
  }
  pull(): Uint8Array | Done | Suspend {
    return this.io.read();
  }
}

/** A listening bridge server. */
export interface Bridge {
  readonly url: string;
  readonly port: number;
  /** Hook errors reported through UpgradedIO. */
  readonly errors: unknown[];
  /** Sessions still running. */
  running(): number;
  /** Starts the graceful shutdown (1001 to every socket) and resolves when every session ended. */
  shutdown(): Promise<void>;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at a free port; `options` is called per request for the upgrade options. */
export async function serveBridge<T>(handler: WebSocketHandler<T>, options: (req: IncomingMessage) => UpgradeOptions<T> = () => ({})): Promise<Bridge> {
  const errors: unknown[] = [];
  const stopping = new AbortController();
  const sessions = new Set<Promise<void>>();
  const server: Server = createServer((_req, res) => res.writeHead(426, { upgrade: 'websocket' }).end());
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const view = {
      method: req.method ?? '',
      httpVersion: req.httpVersion === '1.0' ? '1.0' as const : '1.1' as const,
      header: (name: string): string | undefined => {
        const v = req.headersDistinct[name.toLowerCase()];
        return v === undefined ? undefined : v.join(', ');
      },
      remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
    };
    const up = tryUpgrade(view, handler, options(req));
    if (up.kind === 'refuse') {
      const r = refusalResponse(up.code);
      const body = r.kind === 'bytes' ? Buffer.from(r.body) : Buffer.alloc(0);
      const fields = Object.entries(r.headers).map(([k, v]) => `${k}: ${String(v)}\r\n`).join('');
      socket.end(`HTTP/1.1 ${r.status} x\r\n${fields}content-length: ${body.length}\r\nconnection: close\r\n\r\n${body.toString()}`);
      return;
    }
    const fields = Object.entries(up.headers).map(([k, v]) => `${k}: ${String(v)}\r\n`).join('');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\n${fields}\r\n`);
    const run = up.run(new SocketIO(socket, head, stopping.signal, errors)).finally(() => sessions.delete(run));
    sessions.add(run);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    errors,
    running: () => sessions.size,
    shutdown: async () => {
      stopping.abort();
      await Promise.all([...sessions]);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
