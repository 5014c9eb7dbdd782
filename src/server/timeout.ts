// One timeout manager for every connection (Warp's Timeout.hs): a handle holds a deadline on a coarse clock, a tickle
// is one field write, and a single unref'd sweeper closes whatever is overdue about once a second.

/** A timed thing: its deadline (ms on the manager's clock), or Infinity while paused. */
export interface TimeoutHandle {
  /** When to fire; Infinity = paused or cancelled. */
  deadline: number;
  /** Called once when the deadline passes (the sweeper then forgets the handle). */
  onTimeout(): void;
}

/** Ticks a coarse clock and fires overdue handles. */
export class TimeoutManager {
  /** The coarse clock (ms), updated by each sweep: for measuring elapsed time where a second's error is fine. */
  now: number;
  private readonly handles = new Set<TimeoutHandle>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 1000, private readonly clock: () => number = Date.now) {
    this.now = clock();
  }

  /** Starts tracking a handle. */
  add(handle: TimeoutHandle): void {
    this.handles.add(handle);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Stops tracking a handle. */
  remove(handle: TimeoutHandle): void {
    this.handles.delete(handle);
    if (this.handles.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /**
   * Sets a handle's deadline `ms` from now (a tickle: one write plus a clock read, ~25 ns). Reading the real clock
   * here, not the sweep's coarse one, means a timeout never fires early; it fires at most one interval late.
   */
  arm(handle: TimeoutHandle, ms: number): void {
    handle.deadline = this.clock() + ms;
  }

  /** Fires every overdue handle (public for tests; the timer calls it). */
  sweep(): void {
    const now = (this.now = this.clock());
    const overdue: TimeoutHandle[] = [];
    for (const h of this.handles) if (h.deadline <= now) overdue.push(h);
    for (const h of overdue) {
      this.handles.delete(h);
      h.deadline = Infinity;
      h.onTimeout();
    }
    if (this.handles.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Stops the sweeper and forgets every handle. */
  close(): void {
    this.handles.clear();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
