// One timeout manager for every connection of a server (Warp's Timeout.hs): a handle holds a deadline on the real
// clock, arming it is one field write, and a single unref'd sweeper closes whatever is overdue about once a second.
// Key decision: handles live in one dense array (each knows its slot), so adding and removing a connection is O(1)
// with no hashing, and the sweep is a linear scan. A timer wheel would make each re-arm move a handle between
// buckets; a keep-alive connection re-arms several times per request but is swept once a second, so scanning wins.

/** The event loop's time: read once as an event batch starts and shared by everything that batch runs, else null. */
let batchTime: number | null = null;

/**
 * Now on the loop's clock (ms since the epoch): the current event batch's start while one is being dispatched, else
 * the real clock. One clock read per batch instead of several per request (Date.now costs ~100 ns on a VM's
 * kvm-clock); nginx (ngx_current_msec) and libuv (uv_now, which node's own timers use) cache their time the same way.
 */
export function loopNow(): number {
  return batchTime ?? Date.now();
}

/** The reactor starts dispatching an event batch: loopNow() answers its start time until endBatch(). */
export function beginBatch(): void {
  batchTime = Date.now();
}

/** The batch and the loops it woke have run: loopNow() reads the real clock again (async continuations run later). */
export function endBatch(): void {
  batchTime = null;
}

/** A timed thing: its deadline (ms on the manager's clock), or Infinity while paused. */
export interface TimeoutHandle {
  /** When to fire; Infinity = paused or cancelled. */
  deadline: number;
  /** This handle's index in its manager (-1 when not tracked); owned by the manager. */
  slot: number;
  /** Called once when the deadline passes (the sweeper then forgets the handle). */
  onTimeout(): void;
}

/** Ticks a coarse clock and fires overdue handles. */
export class TimeoutManager<H extends TimeoutHandle = TimeoutHandle> {
  /** The coarse clock (ms), updated by each sweep: for measuring elapsed time where a second's error is fine. */
  now: number;
  private readonly handles: H[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 1000, readonly clock: () => number = loopNow) {
    this.now = clock();
  }

  /** How many handles are tracked. */
  get size(): number {
    return this.handles.length;
  }

  /** Starts tracking a handle. */
  add(handle: H): void {
    if (handle.slot >= 0) return;
    handle.slot = this.handles.length;
    this.handles.push(handle);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Stops tracking a handle (the last handle moves into its slot). */
  remove(handle: H): void {
    const i = handle.slot;
    const handles = this.handles;
    if (i < 0 || handles[i] !== handle) return;
    const last = handles.pop()!;
    if (last !== handle) {
      handles[i] = last;
      last.slot = i;
    }
    handle.slot = -1;
    // The sweeper stays when the last handle goes: a server taking one short connection at a time (behind a balancer,
    // Connection: close) would otherwise make and clear an interval per connection. The next sweep stops it if the
    // manager is still empty then (it is unref'd, so it never keeps the process alive meanwhile).
  }

  /**
   * Sets a handle's deadline `ms` from now (a tickle: one write, plus a clock read outside an event batch). The clock
   * is the loop's (the batch's start, as for libuv's timers), not the sweep's coarse one, so a timeout never fires
   * before `ms` have passed since the event that armed it was taken in; it fires at most one interval late.
   */
  arm(handle: H, ms: number): void {
    handle.deadline = ms === Infinity ? Infinity : this.clock() + ms;
  }

  /** Calls `fn` on every tracked handle (graceful shutdown walks a server's connections this way). */
  forEach(fn: (handle: H) => void): void {
    // A copy: fn may close handles, which reorders the array.
    for (const h of this.handles.slice()) fn(h);
  }

  /** Fires every overdue handle (public for tests; the timer calls it). */
  sweep(): void {
    const now = (this.now = this.clock());
    let overdue: H[] | null = null;
    for (const h of this.handles) if (h.deadline <= now) (overdue ??= []).push(h);
    if (overdue !== null) {
      for (const h of overdue) {
        this.remove(h);
        h.deadline = Infinity;
        h.onTimeout();
      }
    }
    if (this.handles.length === 0) this.stopTimer();
  }

  /** Stops the sweeper and forgets every handle. */
  close(): void {
    for (const h of this.handles) h.slot = -1;
    this.handles.length = 0;
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
