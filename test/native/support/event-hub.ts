// Test harness over the real addon: one init() per process, events copied out and queued per fd for awaiting tests.
// EV_ACCEPT records are queued under their listener fd, so a test awaits `next(listenFd)` for new connections.
import type { TestFn } from 'ava';
import { readdirSync } from 'node:fs';
import { EVENT_RECORD_INT32, EV_ACCEPT, EV_DATA, EV_INOTIFY, loadNative } from '../../../src/native/index.js';
import type { NativeBinding } from '../../../src/native/index.js';

/** One event record, with its bytes copied out of the shared recv buffer (EV_DATA; EV_INOTIFY: its name, if any). */
export interface HubEvent {
  fd: number;
  kind: number;
  a: number;
  b: number;
  data: Buffer | null;
}

/** Sizes of the arrays handed to init(). */
export interface HubOptions {
  eventRecords: number;
  recvBytes: number;
}

/** Per-turn log entry: how many records and recv bytes one onEvents call delivered. */
export interface TurnLog {
  records: number;
  bytes: number;
  kinds: number[];
}

/** Collects events per fd; tests await them. */
export class EventHub {
  readonly native: NativeBinding;
  readonly turns: TurnLog[] = [];
  /** Called synchronously for each record while the batch is being delivered (before it is queued). */
  onRecord: ((event: HubEvent) => void) | null = null;
  private readonly events: Int32Array;
  private readonly recvBuffer: Uint8Array;
  private readonly queues = new Map<number, HubEvent[]>();
  private readonly waiters = new Map<number, (event: HubEvent) => void>();

  constructor(native: NativeBinding, options: HubOptions) {
    this.native = native;
    this.events = new Int32Array(options.eventRecords * EVENT_RECORD_INT32);
    this.recvBuffer = new Uint8Array(options.recvBytes);
    native.init((count) => this.deliver(count), this.events, this.recvBuffer);
  }

  /** Resolves with the next event queued under key (a connection fd, or a listener fd for EV_ACCEPT). */
  next(key: number): Promise<HubEvent> {
    const queued = this.queues.get(key)?.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.waiters.has(key)) throw new Error(`two waiters for fd ${key}`);
    return new Promise((resolve) => this.waiters.set(key, resolve));
  }

  /** Closes a connection and drops what is still queued under its fd, so the number's next owner starts clean. */
  close(fd: number): void {
    this.native.close(fd);
    this.queues.delete(fd);
  }

  /** A connected AF_UNIX socket pair, registered with nobody yet (a failure throws with its errno). */
  pair(): [number, number] {
    const result = this.native.socketpair();
    if (typeof result === 'number') throw new Error(`socketpair ${result}`);
    return result;
  }

  /** Events already queued under key (not awaited yet). */
  pending(key: number): number {
    return this.queues.get(key)?.length ?? 0;
  }

  /** Reads EV_DATA for fd until `bytes` bytes arrived or a non-data event came; returns the bytes and that event. */
  async read(fd: number, bytes: number): Promise<{ data: Buffer; end: HubEvent | null }> {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < bytes) {
      const event = await this.next(fd);
      if (event.kind !== EV_DATA || event.data === null) return { data: Buffer.concat(chunks), end: event };
      chunks.push(event.data);
      total += event.data.length;
    }
    return { data: Buffer.concat(chunks), end: null };
  }

  private deliver(count: number): void {
    const log: TurnLog = { records: count, bytes: 0, kinds: [] };
    for (let i = 0; i < count; i++) {
      const base = i * EVENT_RECORD_INT32;
      const fd = this.events[base]!;
      const kind = this.events[base + 1]!;
      const a = this.events[base + 2]!;
      const b = this.events[base + 3]!;
      // Copy: the shared buffer is overwritten next turn.
      const data = kind === EV_DATA ? Buffer.from(this.recvBuffer.subarray(a, a + b))
        : kind === EV_INOTIFY && b >= 0 ? Buffer.from(this.recvBuffer.subarray(b, this.recvBuffer.indexOf(0, b))) : null;
      if (data !== null) log.bytes += data.length;
      log.kinds.push(kind);
      const event = { fd, kind, a, b, data };
      this.onRecord?.(event);
      this.enqueue(kind === EV_ACCEPT ? a : fd, event);
    }
    this.turns.push(log);
  }

  private enqueue(key: number, event: HubEvent): void {
    const waiter = this.waiters.get(key);
    if (waiter !== undefined) {
      this.waiters.delete(key);
      waiter(event);
      return;
    }
    const queue = this.queues.get(key) ?? [];
    queue.push(event);
    this.queues.set(key, queue);
  }
}

let shared: EventHub | undefined;

/** The process-wide hub (init() may run once per JS environment). */
export function useHub(options: HubOptions = { eventRecords: 4096, recvBytes: 1 << 20 }): EventHub {
  shared ??= new EventHub(loadNative(), options);
  return shared;
}

/** Fails the file's run if it ends with more (or fewer) open fds than it started with. */
export function checkFdLeaks(test: TestFn): void {
  let before = 0;
  test.before(() => {
    before = countOpenFds();
  });
  test.after.always('no fd leaks', (t) => {
    t.is(countOpenFds(), before);
  });
}

/** Open file descriptors of this process (for leak checks around a test file). */
export function countOpenFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Resolves after n macrotask turns of the event loop. */
export async function waitTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setTimeout(resolve, 1));
}
