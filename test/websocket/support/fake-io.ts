// An in-memory UpgradedIO: the test pushes client bytes in, reads the server's writes out, and drives backpressure,
// idle deadlines and shutdown by hand. Every call is logged, so tests can assert orders.
import { ResumableSource, Source, Stage, suspend, type Done, type Suspend } from '../../../src/conduit/index.js';
import type { ReceiveCopier, TransportInfo } from '../../../src/server/index.js';
import type { UpgradedIO, UpgradedListener } from '../../../src/websocket/index.js';

const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;

/** A protocol's callback: a function, or a listener's method. */
type Callback = (() => void) | UpgradedListener;

/** Calls a callback the way the engine does: a function, or the listener's method named by `event`. */
function call(fn: Callback, event: 'readable' | 'idle' | 'shutdown'): void {
  if (typeof fn === 'function') fn();
  else fn[event]();
}

/** A UpgradedIO over queues, with test controls. */
export class FakeIO implements UpgradedIO {
  readonly input: ResumableSource<Uint8Array>;
  /** Every write, copied (the session must not change bytes after writing them, and tests compare them). */
  readonly writes: Uint8Array[] = [];
  /** Every write as given (tests check that a published frame is one buffer shared by all subscribers). */
  readonly refs: Uint8Array[] = [];
  /** Calls to close/destroy/flush/reportError, in order. */
  readonly log: string[] = [];
  readonly errors: unknown[] = [];
  bufferedAmount = 0;
  idleMs = 0;
  private onIdle: Callback | null = null;
  closed = false;
  destroyed = false;
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private reader: Callback | null = null;
  private drained: Array<() => void> = [];
  private readonly closer = new AbortController();
  shuttingDown = false;
  onShutdown: Callback | null = null;
  readonly transport: TransportInfo = { kind: 'tcp' };
  readonly remoteAddress = '127.0.0.1:5000';
  /** How many chunks the reader has taken (to show that reading stopped early). */
  taken = 0;
  /** The copier the reader installed (pushed bytes go through it, as the engine's receive buffer does). */
  copier: ReceiveCopier | null = null;
  private readonly sink = { pushData: (c: Uint8Array): void => void this.chunks.push(c) };

  constructor() {
    this.input = ResumableSource.from(new Source(() => new QueueStage(this)));
  }

  // ---- test controls

  /** The client sends bytes (copied: the reader unmasks in place). */
  push(...chunks: Uint8Array[]): void {
    for (const c of chunks) {
      if (this.copier === null) this.chunks.push(Uint8Array.from(c));
      else this.copier.copy(Buffer.from(c), 0, c.length, this.sink);
    }
    this.wakeReader();
  }

  /** The client half-closes (FIN). */
  end(): void {
    this.ended = true;
    this.wakeReader();
  }

  /** The connection fails (a reset). */
  reset(error = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })): void {
    this.failure = error;
    this.wakeReader();
  }

  /** The kernel takes the backlog: bufferedAmount drops to 0 and drain waiters resolve. */
  drain(): void {
    this.bufferedAmount = 0;
    for (const resolve of this.drained.splice(0)) resolve();
  }

  /** The idle deadline passes. */
  fireIdle(): void {
    const f = this.onIdle;
    if (f === null) throw new Error('no idle deadline armed');
    this.onIdle = null;
    call(f, 'idle');
  }

  /** Whether an idle deadline is armed. */
  get idleArmed(): boolean {
    return this.onIdle !== null;
  }

  /** The server starts a graceful shutdown. */
  startShutdown(): void {
    this.shuttingDown = true;
    const f = this.onShutdown;
    this.onShutdown = null;
    if (f !== null) call(f, 'shutdown');
  }

  /** Everything written so far, as one buffer. */
  output(): Buffer {
    return Buffer.concat(this.writes);
  }

  // ---- UpgradedIO

  write(bytes: Uint8Array): void {
    if (this.closed || this.destroyed) return;
    this.writes.push(Uint8Array.from(bytes));
    this.refs.push(bytes);
  }

  writePair(head: Uint8Array, body: Uint8Array): void {
    this.write(head);
    this.write(body);
  }

  receiveWith(copier: ReceiveCopier | null): void {
    this.copier = copier;
    if (copier === null) return;
    for (const c of this.chunks.splice(0)) copier.copy(Buffer.from(c), 0, c.length, this.sink);
  }

  flush(): void {
    this.log.push('flush');
  }

  whenDrained(): Promise<void> | null {
    if (this.bufferedAmount === 0) return null;
    return new Promise((resolve) => this.drained.push(resolve));
  }

  setIdleTimeout(ms: number, onIdle: Callback): void {
    this.idleMs = ms;
    this.onIdle = ms > 0 ? onIdle : null;
  }

  close(): void {
    if (this.closed || this.destroyed) return;
    this.closed = true;
    this.log.push('close');
    this.closer.abort();
    this.wakeReader();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.log.push('destroy');
    this.chunks.length = 0;
    this.closer.abort();
    this.drain();
    this.wakeReader();
  }

  reportError(error: unknown): void {
    this.errors.push(error);
    this.log.push('reportError');
  }

  get signal(): AbortSignal {
    return this.closer.signal;
  }

  read(): Uint8Array | Done | null {
    if (this.destroyed) return DONE;
    if (this.chunks.length > 0) {
      this.taken++;
      return this.chunks.shift()!;
    }
    if (this.failure !== null) throw this.failure;
    if (this.ended || this.closed) return DONE;
    return null;
  }

  waitReadable(fn: Callback): void {
    this.reader = fn;
  }

  /** Whether a reader is parked on waitReadable. */
  get parked(): boolean {
    return this.reader !== null;
  }

  // ---- the input Source's side

  /** The next chunk, DONE, or SUSPEND until one arrives. */
  pullInput(): Uint8Array | Done | Suspend {
    const x = this.read();
    if (x !== null) return x;
    return suspend(new Promise<void>((resolve) => (this.wake = resolve)));
  }

  private wakeReader(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
    const r = this.reader;
    this.reader = null;
    // Like the engine's ready list: the parked reader runs soon, never inside the call that woke it.
    if (r !== null) queueMicrotask(() => call(r, 'readable'));
  }
}

class QueueStage extends Stage<Uint8Array, void> {
  constructor(private readonly io: FakeIO) {
    super(null);
  }
  pull(): Uint8Array | Done | Suspend {
    return this.io.pullInput();
  }
}

/** Waits until queued microtasks and one macrotask have run (the session reacts to pushed bytes). */
export function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
