// The per-process I/O core: one native event batch per loop turn in, one native flush of every corked response out.
// Responses produced in the same microtask wave share one send per connection (pipelining: 16 responses, 1 send).
// Key decision: a batch is taken in whole before any protocol loop runs: received bytes are queued on their
// connections, and the loops parked on those connections run afterwards from one ready list (no promise per wait).
import {
  EAGAIN, EV_ACCEPT, EV_ACCEPT_ERROR, EV_DATA, EV_EOF, EV_ERROR, EV_INOTIFY, EV_WRITABLE, EVENT_RECORD_INT32, FLUSH_CHAIN_MAX, FLUSH_RECORD_INT32,
  loadNative, sysError, type NativeBinding,
} from '../native/index.js';
import type { Connection, ConnectionHost } from './connection.js';

const MAX_EVENTS = 4096;
const RECV_BUFFER_BYTES = 1024 * 1024;
/** Also what a client that does not read can make a connection queue before its loop waits (test/server/http1). */
const CORK_BYTES = 256 * 1024;
/** Writes larger than this skip the cork buffer (one copy less, one syscall either way). */
const CORK_MAX_WRITE = 16 * 1024;
/** Records per flush: a publish to N sockets takes N (the chained records of one wave), so 1,024 flushed every publish. */
const MAX_DESC = 16 * 1024;
const R = FLUSH_RECORD_INT32;

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
}

/** The process's one event dispatcher over the native binding. */
export class Reactor implements ConnectionHost {
  private readonly conns: Array<Connection | undefined> = [];
  private readonly listeners = new Map<number, Listener>();
  private readonly events = new Int32Array(MAX_EVENTS * EVENT_RECORD_INT32);
  private readonly recvBuffer = Buffer.allocUnsafeSlow(RECV_BUFFER_BYTES);
  private readonly out = Buffer.allocUnsafeSlow(CORK_BYTES);
  private outLen = 0;
  private readonly desc = new Int32Array(MAX_DESC * FLUSH_RECORD_INT32);
  private descConn: Array<Connection | null> = new Array<Connection | null>(MAX_DESC).fill(null);
  private descCount = 0;
  private flushScheduled = false;
  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush();
  };
  private readonly scheduleFlushTick = (): void => process.nextTick(this.flushTick);
  /** Connections whose parked loop (onReadable) runs after the current batch. */
  private ready: Connection[] = [];
  private dispatching = false;
  private readyScheduled = false;
  private readonly runReadyTask = (): void => {
    this.readyScheduled = false;
    this.runReady();
  };
  /** Receives EV_INOTIFY records (the file caches' watch); they lead their batch, ahead of its requests. */
  inotify: ((wd: number, mask: number, nameAt: number, names: Uint8Array) => void) | null = null;

  constructor(readonly native: NativeBinding) {
    native.init((count) => this.dispatch(count), this.events, this.recvBuffer);
  }

  /** Starts accepting on a listening fd. */
  listen(fd: number, listener: Listener, options: ListenOptions = {}): void {
    this.listeners.set(fd, listener);
    const r = options.tlsContext === undefined && options.proxyProtocol !== true ? this.native.startAccepting(fd)
      : this.native.startAccepting(fd, options.tlsContext, options.preludeTimeoutMs, options.proxyProtocol, options.trustedProxies);
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

  /** Sends conn's corked bytes before its fd closes (an error response right before a close). */
  beforeClose(conn: Connection): void {
    if (conn.corkDesc >= 0) this.flush();
  }

  /** Forgets a closed connection; late events for its fd number are ignored. */
  detach(conn: Connection): void {
    if (this.conns[conn.fd] === conn) this.conns[conn.fd] = undefined;
    if (conn.corkDesc >= 0) this.descConn[conn.corkDesc] = null;
    conn.corkDesc = -1;
  }

  /** Runs conn's parked loop after the current batch (or in a microtask when no batch is being dispatched). */
  markReady(conn: Connection): void {
    if (conn.ready) return;
    conn.ready = true;
    this.ready.push(conn);
    if (!this.dispatching && !this.readyScheduled) {
      this.readyScheduled = true;
      queueMicrotask(this.runReadyTask);
    }
  }

  private runReady(): void {
    // Loops may mark more connections ready while running (a pipelined close wakes a lingering reader): keep going.
    for (let i = 0; i < this.ready.length; i++) {
      const conn = this.ready[i]!;
      conn.ready = false;
      const fn = conn.onReadable;
      if (fn === null) continue;
      conn.onReadable = null;
      fn(conn);
    }
    this.ready.length = 0;
  }

  private dispatch(count: number): void {
    this.dispatching = true;
    try {
      this.takeBatch(count);
    } finally {
      this.dispatching = false;
    }
    this.runReady();
  }

  private takeBatch(count: number): void {
    const ev = this.events;
    for (let i = 0; i < count; i++) {
      const o = i * EVENT_RECORD_INT32;
      const fd = ev[o]!;
      const kind = ev[o + 1]!;
      if (kind === EV_DATA) {
        const at = ev[o + 2]!;
        this.conns[fd]?.receive(this.recvBuffer, at, at + ev[o + 3]!);
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
    this.out.set(data, at);
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

  /**
   * Reserves `n` bytes of cork space for conn and returns their offset in corkBuffer(); the caller fills them at once.
   * Callers that can measure first (response heads) write straight into the cork buffer: no intermediate copy.
   * Returns -1 when a flush left conn with a backlog (the caller must then queue behind it: write()).
   */
  reserve(conn: Connection, n: number): number {
    if (this.outLen + n > CORK_BYTES || this.descCount === MAX_DESC) this.flush();
    if (conn.backlogBytes > 0 || conn.closed) return -1;
    const desc = this.desc;
    let d = conn.corkDesc;
    let follows = 0;
    if (d >= 0 && (d !== this.descCount - 1 || desc[d * R + 1]! + desc[d * R + 2]! !== this.outLen)) {
      // Not contiguous with this connection's earlier corked bytes (a publish to many sockets, one frame after
      // another): a new record chained to them, so native sends the chain in order in one sendmsg.
      follows = desc[d * R + 5]! + 1;
      if (follows === FLUSH_CHAIN_MAX) {
        this.flush();
        if (conn.backlogBytes > 0 || conn.closed) return -1;
        follows = 0;
      } else desc[d * R + 4] = this.descCount;
      d = -1;
    }
    const at = this.outLen;
    if (d >= 0) desc[d * R + 2]! += n;
    else {
      d = this.descCount++;
      desc[d * R] = conn.fd;
      desc[d * R + 1] = at;
      desc[d * R + 2] = n;
      desc[d * R + 4] = -1;
      desc[d * R + 5] = follows;
      this.descConn[d] = conn;
      conn.corkDesc = d;
    }
    this.outLen = at + n;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // nextTick from a microtask runs after the whole microtask wave: every response of the wave is corked by then.
      queueMicrotask(this.scheduleFlushTick);
    }
    return at;
  }

  /** Takes back the last `n` reserved bytes of conn (a head that failed validation half-way through). */
  unreserve(conn: Connection, at: number, n: number): void {
    const d = conn.corkDesc;
    if (d < 0 || at + n !== this.outLen) return;
    this.outLen = at;
    this.desc[d * R + 2]! -= n;
    // A chained record stays (empty): the record before it points at it.
    if (this.desc[d * R + 2] === 0 && d === this.descCount - 1 && this.desc[d * R + 5] === 0) {
      this.descCount--;
      this.descConn[d] = null;
      conn.corkDesc = -1;
    }
  }

  /** Bytes corked for conn in this wave, not yet handed to the kernel. */
  corkedBytes(conn: Connection): number {
    let n = 0;
    for (let d = 0; d < this.descCount; d++) if (this.descConn[d] === conn) n += this.desc[d * R + 2]!;
    return n;
  }

  /** The cork buffer (for writers that reserve() space and fill it in place). */
  get corkBuffer(): Buffer {
    return this.out;
  }

  /** Whether conn can take a small write into the cork now (no backlog pending). */
  canCork(conn: Connection): boolean {
    return conn.backlogBytes === 0 && !conn.closed;
  }

  /**
   * Sends everything corked now: one native call for every connection; native arms writability for short sends.
   * Connections waiting to close after their last bytes (closeWhenSent) close right after, once the cork is reset.
   */
  flush(): void {
    const count = this.descCount;
    if (count === 0) return;
    const short = this.native.flush(this.out, this.desc, count);
    let closing: Connection[] | null = null;
    for (let d = 0; d < count; d++) {
      const conn = this.descConn[d];
      this.descConn[d] = null;
      if (conn === null || conn === undefined) continue;
      conn.corkDesc = -1;
      if (short !== 0) {
        const len = this.desc[d * R + 2]!;
        const sent = this.desc[d * R + 3]!;
        if (sent >= 0 && sent < len) {
          // The cork buffer is reused: the unsent tail must be copied. A chain's later records go behind its first.
          const off = this.desc[d * R + 1]!;
          const tail = Buffer.from(this.out.subarray(off + sent, off + len));
          if (conn.backlogBytes === 0) conn.requeue(tail);
          else conn.enqueue(tail);
        } else if (sent < 0 && !conn.failed) conn.fail(sysError(sent, 'send'));
      }
      // Decided at the connection's last record (next = -1): an earlier one of its chain may have gone out whole.
      if (this.desc[d * R + 4] === -1 && conn.closeAfterSend && (conn.backlogBytes === 0 || conn.failed)) (closing ??= []).push(conn);
    }
    this.descCount = 0;
    this.outLen = 0;
    // After the reset: a close runs hooks that may write (and flush) again.
    if (closing !== null) for (const conn of closing) conn.destroy();
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
