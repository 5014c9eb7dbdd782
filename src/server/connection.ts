// One accepted socket: its received chunks (a Source over native recv, fed by the reactor), its write backlog, its
// timeout handle and its abort signal. The connection's close is a conduit resource: released exactly once.
import { acquire, Source, Stage, suspend, type Done, type Suspend } from '../conduit/index.js';
import { sysError, type NativeBinding } from '../native/index.js';
import type { TimeoutHandle } from './timeout.js';

const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;

/** What the per-connection loop is doing; decides which timeout applies (Warp's Active/Paused states). */
export const enum Phase {
  /** Waiting for the first byte of a request (idle keep-alive timeout). */
  Idle,
  /** Reading a request head (header timeout: not extended by trickled bytes). */
  Head,
  /** Waiting on request body bytes (body timeout + minimum rate). */
  Body,
  /** The app is computing (paused: no timeout). */
  App,
  /** Waiting to write to a slow client (send timeout). */
  Send,
}

/** Stop reading from a socket when this much received data is unconsumed (upload backpressure). */
const READ_HIGH_WATER = 256 * 1024;

/** The reactor side a connection calls into (kept narrow so tests can fake it). */
export interface ConnectionHost {
  readonly native: NativeBinding;
  /** Forgets the connection (after its fd is closed). */
  detach(conn: Connection): void;
  /** Sends what is corked for the connection before its fd closes. */
  beforeClose(conn: Connection): void;
}

/** An accepted socket and its state. */
export class Connection implements TimeoutHandle {
  /** Deadline on the timeout manager's clock (Infinity = paused). */
  deadline = Infinity;
  phase: Phase = Phase.Idle;
  /** Received chunks not yet consumed, oldest first (chunks[first..]). */
  private chunks: Uint8Array[] = [];
  private first = 0;
  private queued = 0;
  private eof = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private waiting: Promise<void> | null = null;
  private reading = true;
  /** Bytes the kernel would not take yet, in order (written before anything newer). */
  backlog: Uint8Array[] = [];
  backlogBytes = 0;
  private drained: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  /** Index of this connection's last descriptor in the reactor's current cork window, or -1. */
  corkDesc = -1;
  closed = false;
  /** Requests this connection has carried (graceful shutdown treats a connection that carried none as in flight). */
  served = 0;
  /** Aborted when the connection fails or closes (streams being sent stop promptly). */
  private abortController: AbortController | null = null;
  /** Body bytes received in the current body phase and when it started (minimum-rate check). */
  bodyBytes = 0;
  /** -1 until the current request's body first waits for bytes. */
  bodyStart = -1;

  constructor(
    readonly fd: number,
    readonly host: ConnectionHost,
    /** Called when the deadline passes. */
    readonly onTimeout: () => void,
    /** Called on every received chunk (tickles the timeout). */
    private readonly onData: (conn: Connection, bytes: number) => void,
  ) {}

  /** A signal aborted when the connection fails or closes. */
  get signal(): AbortSignal {
    this.abortController ??= new AbortController();
    if (this.closed || this.failure !== null) this.abortController.abort(this.failure ?? new Error('connection closed'));
    // A signal first asked for after the peer's FIN is aborted as pushEof() would have aborted it.
    else if (this.eof) this.abortController.abort(clientClosed());
    return this.abortController.signal;
  }

  /** The reactor delivers received bytes (an owned copy). */
  pushData(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.queued += chunk.length;
    this.onData(this, chunk.length);
    if (this.queued >= READ_HIGH_WATER && this.reading) {
      this.reading = false;
      this.host.native.setReading(this.fd, false);
    }
    this.wakeReader();
  }

  /**
   * The peer closed its side. A streamed response is aborted (its Source released at once, as node:http does): a FIN
   * from a client that went away looks the same as a half-close, and an idle stream (SSE) would otherwise hold its
   * resources until its next write fails. Bytes and file responses already handed to the kernel still complete.
   */
  pushEof(): void {
    this.eof = true;
    this.wakeReader();
    this.abortController?.abort(clientClosed());
  }

  /** Reading or writing failed: wake everything with the error. */
  fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.wakeReader();
    for (const w of this.drained.splice(0)) w.reject(error);
    this.abortController?.abort(error);
  }

  /** Whether the peer has closed or reset its side, or the connection is closed. */
  get peerGone(): boolean {
    return this.eof || this.failure !== null || this.closed;
  }

  /** Whether the connection failed (reset, broken pipe, timeout). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** The next received chunk, DONE at EOF, or SUSPEND until one arrives. */
  read(): Uint8Array | Done | Suspend {
    if (this.first < this.chunks.length) {
      const c = this.chunks[this.first]!;
      this.chunks[this.first++] = EMPTY;
      if (this.first === this.chunks.length) {
        this.chunks.length = 0;
        this.first = 0;
      }
      this.queued -= c.length;
      if (!this.reading && this.queued < READ_HIGH_WATER / 2 && !this.closed) {
        this.reading = true;
        this.host.native.setReading(this.fd, true);
      }
      return c;
    }
    if (this.failure !== null) throw this.failure;
    if (this.eof || this.closed) return DONE;
    if (this.waiting === null) this.waiting = new Promise<void>((resolve) => (this.wake = resolve));
    return suspend(this.waiting);
  }

  /**
   * A promise that settles when there is something to read (bytes, EOF or an error), or null when there already is.
   * Lets the request loop wait for the next request with one await, then parse it synchronously.
   */
  whenReadable(): Promise<void> | null {
    if (this.first < this.chunks.length || this.failure !== null || this.eof || this.closed) return null;
    if (this.waiting === null) this.waiting = new Promise<void>((resolve) => (this.wake = resolve));
    return this.waiting;
  }

  /** Whether received bytes are waiting (pipelined requests). */
  hasBuffered(): boolean {
    return this.first < this.chunks.length;
  }

  private wakeReader(): void {
    const wake = this.wake;
    if (wake !== null) {
      this.wake = null;
      this.waiting = null;
      wake();
    }
  }

  /** Resolves when the write backlog is empty (rejects if the connection fails first). */
  whenDrained(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('connection closed'));
    if (this.backlogBytes === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.drained.push({ resolve, reject }));
  }

  /** Resolves at the next writability event with an empty backlog (after sendfile's EAGAIN). */
  whenWritable(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('connection closed'));
    this.host.native.wantWritable(this.fd);
    return new Promise((resolve, reject) => this.drained.push({ resolve, reject }));
  }

  /** The reactor emptied the backlog and the socket is writable. */
  notifyWritable(): void {
    for (const w of this.drained.splice(0)) w.resolve();
  }

  /** Closes the socket once (native close stops polling first); wakes everything. Corked bytes go out first. */
  destroy(): void {
    if (this.closed) return;
    this.host.beforeClose(this);
    this.closed = true;
    this.host.native.close(this.fd);
    this.host.detach(this);
    this.wakeReader();
    // Only a waiter or a signal needs the reason: an Error captures a stack, which costs microseconds per connection.
    if (this.drained.length === 0 && this.abortController === null) return;
    const gone = this.failure ?? Object.assign(new Error('connection closed'), { code: 'ECONNRESET' });
    for (const w of this.drained.splice(0)) w.reject(gone);
    this.abortController?.abort(gone);
  }

  /** The bytes received from this socket as a Source; ending or closing the pipeline closes the socket. */
  source(): Source<Uint8Array> {
    return new Source(() => new ConnectionStage(this));
  }

  /** A SysError for a failed syscall on this connection. */
  sysError(result: number, syscall: string): Error {
    return sysError(result, syscall);
  }
}

const EMPTY = new Uint8Array(0);

/** Why a connection's signal aborts when the peer closed its side: a client going away reads as ECONNRESET. */
function clientClosed(): Error {
  return Object.assign(new Error('client closed the connection'), { code: 'ECONNRESET' });
}

class ConnectionStage extends Stage<Uint8Array, void> {
  constructor(private readonly conn: Connection) {
    super(null);
    acquire(this, () => conn.destroy());
  }
  pull(): Uint8Array | Done | Suspend {
    return this.conn.read();
  }
}
