// The supervisor's side of the summed metrics: on a worker's `metrics-query`, ask every serving worker for its counts
// and answer with their sum plus the last counts of the workers that have drained and exited (a reload replaces every
// worker; without those, every counter would fall back to zero). A worker that does not answer in time makes the
// whole answer null (the scrape gets a 503): a sum with a part missing would make counters go backwards. A worker
// that dies without draining (SIGKILL, a crash) takes its counts with it; Prometheus's rate() reads that as a reset.
import type { ChildProcess } from 'node:child_process';
import { addMetrics, NO_METRICS, type MetricsSnapshot } from '../middleware/index.js';
import type { SupervisorMessage } from './worker-protocol.js';

/** How long the supervisor waits for every worker's counts. */
export const METRICS_COLLECT_TIMEOUT_MS = 2000;

/** A worker as the aggregator sees it. */
export interface MetricsMember {
  readonly child: ChildProcess;
  /** Whether it listens (a starting worker has counted nothing and may not handle messages yet). */
  serving(): boolean;
}

export class MetricsAggregator {
  /** The summed last counts of workers that drained. */
  #retired: MetricsSnapshot = NO_METRICS;
  /** Workers whose last counts are in #retired: never asked again, never counted twice. */
  readonly #final = new WeakSet<ChildProcess>();
  /** Answers awaited, by collect id, per worker. */
  readonly #waiting = new Map<number, Map<ChildProcess, (s: MetricsSnapshot) => void>>();
  #nextId = 1;

  constructor(private readonly timeoutMs = METRICS_COLLECT_TIMEOUT_MS) {}

  /** A worker's `metrics` answer. */
  answer(child: ChildProcess, id: number, snapshot: MetricsSnapshot): void {
    this.#waiting.get(id)?.get(child)?.(snapshot);
  }

  /** A worker's `metrics-final`: its counts join the retired sum (its gauge, open connections, does not). */
  retire(child: ChildProcess, snapshot: MetricsSnapshot): void {
    if (this.#final.has(child)) return;
    this.#final.add(child);
    this.#retired = addMetrics(this.#retired, { ...snapshot, connections: 0 });
    // A collect waiting on it takes nothing from it: its counts are in #retired now.
    for (const waiting of this.#waiting.values()) waiting.get(child)?.(NO_METRICS);
  }

  /** The sum over `members` and the retired, or null if one of them did not answer in time. */
  async collect(members: Iterable<MetricsMember>): Promise<MetricsSnapshot | null> {
    const id = this.#nextId++;
    const waiting = new Map<ChildProcess, (s: MetricsSnapshot) => void>();
    this.#waiting.set(id, waiting);
    const asked: ChildProcess[] = [];
    const answers: Promise<MetricsSnapshot>[] = [];
    for (const m of members) {
      if (!m.serving() || !m.child.connected || this.#final.has(m.child)) continue;
      const child = m.child;
      asked.push(child);
      answers.push(new Promise<MetricsSnapshot>((resolve) => {
        // An exit before it answers: its final counts (if it drained) are in #retired by then.
        const exited = (): void => resolve(NO_METRICS);
        child.once('exit', exited);
        waiting.set(child, (snapshot) => {
          child.off('exit', exited);
          resolve(snapshot);
        });
        const message: SupervisorMessage = { kind: 'metrics-collect', id };
        child.send(message, (err) => err && waiting.get(child)?.(NO_METRICS));
      }));
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.timeoutMs)));
    try {
      const got = await Promise.race([Promise.all(answers), late]);
      if (got === null) return null;
      // A worker that retired after it answered is counted in #retired, not twice: its answer is left out.
      let sum = this.#retired;
      got.forEach((snapshot, i) => {
        if (!this.#final.has(asked[i]!)) sum = addMetrics(sum, snapshot);
      });
      return sum;
    } finally {
      clearTimeout(timer);
      // Whatever did not answer stops waiting (and drops its exit listener).
      for (const settle of waiting.values()) settle(NO_METRICS);
      this.#waiting.delete(id);
    }
  }
}
