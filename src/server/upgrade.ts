// The connection as another protocol sees it after `101 Switching Protocols` (hyper's upgrade Parts, warp's
// ResponseRaw): the rest of the resumable input, corked writes, the backlog, an idle clock and a shutdown hook. Key
// decision: an idle protocol parks one plain function on the connection (read/waitReadable), as the HTTP/1.1 loop does.
import type { Done, ResumableSource } from '../conduit/index.js';
import type { Connection, UpgradedHooks } from './connection.js';
import type { ReceiveCopier } from './receive-copy.js';
import type { Engine } from './engine.js';
import { lingerClose } from './linger.js';
import { Phase } from './phase.js';
import type { TransportInfo } from './transport.js';
import type { UpgradedIO, UpgradedListener } from './types.js';

const ignore = (): void => undefined;
const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;

/** A protocol's callback: a function, or a listener object's method (see UpgradedListener). */
type Callback = (() => void) | UpgradedListener;

/** Runs the protocol's parked reader (a module-level continuation: nothing is allocated per wait). */
function wakeReader(conn: Connection<Engine>): void {
  (conn.upgraded as ConnectionIO).wakeReader();
}

/** UpgradedIO over an engine connection; also the connection's UpgradedHooks. */
export class ConnectionIO implements UpgradedIO, UpgradedHooks {
  onShutdown: Callback | null = null;
  copier: ReceiveCopier | null = null;
  private onIdle: Callback | null = null;
  private reader: Callback | null = null;
  private inputSource: ResumableSource<Uint8Array> | null = null;
  /** close() ran: the lingering close is under way (a second close must not cut it short). */
  private closing = false;

  constructor(private readonly conn: Connection<Engine>) {
    conn.upgraded = this;
  }

  get input(): ResumableSource<Uint8Array> {
    return (this.inputSource ??= this.conn.input());
  }

  read(): Uint8Array | Done | null {
    // After close() the input is the linger's: the protocol sees its end (and parks nothing that would take it over).
    if (this.closing) return DONE;
    const conn = this.conn;
    // While readable, conn.read() never suspends: it returns a chunk, DONE, or throws the socket error.
    return conn.readable ? (conn.read() as Uint8Array | Done) : null;
  }

  waitReadable(fn: Callback): void {
    this.reader = fn;
    this.conn.waitReadable(wakeReader);
  }

  /** @internal the connection became readable: the parked reader runs once. */
  wakeReader(): void {
    const fn = this.reader;
    this.reader = null;
    if (fn !== null) typeof fn === 'function' ? fn() : fn.readable();
  }

  write(bytes: Uint8Array): void {
    this.conn.owner.reactor.write(this.conn, bytes);
  }

  writePair(head: Uint8Array, body: Uint8Array): void {
    this.conn.owner.reactor.writePair(this.conn, head, body);
  }

  receiveWith(copier: ReceiveCopier | null): void {
    this.copier = copier;
    if (copier === null) return;
    // Leftovers queued before (after the 101, or plain chunks of this turn) are copied again: few bytes, order kept.
    const conn = this.conn;
    const queued: Uint8Array[] = [];
    for (let c = conn.shift(); c !== null; c = conn.shift()) queued.push(c);
    for (const c of queued) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.length);
      copier.copy(b, 0, b.length, conn);
    }
  }

  flush(): void {
    this.conn.owner.reactor.flush();
  }

  get bufferedAmount(): number {
    return this.conn.backlogBytes;
  }

  whenDrained(): Promise<void> | null {
    const conn = this.conn;
    if (conn.backlogBytes === 0 || conn.closed) return null;
    // A failure or a close ends the wait too: the protocol looks at its own state afterwards.
    return conn.whenDrained().then(ignore, ignore);
  }

  setIdleTimeout(ms: number, onIdle: Callback): void {
    const conn = this.conn;
    this.onIdle = ms > 0 ? onIdle : null;
    conn.upgradedTimeoutMs = ms > 0 ? ms : 0;
    if (conn.phase === Phase.Upgraded) conn.enter(Phase.Upgraded);
  }

  /** @internal the idle deadline passed: the protocol's callback runs once, and the clock stops until it re-arms. */
  idle(): boolean {
    const fn = this.onIdle;
    if (fn === null) return false;
    this.onIdle = null;
    this.conn.upgradedTimeoutMs = 0;
    typeof fn === 'function' ? fn() : fn.idle();
    return true;
  }

  /** @internal the server began a graceful shutdown. */
  shutdown(): void {
    const fn = this.onShutdown;
    this.onShutdown = null;
    if (fn !== null) typeof fn === 'function' ? fn() : fn.shutdown();
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    // The linger reads the input from now on: a reader the protocol parked runs once instead, to see that it is over.
    const parked = this.reader;
    this.reader = null;
    void lingerClose(this.conn);
    if (parked !== null) typeof parked === 'function' ? parked() : parked.readable();
  }

  destroy(): void {
    this.conn.destroy();
  }

  reportError(error: unknown): void {
    this.conn.owner.settings.onException(error, null);
  }

  get signal(): AbortSignal {
    return this.conn.signal;
  }

  get shuttingDown(): boolean {
    return this.conn.owner.shuttingDown;
  }

  get transport(): TransportInfo {
    return this.conn.transportInfo();
  }

  get remoteAddress(): string | null {
    return this.conn.remoteAddress();
  }
}
