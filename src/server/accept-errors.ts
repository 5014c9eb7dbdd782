// accept4 failures (EMFILE, ENFILE, ENOBUFS…) reported once per interval with a count, not once per failure: out of
// descriptors under load, native retries accept many times a second (it backs off until an fd is free, see
// src/native/accept.cc), and a stack trace per retry buried every other line of the log.

/** One summary of accept failures: the first of a burst, or how many more came within the interval. */
export class AcceptError extends Error {
  /** The errno name of the last failure ('EMFILE'). */
  readonly code: string;
  readonly syscall = 'accept4';
  /** Failures this report covers. */
  readonly count: number;

  constructor(code: string, count: number, first: boolean, intervalMs: number) {
    const what = EXPLANATIONS[code] ?? code;
    super(first
      ? `accept4 failed: ${what} (${code}); new connections wait in the backlog until a descriptor is free`
      : `accept4 failed ${count} more time(s) in the last ${Math.round(intervalMs / 1000)} s: ${what} (${code})`);
    this.name = 'AcceptError';
    this.code = code;
    this.count = count;
    // The stack would only show the reactor's dispatch loop: the message says everything.
    this.stack = `${this.name}: ${this.message}`;
  }
}

const EXPLANATIONS: Readonly<Record<string, string>> = {
  EMFILE: 'this process has no file descriptor left (raise `ulimit -n`)',
  ENFILE: 'the system has no file descriptor left',
  ENOBUFS: 'out of socket buffer memory',
  ENOMEM: 'out of memory',
};

/** Default reporting interval. */
export const ACCEPT_ERROR_INTERVAL_MS = 10_000;

/** Collects accept failures and reports the first at once, then one count per interval while they continue. */
export class AcceptErrorLog {
  #pending = 0;
  #lastCode = '';
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly report: (error: AcceptError) => void, private readonly intervalMs = ACCEPT_ERROR_INTERVAL_MS) {}

  /** Whether a burst is open: failures now are counted into the next report rather than reported at once. */
  get bursting(): boolean {
    return this.#timer !== null;
  }

  /** One failure (a SysError from the reactor: `code` is its errno name). */
  record(error: Error): void {
    const code = (error as { code?: unknown }).code;
    this.#lastCode = typeof code === 'string' ? code : 'UNKNOWN';
    if (this.#timer !== null) {
      this.#pending++;
      return;
    }
    this.report(new AcceptError(this.#lastCode, 1, true, this.intervalMs));
    this.#arm();
  }

  /** Report what is pending and stop the timer (the server is closing). */
  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#flush();
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      // A quiet interval ends the burst: the next failure is reported at once again.
      if (this.#flush()) this.#arm();
    }, this.intervalMs);
    this.#timer.unref();
  }

  #flush(): boolean {
    if (this.#pending === 0) return false;
    const count = this.#pending;
    this.#pending = 0;
    this.report(new AcceptError(this.#lastCode, count, false, this.intervalMs));
    return true;
  }
}
