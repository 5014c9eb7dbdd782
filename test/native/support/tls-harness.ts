// Drives the addon's TLS directly, as a small JS loop would: TLS listeners, node:tls clients, and a per-fd writer
// that keeps unsent bytes and resubmits them on EV_WRITABLE (the contract send/flush keep on TLS connections).
import type { TestFn } from 'ava';
import { once } from 'node:events';
import { connect as connectTcp, createServer, type AddressInfo, type Socket } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { constants } from 'node:os';
import { EV_DATA, EV_EOF, EV_ERROR, EV_WRITABLE } from '../../../src/native/index.js';
import type { EventHub, HubEvent } from './event-hub.js';
import { testPki, type Issued } from './test-pki.js';

const { EAGAIN } = constants.errno;

/** A TLS listener on 127.0.0.1 with its port. */
export interface TlsListener {
  fd: number;
  port: number;
}

/** Listens on an ephemeral port and accepts with TLS context `context`. */
export function listenTls(hub: EventHub, context: number, preludeTimeoutMs?: number): TlsListener {
  const fd = hub.native.listen('127.0.0.1', 0, 0, false);
  if (fd < 0) throw new Error(`listen ${fd}`);
  const r = hub.native.startAccepting(fd, context, preludeTimeoutMs);
  if (r !== 0) throw new Error(`startAccepting ${r}`);
  return { fd, port: hub.native.localPort(fd) };
}

/** A test file's TLS listener, with the context it accepts with. */
export interface TlsFixture {
  context: number;
  listener: TlsListener;
}

/** A context (the localhost leaf plus `extra` options) and a listener for the whole test file, closed after it. */
export function useTlsListener(test: TestFn, hub: EventHub, extra: Record<string, unknown> = {}, preludeTimeoutMs?: number): TlsFixture {
  const context = createContext(hub, localhostLeaf(), extra);
  const listener = listenTls(hub, context, preludeTimeoutMs);
  test.after.always(() => {
    hub.native.close(listener.fd);
    hub.native.freeTlsContext(context);
  });
  return { context, listener };
}

/** A context for `leaf` (default: a P-256 localhost certificate signed by the test root). */
export function createContext(hub: EventHub, leaf: Issued = localhostLeaf(), extra: Record<string, unknown> = {}): number {
  return hub.native.createTlsContext({ cert: leaf.cert, key: leaf.key, ...extra });
}

let localhost: Issued | null = null;

/** The default test leaf (localhost, 127.0.0.1). */
export function localhostLeaf(): Issued {
  localhost ??= testPki().leaf(['localhost']);
  return localhost;
}

/** A node:tls client that trusts the test root; resolves once its handshake is done. */
export async function connectTls(port: number, options: ConnectionOptions = {}): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port, ca: testPki().root.cert, servername: 'localhost', ...options });
  await once(socket, 'secureConnect');
  return socket;
}

/** A raw TCP client (for bytes that are not TLS). */
export async function connectRaw(port: number): Promise<Socket> {
  const socket = connectTcp({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** Collects everything a socket receives until it ends or closes. */
export function collect(socket: Socket): Promise<{ data: Buffer; error: Error | null }> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    let error: Error | null = null;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (e) => {
      error = e;
    });
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), error }));
  });
}

/** Per-fd record handlers over the hub (one onRecord dispatcher for the test file). */
export class Dispatcher {
  private readonly handlers = new Map<number, (event: HubEvent) => void>();

  constructor(hub: EventHub) {
    hub.onRecord = (event) => this.handlers.get(event.fd)?.(event);
  }

  on(fd: number, handler: (event: HubEvent) => void): void {
    this.handlers.set(fd, handler);
  }

  off(fd: number): void {
    this.handlers.delete(fd);
  }
}

/** Writes to one fd in order; keeps what the socket did not take and resubmits it on EV_WRITABLE. */
export class Writer {
  private backlog: Buffer[] = [];
  private drainedWaiters: Array<() => void> = [];
  /** Every send result, for tests that want to see short writes happen. */
  readonly results: number[] = [];
  error = 0;

  constructor(
    private readonly hub: EventHub,
    readonly fd: number,
  ) {}

  /** Queues bytes; sends now unless older bytes are waiting. */
  write(bytes: Uint8Array): void {
    this.backlog.push(Buffer.from(bytes));
    if (this.backlog.length === 1) this.pump();
  }

  /** Resolves once everything written so far has been taken by the kernel. */
  drained(): Promise<void> {
    if (this.backlog.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  /** Call with the fd's EV_WRITABLE records. */
  onWritable(): void {
    this.pump();
  }

  get queued(): number {
    return this.backlog.reduce((sum, b) => sum + b.length, 0);
  }

  private pump(): void {
    while (this.backlog.length > 0) {
      const head = this.backlog[0]!;
      const n = this.hub.native.send(this.fd, head, 0, head.length, false);
      this.results.push(n);
      if (n === head.length) {
        this.backlog.shift();
        continue;
      }
      if (n >= 0 || n === -EAGAIN) {
        if (n > 0) this.backlog[0] = head.subarray(n);
        this.hub.native.wantWritable(this.fd);
        return;
      }
      this.error = n;
      this.backlog = [];
    }
    for (const resolve of this.drainedWaiters.splice(0)) resolve();
  }
}

/** Echoes everything received on fd back to it; after EV_EOF, half-closes once the echo is out. */
export function echo(hub: EventHub, dispatcher: Dispatcher, fd: number): { writer: Writer; ended: Promise<number> } {
  const writer = new Writer(hub, fd);
  let resolveEnded: (kind: number) => void = () => {};
  const ended = new Promise<number>((resolve) => {
    resolveEnded = resolve;
  });
  dispatcher.on(fd, (event) => {
    if (event.kind === EV_DATA && event.data !== null) writer.write(event.data);
    else if (event.kind === EV_WRITABLE) writer.onWritable();
    else if (event.kind === EV_EOF || event.kind === EV_ERROR) {
      void writer.drained().then(() => resolveEnded(event.kind));
    }
  });
  return { writer, ended };
}

/** One TLS record header seen on the wire: content type and length. */
export interface WireRecord {
  type: number;
  length: number;
}

/** A TCP relay to `port` that parses the TLS records the server sends (to see alerts and close_notify on the wire). */
export async function tapServer(port: number): Promise<{ port: number; fromServer: WireRecord[]; serverEnded: Promise<void>; close: () => Promise<void> }> {
  const fromServer: WireRecord[] = [];
  let resolveEnded: () => void = () => {};
  const serverEnded = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connectTcp({ host: '127.0.0.1', port });
    sockets.push(client, upstream);
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 5 + pending.readUInt16BE(3)) {
        fromServer.push({ type: pending[0]!, length: pending.readUInt16BE(3) });
        pending = pending.subarray(5 + pending.readUInt16BE(3));
      }
    });
    upstream.on('end', () => resolveEnded());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  };
  return { port: address.port, fromServer, serverEnded, close };
}
