// The connection as another protocol sees it after `101 Switching Protocols` (hyper's upgrade Parts, warp's
// ResponseRaw): the rest of the resumable input, corked writes, backpressure, an idle clock and a shutdown hook.
import type { ResumableSource } from '../conduit/index.js';
import type { Connection } from './connection.js';
import type { Engine } from './engine.js';
import { Phase } from './phase.js';
import { whenWritableEnough } from './response-writer.js';
import type { TransportInfo } from './transport.js';
import type { UpgradedIO } from './types.js';

/** UpgradedIO over an engine connection. */
export class ConnectionIO implements UpgradedIO {
  readonly input: ResumableSource<Uint8Array>;

  constructor(private readonly conn: Connection<Engine>) {
    this.input = conn.input();
  }

  write(bytes: Uint8Array): void {
    this.conn.owner.reactor.write(this.conn, bytes);
  }

  flush(): void {
    this.conn.owner.reactor.flush();
  }

  get bufferedAmount(): number {
    return this.conn.backlogBytes + this.conn.owner.reactor.corkedBytes(this.conn);
  }

  whenWritable(): Promise<void> | null {
    return whenWritableEnough(this.conn);
  }

  setIdleTimeout(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`idle timeout must be a non-negative number of ms, got ${ms}`);
    this.conn.upgradedTimeoutMs = ms;
    if (this.conn.phase === Phase.Upgraded) this.conn.enter(Phase.Upgraded);
  }

  close(): void {
    this.conn.closeWhenSent();
  }

  destroy(): void {
    this.conn.destroy();
  }

  get signal(): AbortSignal {
    return this.conn.signal;
  }

  get onShutdown(): (() => void) | null {
    return this.conn.protocolShutdown;
  }

  set onShutdown(fn: (() => void) | null) {
    this.conn.protocolShutdown = fn;
  }

  get transport(): TransportInfo {
    return this.conn.transportInfo();
  }

  get remoteAddress(): string | null {
    return this.conn.remoteAddress();
  }
}
