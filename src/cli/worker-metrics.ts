// A worker's side of the summed metrics (`--workers N --metrics-path`): a scrape reaches one worker, chosen by the
// kernel, so alone it would see that worker's counts, and Prometheus would see counters jump back and forth between
// scrapes. So the worker asks the supervisor, which collects every worker's counts (this one's included) and answers
// with the sum; the worker renders it. prom-client's AggregatorRegistry does the same for node:cluster.
import type { MetricsSnapshot } from '../middleware/index.js';
import type { SupervisorMessage, WorkerMessage } from './worker-protocol.js';

/** How long a scrape waits for the supervisor's sum before it answers 503. */
export const METRICS_QUERY_TIMEOUT_MS = 3000;

type Send = (message: WorkerMessage) => void;

export class WorkerMetricsLink {
  readonly #pending = new Map<number, (sum: MetricsSnapshot | null) => void>();
  #nextId = 1;
  /** This worker's own counts (set once its server runs; null until then, or without --metrics-path). */
  local: (() => MetricsSnapshot) | null = null;

  constructor(private readonly send: Send, private readonly timeoutMs = METRICS_QUERY_TIMEOUT_MS) {}

  /** What the metrics path calls: the sum over every worker, or null when it did not come in time. */
  collect = (): Promise<MetricsSnapshot | null> => new Promise((resolve) => {
    const id = this.#nextId++;
    this.#pending.set(id, resolve);
    setTimeout(() => {
      if (this.#pending.delete(id)) resolve(null);
    }, this.timeoutMs);
    this.send({ kind: 'metrics-query', id });
  });

  /** Handles a supervisor message if it is about metrics; false otherwise. */
  onMessage(m: SupervisorMessage): boolean {
    if (m.kind === 'metrics-collect') {
      if (this.local !== null) this.send({ kind: 'metrics', id: m.id, snapshot: this.local() });
      return true;
    }
    if (m.kind === 'metrics-result') {
      const resolve = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      resolve?.(m.snapshot);
      return true;
    }
    return false;
  }
}
