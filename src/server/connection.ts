// One accepted socket as a flat state machine: its received bytes (receive-queue.ts, the base class), its write
// backlog, its phase and deadline (changed only by enter(), from one table), and its abort signal. Key decision: no
// closure, promise or helper object is made per connection on the hot path. The protocol loop waits for bytes by
// parking a plain function (onReadable); the reactor calls it once a whole batch has been taken in.
import { ResumableSource, suspend, type Done, type Suspend } from '../conduit/index.js';
import type { NativeBinding } from '../native/index.js';
import { ConnectionError } from './connection-error.js';
import { forwardedClient } from './forwarded.js';
import { Phase, timeoutOf } from './phase.js';
import { connectionRemote, type RemoteInfo } from './remote.js';
import type { RequestHead } from './request-head.js';
import { CHUNK_BYTES, pushCopies, type ReceiveCopier } from './receive-copy.js';
import { QueueInput, ReceiveQueue } from './receive-queue.js';
import type { Settings } from './settings.js';
import type { TimeoutHandle } from './timeout.js';
import type { Transport, TransportInfo } from './transport.js';
import { trustedProxiesOf } from './trusted-proxies.js';

const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;

/** Stop reading from a socket when this much received data is unconsumed (upload backpressure). */
const READ_HIGH_WATER = 256 * 1024;

/** The reactor side a connection calls into (kept narrow so tests can fake it). */
export interface ConnectionHost {
  readonly native: NativeBinding;
  /** Forgets the connection (after its fd is closed). */
  detach(conn: Connection): void;
  /** Sends what is corked for the connection before its fd closes. */
  beforeClose(conn: Connection): void;
  /** The connection will close once its corked bytes are sent (the flush may then close its fd itself). */
  closeAfterFlush(): void;
  /** Runs conn.onReadable soon: after the current event batch, or in a microtask outside one. */
  markReady(conn: Connection): void;
  /** Queues bytes for conn in order (corked when small). */
  write(conn: Connection, bytes: Uint8Array): void;
}

/** The deadline clock a connection arms (the owner's TimeoutManager). */
export interface DeadlineClock {
  /** The coarse clock of the last sweep (ms). */
  readonly now: number;
  /** Sets handle.deadline `ms` from now on the real clock. */
  arm(handle: TimeoutHandle, ms: number): void;
}

/** The server side a connection reports to. */
export interface ConnectionOwner {
  readonly settings: Settings;
  readonly timeouts: DeadlineClock;
  /** A phase deadline passed (the timeout manager has already forgotten conn). */
  timedOut(conn: Connection): void;
  /** conn's fd is closed: forget it. Called exactly once. */
  released(conn: Connection): void;
}

/** What the server tells the protocol an upgraded connection runs (upgrade.ts's ConnectionIO). */
export interface UpgradedHooks {
  /** Phase.Upgraded's deadline passed: true when the protocol took it (it decides), false to close as usual. */
  idle(): boolean;
  /** The server began a graceful shutdown. */
  shutdown(): void;
  /** How the protocol wants received bytes copied into chunks, or null for the reactor's plain chunks. */
  readonly copier: ReceiveCopier | null;
}

/**
 * A parked protocol loop. Written as a method type (bivariant in its parameter), so a loop typed for its own server
 * (Connection<Engine>) can park itself on a connection that the reactor knows as a plain Connection.
 */
export type Continuation<C> = { resume(conn: C): void }['resume'];

/** An accepted socket and its state; `O` is the server that owns it. */
export class Connection<O extends ConnectionOwner = ConnectionOwner> extends ReceiveQueue implements TimeoutHandle {
  /** Deadline on the timeout manager's clock (Infinity = none). Written only by enter(). */
  deadline = Infinity;
  /** Index in the owner's timeout manager (-1 = not tracked). */
  slot = -1;
  /** What the connection is doing (written only by enter()). */
  phase: Phase = Phase.Fresh;
  /** The protocol loop's continuation, called once when there is something to read (bytes, EOF, error, close). */
  onReadable: Continuation<this> | null = null;
  /** Queued in the reactor's ready list. */
  ready = false;
  private eof = false;
  private failure: Error | null = null;
  /** The connection's client, read once when a request first asks (undefined: not yet). */
  private peer: RemoteInfo | null | undefined = undefined;
  private wake: (() => void) | null = null;
  private waiting: Promise<void> | null = null;
  private reading = true;
  /** Bytes the kernel would not take yet, in order (written before anything newer). Null while empty. */
  backlog: Uint8Array[] | null = null;
  backlogBytes = 0;
  private drained: Array<{ resolve: () => void; reject: (e: Error) => void }> | null = null;
  /** Index of this connection's last descriptor in the reactor's current cork window, or -1. */
  corkDesc = -1;
  /** Close as soon as everything queued has been sent (closeWhenSent). */
  closeAfterSend = false;
  /** The peer sent its last request (Connection: close, or HTTP/1.0 without keep-alive; RFC 9112 §9.6): it sends
   *  nothing more, so our FIN may ride in the last response's segment (the reactor's flush closes the fd natively). */
  lastExchange = false;
  /** The fd was closed natively (by the flush that sent the last bytes): destroy() must not close it again. */
  fdClosed = false;
  closed = false;
  /** Requests this connection has carried (graceful shutdown treats a connection that carried none as in flight). */
  served = 0;
  /** Aborted when the connection fails or closes (streams being sent stop promptly). */
  private abortController: AbortController | null = null;
  /** Body bytes received in the current body phase and when it started (minimum-rate check); -1 = not started. */
  bodyBytes = 0;
  bodyStart = -1;
  /** The deadline an upgraded protocol asked for (Phase.Upgraded), 0 = none. */
  upgradedTimeoutMs = 0;
  /** The protocol a 101 handed this connection to: told about its idle deadline and a graceful shutdown. */
  upgraded: UpgradedHooks | null = null;
  /** The rest of the input as a resumable source, made on first use (bodies, slow heads, upgrades). */
  private resumable: ResumableSource<Uint8Array> | null = null;

  constructor(
    readonly fd: number,
    readonly host: ConnectionHost,
    readonly owner: O,
    /** What carries the bytes (TCP, TLS): file sending and the half-close differ. */
    readonly transport: Transport,
  ) {
    super();
  }

  // ** Phases and deadlines: the one place that writes them.

  /** Moves to `phase` and arms its deadline from the phase table (phase.ts). */
  enter(phase: Phase): void {
    this.phase = phase;
    const ms = timeoutOf(phase, this.owner.settings, this.upgradedTimeoutMs);
    if (ms === Infinity) this.deadline = Infinity;
    else this.owner.timeouts.arm(this, ms);
  }

  /** A request head has started: the header clock runs, from accept for a fresh connection (slowloris), else from now. */
  enterHead(): void {
    if (this.phase === Phase.Head) return;
    if (this.phase === Phase.Fresh) this.phase = Phase.Head;
    else this.enter(Phase.Head);
  }

  /** Brings the deadline forward to at most `ms` from now (graceful shutdown's grace for a fresh connection). */
  shortenDeadline(ms: number): void {
    const deadline = this.deadline;
    this.owner.timeouts.arm(this, ms);
    if (deadline < this.deadline) this.deadline = deadline;
  }

  /** The deadline passed: the owner decides what that means for the current phase. */
  onTimeout(): void {
    this.owner.timedOut(this);
  }

  // ** Input

  /**
   * The reactor delivers src[at, end) of its receive buffer, to be copied before this returns: by the upgraded
   * protocol's copier when it has one, else into chunks of at most CHUNK_BYTES (see there). With `borrow`, a
   * connection waiting for its next request may queue a view instead (true): the caller must call settleBorrowed()
   * before src is reused.
   */
  receive(src: Buffer, at: number, end: number, borrow = false): boolean {
    const copier = this.upgraded?.copier ?? null;
    if (copier !== null) {
      copier.copy(src, at, end, this);
      // Bytes the copier holds (a frame still filling) count as traffic for the idle clock too.
      if (this.phase === Phase.Upgraded && this.upgradedTimeoutMs > 0) this.enter(Phase.Upgraded);
      return false;
    }
    // The HTTP/1.1 loop is parked for its next request with nothing queued: it will parse the head in place from
    // src during the batch (no copy, no view); the caller (the reactor) settles what is left when the batch ends.
    if (borrow && this.onReadable !== null && (this.phase === Phase.Idle || this.phase === Phase.Fresh) && !this.hasBuffered()
      && end - at <= CHUNK_BYTES) {
      this.enqueueBorrowed(src, at, end);
      this.wakeReaders();
      return true;
    }
    pushCopies(src, at, end, this);
    return false;
  }

  /** Queues received bytes (an owned copy). */
  pushData(chunk: Uint8Array): void {
    this.enqueueChunk(chunk);
    if (this.phase === Phase.Body) this.countBodyBytes(chunk.length);
    else if (this.phase === Phase.Upgraded && this.upgradedTimeoutMs > 0) this.enter(Phase.Upgraded);
    if (this.queued >= READ_HIGH_WATER && this.reading) {
      this.reading = false;
      this.host.native.setReading(this.fd, false);
    }
    this.wakeReaders();
  }

  /** A body chunk re-arms the body timeout; the average rate over the whole body must reach the minimum. */
  private countBodyBytes(n: number): void {
    this.bodyBytes += n;
    this.enter(Phase.Body);
    const settings = this.owner.settings;
    const min = settings.minBodyBytesPerSecond;
    const elapsed = this.owner.timeouts.now - this.bodyStart;
    // RFC-free policy (slowloris on bodies): after one body timeout's grace, the average rate must reach the minimum.
    if (min > 0 && elapsed > settings.bodyTimeoutMs && (this.bodyBytes * 1000) / elapsed < min) this.owner.timedOut(this);
  }

  // ** A request body's host (request-body.ts): interim responses and the body phase.

  /** Sends bytes ahead of the response (an interim 100 Continue). */
  writeInterim(bytes: Uint8Array): void {
    this.host.write(this, bytes);
  }

  /** The body is waiting for bytes (body timeout; the rate is measured from the first wait) or got some. */
  setWaiting(waiting: boolean): void {
    if (waiting) {
      if (this.bodyStart < 0) this.bodyStart = this.owner.timeouts.now;
      this.enter(Phase.Body);
    } else if (this.phase === Phase.Body) this.enter(Phase.App);
  }

  /** A new request starts: its body's rate is measured afresh. */
  resetBodyClock(): void {
    this.bodyBytes = 0;
    this.bodyStart = -1;
  }

  /**
   * The peer closed its side. A streamed response is aborted (its Source released at once, as node:http does): a FIN
   * from a client that went away looks the same as a half-close, and an idle stream (SSE) would otherwise hold its
   * resources until its next write fails. Bytes and file responses already handed to the kernel still complete.
   */
  pushEof(): void {
    this.eof = true;
    this.wakeReaders();
    this.abortController?.abort(clientClosed());
  }

  /** Reading or writing failed: wake everything with the error. */
  fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.wakeReaders();
    this.rejectWaiters(error);
    this.abortController?.abort(error);
    // It was only waiting to send its last bytes: nobody will take them now.
    if (this.closeAfterSend) this.destroy();
  }

  /** Whether the peer has closed or reset its side, or the connection is closed. */
  get peerGone(): boolean {
    return this.eof || this.failure !== null || this.closed;
  }

  /** Whether the connection failed (reset, broken pipe, timeout). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Whether the peer sent its FIN. */
  get ended(): boolean {
    return this.eof;
  }

  protected resumeReading(): void {
    if (!this.reading && this.queued < READ_HIGH_WATER / 2 && !this.closed) {
      this.reading = true;
      this.host.native.setReading(this.fd, true);
    }
  }

  /** The next received chunk, DONE at EOF, or SUSPEND until one arrives (a conduit pull). */
  read(): Uint8Array | Done | Suspend {
    const c = this.shift();
    if (c !== null) return c;
    if (this.failure !== null) throw this.failure;
    if (this.eof || this.closed) return DONE;
    if (this.waiting === null) this.waiting = new Promise<void>((resolve) => (this.wake = resolve));
    return suspend(this.waiting);
  }

  /** Whether a read would not wait: bytes, EOF, an error, or a closed connection. */
  get readable(): boolean {
    return this.hasBuffered() || this.failure !== null || this.eof || this.closed;
  }

  /** Parks `fn` until the connection is readable; calls it (via the reactor's ready list) once, then forgets it. */
  waitReadable(fn: Continuation<this>): void {
    this.onReadable = fn;
    if (this.readable) this.host.markReady(this);
  }

  /** The rest of the input as a resumable source: reads come from the queue and leftovers go back into it. */
  input(): ResumableSource<Uint8Array> {
    this.resumable ??= ResumableSource.over(new QueueInput(this));
    return this.resumable;
  }

  private wakeReaders(): void {
    const wake = this.wake;
    if (wake !== null) {
      this.wake = null;
      this.waiting = null;
      wake();
    }
    if (this.onReadable !== null) this.host.markReady(this);
  }

  // ** Output (the reactor writes; these wait for it)

  /** Resolves when the write backlog is empty (rejects if the connection fails first). */
  whenDrained(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(closedError());
    if (this.backlogBytes === 0) return Promise.resolve();
    return new Promise((resolve, reject) => (this.drained ??= []).push({ resolve, reject }));
  }

  /** Resolves at the next writability event with an empty backlog (after sendfile's EAGAIN). */
  whenWritable(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(closedError());
    this.host.native.wantWritable(this.fd);
    return new Promise((resolve, reject) => (this.drained ??= []).push({ resolve, reject }));
  }

  /** The reactor emptied the backlog and the socket is writable. */
  notifyWritable(): void {
    const waiters = this.drained;
    if (waiters !== null && waiters.length > 0) {
      this.drained = null;
      for (const w of waiters) w.resolve();
    }
    if (this.closeAfterSend && this.backlogBytes === 0) this.destroy();
  }

  /** Queues bytes behind the backlog (kept in order; the reactor sends them on writability). */
  enqueue(bytes: Uint8Array): void {
    (this.backlog ??= []).push(bytes);
    this.backlogBytes += bytes.length;
  }

  /** Puts bytes in front of the backlog (the unsent tail of a short send). */
  requeue(bytes: Uint8Array): void {
    (this.backlog ??= []).unshift(bytes);
    this.backlogBytes += bytes.length;
    // Closing after the last bytes, and the kernel did not take them all: now the client has sendTimeoutMs.
    if (this.closeAfterSend && this.phase !== Phase.Send) this.enter(Phase.Send);
  }

  /** Closes once everything queued (corked or backlogged) has gone out, within the send timeout; now if nothing is. */
  closeWhenSent(): void {
    if (this.closed) return;
    if (this.failure !== null || (this.corkDesc < 0 && this.backlogBytes === 0)) {
      this.destroy();
      return;
    }
    this.closeAfterSend = true;
    // Only corked: the flush at the end of this wave sends it and closes (a short send arms the send timeout then).
    if (this.backlogBytes > 0) this.enter(Phase.Send);
    else {
      if (this.lastExchange) this.host.closeAfterFlush();
      this.enter(Phase.App);
    }
  }

  // ** Closing

  /** A signal aborted when the connection fails or closes. */
  get signal(): AbortSignal {
    this.abortController ??= new AbortController();
    if (this.closed || this.failure !== null) this.abortController.abort(this.failure ?? closedError());
    // A signal first asked for after the peer's FIN is aborted as pushEof() would have aborted it.
    else if (this.eof) this.abortController.abort(clientClosed());
    return this.abortController.signal;
  }

  /** Closes the socket once (native close stops polling first); wakes everything. Corked bytes go out first. */
  destroy(): void {
    if (this.closed) return;
    this.host.beforeClose(this);
    this.closed = true;
    if (!this.fdClosed) this.host.native.close(this.fd);
    this.host.detach(this);
    this.wakeReaders();
    // Only a waiter or a signal needs the reason: an Error captures a stack, which costs microseconds per connection.
    if (this.drained !== null || this.abortController !== null) {
      const gone = this.failure ?? closedError();
      this.rejectWaiters(gone);
      this.abortController?.abort(gone);
    }
    this.owner.released(this);
  }

  private rejectWaiters(error: Error): void {
    const waiters = this.drained;
    if (waiters === null) return;
    this.drained = null;
    for (const w of waiters) w.reject(error);
  }

  /** What the carrier negotiated (TLS facts come from the addon: a cold path). */
  transportInfo(): TransportInfo {
    return this.transport.info(this.host.native, this.fd);
  }

  /** The peer's address ('ip:port' / '[ip6]:port'), or null (a cold path: one syscall). */
  remoteAddress(): string | null {
    return this.closed ? null : this.host.native.peerAddress(this.fd);
  }

  /** The request's client (req.remote): the connection's (PROXY header or TCP peer, read once), then, when the
   *  settings ask, what trusted proxies say in the request's forwarded headers. */
  remote(head: RequestHead): RemoteInfo | null {
    if (this.peer === undefined) this.peer = this.closed ? null : connectionRemote(this.host.native, this.fd);
    const settings = this.owner.settings;
    if (this.peer === null || !settings.forwardedHeaders) return this.peer;
    return forwardedClient(this.peer, head.headers, trustedProxiesOf(settings.trustedProxies));
  }
}

function closedError(): ConnectionError {
  return new ConnectionError('ECONNRESET', 'connection closed');
}

/** Why a connection's signal aborts when the peer closed its side: a client going away reads as ECONNRESET. */
function clientClosed(): ConnectionError {
  return new ConnectionError('ECONNRESET', 'client closed the connection');
}
