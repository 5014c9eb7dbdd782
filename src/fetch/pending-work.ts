// srvx's and Cloudflare's `waitUntil(promise)`: work a handler starts that outlives its response (logging, cache
// writes). The promises are kept until they settle, a rejection is reported instead of going unhandled, and closing
// the server waits for what is still running (srvx's server.close() does the same).

/** The promises handed to waitUntil and not settled yet. */
export class PendingWork {
  readonly #pending = new Set<Promise<void>>();

  /** `report` is told about a promise that rejects. */
  constructor(private readonly report: (error: unknown) => void) {}

  /** Keeps `promise` until it settles; anything without a `then` is ignored (as srvx does). */
  waitUntil(promise: PromiseLike<unknown>): void {
    if (typeof (promise as { then?: unknown } | null)?.then !== 'function') return;
    const kept: Promise<void> = Promise.resolve(promise).then(
      () => undefined,
      (e: unknown) => this.report(e),
    ).finally(() => this.#pending.delete(kept));
    this.#pending.add(kept);
  }

  /** Resolves once every promise kept so far, and any added meanwhile, has settled. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }
}
