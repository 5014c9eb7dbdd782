// The per-process I/O core: one native event batch per loop turn in, one native flush of every corked response out.
// Responses produced in the same microtask wave share one send per connection (pipelining: 16 responses, 1 send).
// Key decision: a batch is taken in whole before any protocol loop runs: received bytes are queued on their
// connections, and the loops parked on those connections run afterwards from one ready list (no promise per wait).
import {
  EAGAIN, EV_ACCEPT, EV_ACCEPT_ERROR, EV_DATA, EV_EOF, EV_ERROR, EV_INOTIFY, EV_WRITABLE, EVENT_RECORD_INT32, loadNative, sysError,
  type NativeBinding,
} from '../native/index.js';
import type { Connection, ConnectionHost } from './connection.js';
import { CORK_MAX_WRITE, CorkWindow } from './cork.js';
import { beginBatch, endBatch } from './timeout.js';

const MAX_EVENTS = 4096;
const RECV_BUFFER_BYTES = 1024 * 1024;

/** Who receives accepted connections for a listening fd. */
export interface Listener {
  onAccept(fd: number): void;
  onAcceptError(error: Error): void;
}

/** How a listener accepts (all optional; the defaults accept plain TCP at once). */
export interface ListenOptions {
  /** A native TLS context id: connections are announced once their handshake is done. */
  readonly tlsContext?: number;
  /** The deadline for a connection's prelude (PROXY header, TLS handshake), ms. */
  readonly preludeTimeoutMs?: number;
  /** Require a PROXY v1/v2 header first (read natively; peerAddress then names the client). */
  readonly proxyProtocol?: boolean;
  /** With proxyProtocol: peers outside these ranges are closed at accept (empty: any). */
  readonly trustedProxies?: readonly string[];
  /** TCP_DEFER_ACCEPT: a connection is accepted only once its first bytes have arrived. */
  readonly deferAccept?: boolean;
  /** A plain connection is announced with its first bytes (native holds it until then, up to preludeTimeoutMs). */
  readonly holdSilent?: boolean;
}

/** The process's one event dispatcher over the native binding. */
export class Reactor implements ConnectionHost {
  private readonly conns: Array<Connection | undefined> = [];
  private readonly listeners = new Map<number, Listener>();
  private readonly events = new Int32Array(MAX_EVENTS * EVENT_RECORD_INT32);
  private readonly recvBuffer = Buffer.allocUnsafeSlow(RECV_BUFFER_BYTES);
  /** This wave's corked output and its one flush. */
  private readonly cork: CorkWindow;
  /** Connections whose parked loop (onReadable) runs after the current batch. */
  private readonly ready: Array<Connection | null> = [];
  /** Entries of `ready` in use. The array is never shrunk (a length write is a runtime call that trims the backing
   *  store, and the next batch then grows a new one): slots past readyCount hold null. */
  private readyCount = 0;
  /** Connections that queued a view of recvBuffer this batch (Connection.receive): settled when the batch ends. */
  private readonly borrowers: Array<Connection | null> = [];
  private borrowerCount = 0;
  private dispatching = false;
  private readyScheduled = false;
  private readonly runReadyTask = (): void => {
    this.readyScheduled = false;
    this.runReady();
  };
  /** Receives EV_INOTIFY records (the file caches' watch); they lead their batch, ahead of its requests. */
  inotify: ((wd: number, mask: number, nameAt: number, names: Uint8Array) => void) | null = null;

  constructor(readonly native: NativeBinding) {
    this.cork = new CorkWindow(native);
    native.init((count) => this.dispatch(count), this.events, this.recvBuffer);
  }

  /** Starts accepting on a listening fd. */
  listen(fd: number, listener: Listener, options: ListenOptions = {}): void {
    this.listeners.set(fd, listener);
    const r = this.native.startAccepting(fd, options.tlsContext, options.preludeTimeoutMs, options.proxyProtocol, options.trustedProxies, options.deferAccept, options.holdSilent);
    if (r < 0) throw sysError(r, 'listen');
  }

  /** Stops accepting on a listening fd and closes it. */
  unlisten(fd: number): void {
    if (!this.listeners.delete(fd)) return;
    this.native.stopAccepting(fd);
    this.native.close(fd);
  }

  /** Registers an accepted connection (its fd is already read-watched by native). */
  attach(conn: Connection): void {
    this.conns[conn.fd] = conn;
  }

  /** conn closes once its corked bytes are sent: the flush may close it natively, right behind them. */
  closeAfterFlush(): void {
    this.cork.closeAfterFlush();
  }

  /** Sends conn's corked bytes before its fd closes (an error response right before a close). */
  beforeClose(conn: Connection): void {
    if (conn.corkDesc >= 0) this.flush();
  }

  /** Forgets a closed connection; late events for its fd number are ignored. */
  detach(conn: Connection): void {
    if (this.conns[conn.fd] === conn) this.conns[conn.fd] = undefined;
    if (conn.corkDesc >= 0) this.cork.forget(conn);
    conn.corkDesc = -1;
  }

  /** Runs conn's parked loop after the current batch (or in a microtask when no batch is being dispatched). */
  markReady(conn: Connection): void {
    if (conn.ready) return;
    conn.ready = true;
    this.ready[this.readyCount++] = conn;
    if (!this.dispatching && !this.readyScheduled) {
      this.readyScheduled = true;
      queueMicrotask(this.runReadyTask);
    }
  }

  private runReady(): void {
    // Loops may mark more connections ready while running (a pipelined close wakes a lingering reader): keep going.
    const ready = this.ready;
    for (let i = 0; i < this.readyCount; i++) {
      const conn = ready[i] ?? null;
      // Null: already run by a pass that a throw cut short (the loop guards its own throws; this is belt and braces).
      if (conn === null) continue;
      ready[i] = null;
      conn.ready = false;
      const fn = conn.onReadable;
      if (fn === null) continue;
      conn.onReadable = null;
      fn(conn);
    }
    this.readyCount = 0;
  }

  private dispatch(count: number): void {
    beginBatch();
    // What the batch's loops write synchronously leaves in one flush as it ends, not from a microtask and a nextTick
    // scheduled for it: one connection per batch (Connection: close behind a balancer) paid for both every time.
    // Writes from the microtasks that follow (async handlers) schedule their wave's flush as before.
    const cork = this.cork;
    cork.batchFlushes = true;
    try {
      this.dispatching = true;
      try {
        this.takeBatch(count);
      } finally {
        this.dispatching = false;
      }
      this.runReady();
    } finally {
      cork.batchFlushes = false;
      try {
        cork.flush();
      } finally {
        this.settleBorrowers();
        endBatch();
      }
    }
  }

  /** What the batch's loops left of the views they borrowed is copied out: the next batch overwrites recvBuffer. */
  private settleBorrowers(): void {
    const borrowers = this.borrowers;
    for (let i = 0; i < this.borrowerCount; i++) {
      borrowers[i]!.settleBorrowed();
      borrowers[i] = null;
    }
    this.borrowerCount = 0;
  }

  private takeBatch(count: number): void {
    const ev = this.events;
    for (let i = 0; i < count; i++) {
      const o = i * EVENT_RECORD_INT32;
      const fd = ev[o]!;
      const kind = ev[o + 1]!;
      if (kind === EV_DATA) {
        const at = ev[o + 2]!;
        const conn = this.conns[fd];
        if (conn !== undefined && conn.receive(this.recvBuffer, at, at + ev[o + 3]!, true)) this.borrowers[this.borrowerCount++] = conn;
      } else if (kind === EV_WRITABLE) {
        const conn = this.conns[fd];
        if (conn !== undefined) this.sendBacklog(conn);
      } else if (kind === EV_EOF) {
        this.conns[fd]?.pushEof();
      } else if (kind === EV_ERROR) {
        this.conns[fd]?.fail(sysError(ev[o + 2]!, 'recv'));
      } else if (kind === EV_ACCEPT) {
        const listener = this.listeners.get(ev[o + 2]!);
        if (listener === undefined) this.native.close(fd);
        else listener.onAccept(fd);
      } else if (kind === EV_ACCEPT_ERROR) {
        this.listeners.get(fd)?.onAcceptError(sysError(ev[o + 2]!, 'accept4'));
      } else if (kind === EV_INOTIFY) {
        this.inotify?.(fd, ev[o + 2]!, ev[o + 3]!, this.recvBuffer);
      }
    }
  }

  /** Queues bytes for conn in order; small writes are corked and leave with the wave's one flush. */
  write(conn: Connection, data: Uint8Array): void {
    if (conn.closed || data.length === 0) return;
    if (conn.backlogBytes > 0) {
      conn.enqueue(data);
      return;
    }
    if (data.length > CORK_MAX_WRITE) {
      if (conn.corkDesc >= 0) this.flush();
      if (conn.backlogBytes > 0) {
        conn.enqueue(data);
        return;
      }
      this.sendDirect(conn, data);
      return;
    }
    const at = this.reserve(conn, data.length);
    if (at < 0) {
      conn.enqueue(data);
      return;
    }
    this.cork.buffer.set(data, at);
  }

  /**
   * Queues `head` then `body` for conn as one write: corked together when the body is small, else one writev (after
   * sending conn's corked bytes, to keep order), its unsent rest queued as backlog.
   */
  writePair(conn: Connection, head: Uint8Array, body: Uint8Array): void {
    if (conn.closed) return;
    if (body.length <= CORK_MAX_WRITE || conn.backlogBytes > 0) {
      this.write(conn, head);
      this.write(conn, body);
      return;
    }
    if (conn.corkDesc >= 0) this.flush();
    if (conn.backlogBytes > 0 || conn.closed) {
      if (!conn.closed) {
        conn.enqueue(head);
        conn.enqueue(body);
      }
      return;
    }
    const n = this.native.writev(conn.fd, [head, body], false);
    if (n === head.length + body.length) return;
    if (n < 0 && n !== -EAGAIN) {
      conn.fail(sysError(n, 'send'));
      return;
    }
    const sent = n < 0 ? 0 : n;
    if (sent < head.length) {
      this.queueBacklog(conn, head.subarray(sent));
      conn.enqueue(body);
    } else this.queueBacklog(conn, body.subarray(sent - head.length));
  }

  /** Reserves `n` bytes of cork space for conn: their offset in corkBuffer, or -1 (see CorkWindow.reserve). */
  reserve(conn: Connection, n: number): number {
    return this.cork.reserve(conn, n);
  }

  /** Takes back the last `n` reserved bytes of conn (a head that failed validation half-way through). */
  unreserve(conn: Connection, at: number, n: number): void {
    this.cork.unreserve(conn, at, n);
  }

  /** Bytes corked for conn in this wave, not yet handed to the kernel. */
  corkedBytes(conn: Connection): number {
    return this.cork.corkedBytes(conn);
  }

  /** The cork buffer (for writers that reserve() space and fill it in place). */
  get corkBuffer(): Buffer {
    return this.cork.buffer;
  }

  /** Whether conn can take a small write into the cork now (no backlog pending). */
  canCork(conn: Connection): boolean {
    return conn.backlogBytes === 0 && !conn.closed;
  }

  /** Sends everything corked now, in one native call (CorkWindow.flush). */
  flush(): void {
    this.cork.flush();
  }

  private sendDirect(conn: Connection, data: Uint8Array): void {
    const n = this.native.send(conn.fd, data, 0, data.length, false);
    if (n === data.length) return;
    if (n >= 0 || n === -EAGAIN) this.queueBacklog(conn, n > 0 ? data.subarray(n) : data);
    else conn.fail(sysError(n, 'send'));
  }

  /** Queues bytes behind conn's backlog (never corked) and waits for writability: for remainders of direct sends. */
  enqueue(conn: Connection, rest: Uint8Array): void {
    conn.enqueue(rest);
    this.native.wantWritable(conn.fd);
  }

  private queueBacklog(conn: Connection, rest: Uint8Array): void {
    conn.requeue(rest);
    this.native.wantWritable(conn.fd);
  }

  /** Writes as much of conn's backlog as the kernel takes; re-arms for writability if some is left. */
  private sendBacklog(conn: Connection): void {
    const backlog = conn.backlog;
    while (backlog !== null && backlog.length > 0) {
      const n = backlog.length === 1
        ? this.native.send(conn.fd, backlog[0]!, 0, backlog[0]!.length, false)
        : this.native.writev(conn.fd, backlog.slice(0, 64), false);
      if (n === -EAGAIN) break;
      if (n < 0) {
        conn.fail(sysError(n, 'send'));
        if (conn.closeAfterSend) conn.destroy();
        return;
      }
      conn.backlogBytes -= n;
      let left = n;
      while (left > 0) {
        const head = backlog[0]!;
        if (head.length <= left) {
          left -= head.length;
          backlog.shift();
        } else {
          backlog[0] = head.subarray(left);
          left = 0;
        }
      }
    }
    if (conn.backlogBytes > 0) this.native.wantWritable(conn.fd);
    else conn.notifyWritable();
  }
}

let shared: Reactor | null = null;

/** The process's reactor (created with the real native binding on first use). */
export function sharedReactor(): Reactor {
  shared ??= new Reactor(loadNative());
  return shared;
}
