// Buffered, non-blocking log output. Key decisions: lines are batched (one write per flushIntervalMs or per
// bufferBytes), a file is written through fs.WriteStream (libuv's threadpool, never the event loop), a slow
// destination is respected through 'drain', and past maxPendingBytes lines are dropped and counted rather than
// letting memory grow or the server stall.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/** Where and how a LogWriter writes. */
export interface LogWriterOptions {
  /**
   * A file path (opened for appending) or a Writable. Default process.stdout; note that Node writes to stdout
   * synchronously when it is a file or a terminal, so give a path for a log file.
   */
  readonly to?: string | Writable;
  /** Longest a line waits before it is written. Default 100 ms. */
  readonly flushIntervalMs?: number;
  /** Write as soon as this much is pending. Default 64 KiB. */
  readonly bufferBytes?: number;
  /** Drop lines while this much is waiting on a slow destination. Default 16 MiB. */
  readonly maxPendingBytes?: number;
}

/** Default batching period. */
export const DEFAULT_FLUSH_INTERVAL_MS = 100;

/** Lines to a destination, batched. */
export class LogWriter {
  /** Lines dropped because the destination was too slow or failed. */
  dropped = 0;
  /** The destination's error, once it has failed (later lines are dropped). */
  failure: Error | null = null;
  private readonly out: Writable;
  private readonly owned: boolean;
  private readonly intervalMs: number;
  private readonly bufferBytes: number;
  private readonly maxPending: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private blocked = false;
  private closed = false;

  constructor(options: LogWriterOptions = {}) {
    const to = options.to ?? process.stdout;
    this.owned = typeof to === 'string';
    this.out = typeof to === 'string' ? createWriteStream(to, { flags: 'a' }) : to;
    this.intervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.bufferBytes = options.bufferBytes ?? 64 * 1024;
    this.maxPending = options.maxPendingBytes ?? 16 * 1024 * 1024;
    this.out.on('error', (e: Error) => {
      this.failure ??= e;
      this.dropped += this.pending.length;
      this.pending = [];
      this.pendingBytes = 0;
    });
  }

  /** Queues one line (a newline is added). Never blocks; drops the line when too much is waiting. */
  write(line: string): void {
    if (this.closed || this.failure !== null || this.pendingBytes + line.length > this.maxPending) {
      this.dropped++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= this.bufferBytes) this.flush();
    else if (this.timer === null && !this.blocked) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.intervalMs);
      this.timer.unref(); // a pending log line never keeps the process alive
    }
  }

  /** Writes what is queued now (unless the destination asked us to wait for 'drain'). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.blocked || this.pending.length === 0 || this.failure !== null) return;
    const chunk = this.pending.join('\n') + '\n';
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.out.write(chunk)) {
      this.blocked = true;
      this.out.once('drain', () => {
        this.blocked = false;
        this.flush();
      });
    }
  }

  /** Flushes and, for a file it opened, closes it; resolves once everything queued is handed to the OS. */
  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    if (this.owned) {
      await new Promise<void>((resolve) => {
        if (this.blocked) this.out.once('drain', () => this.out.end(resolve));
        else this.out.end(resolve);
      });
    } else if (this.blocked) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }
}
