// Prometheus text metrics for one server process: requests by status class, response body bytes, open connections
// and a request latency histogram, plus a health check that turns 503 while the server drains. Key decision: plain
// counters fed by Settings.logger (called once per finished request, after the bytes are written), not prom-client:
// its labelled observe() hashes label sets per call, and a dozen numbers need no registry. The exposition format is
// Prometheus's text format 0.0.4.
import { respond, type Middleware, type RequestLog } from '../server/index.js';

/** Latency bucket bounds in seconds (prom-client's defaults). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

/** A process's counts at one moment: what one worker reports to the supervisor, and what several sum to. */
export interface MetricsSnapshot {
  /** Requests per status class, 1xx to 5xx. */
  readonly byClass: readonly number[];
  /** Requests per latency bucket (each counted once, in its smallest bucket; BUCKETS' bounds). */
  readonly buckets: readonly number[];
  readonly bytes: number;
  readonly count: number;
  readonly seconds: number;
  /** Open connections (a gauge: a process that has exited counts 0). */
  readonly connections: number;
}

/** Counts of nothing: the start of a sum. */
export const NO_METRICS: MetricsSnapshot = {
  byClass: CLASSES.map(() => 0), buckets: BUCKETS.map(() => 0), bytes: 0, count: 0, seconds: 0, connections: 0,
};

/** a + b, field by field. */
export function addMetrics(a: MetricsSnapshot, b: MetricsSnapshot): MetricsSnapshot {
  return {
    byClass: a.byClass.map((n, i) => n + b.byClass[i]!),
    buckets: a.buckets.map((n, i) => n + b.buckets[i]!),
    bytes: a.bytes + b.bytes,
    count: a.count + b.count,
    seconds: a.seconds + b.seconds,
    connections: a.connections + b.connections,
  };
}

/** Is this (an IPC payload) a MetricsSnapshot of this version's shape? */
export function isMetricsSnapshot(value: unknown): value is MetricsSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  const counts = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && x >= 0);
  return counts(m.byClass, CLASSES.length) && counts(m.buckets, BUCKETS.length)
    && [m.bytes, m.count, m.seconds, m.connections].every((x) => typeof x === 'number' && x >= 0);
}

/** The Prometheus text (format 0.0.4) of a snapshot. */
export function renderMetrics(s: MetricsSnapshot): string {
  const lines = [
    '# HELP sluice_requests_total Requests answered, by status class.',
    '# TYPE sluice_requests_total counter',
    ...CLASSES.map((c, i) => `sluice_requests_total{code="${c}"} ${s.byClass[i]}`),
    '# HELP sluice_response_bytes_total Response body bytes written.',
    '# TYPE sluice_response_bytes_total counter',
    `sluice_response_bytes_total ${s.bytes}`,
    '# HELP sluice_open_connections Connections open now.',
    '# TYPE sluice_open_connections gauge',
    `sluice_open_connections ${s.connections}`,
    '# HELP sluice_request_duration_seconds Time from a complete request head to the last response byte written.',
    '# TYPE sluice_request_duration_seconds histogram',
  ];
  let cumulative = 0;
  for (let i = 0; i < BUCKETS.length; i++) {
    cumulative += s.buckets[i]!;
    lines.push(`sluice_request_duration_seconds_bucket{le="${BUCKETS[i]}"} ${cumulative}`);
  }
  lines.push(`sluice_request_duration_seconds_bucket{le="+Inf"} ${s.count}`, `sluice_request_duration_seconds_sum ${s.seconds}`,
    `sluice_request_duration_seconds_count ${s.count}`);
  return lines.join('\n') + '\n';
}

/** A process's request metrics. */
export interface ServerMetrics {
  /** A Settings.logger: counts one finished request (chain it with an access log). */
  readonly record: (entry: RequestLog) => void;
  /**
   * Middleware answering GET/HEAD `path` with the metrics text; every other request passes through. With `collect`,
   * the text is what it resolves to (the sum over a supervisor's workers), or a 503 when it resolves to null.
   */
  endpoint(path: string, collect?: () => Promise<MetricsSnapshot | null>): Middleware;
  /** This process's counts now. */
  snapshot(): MetricsSnapshot;
  /** This process's metrics in Prometheus text format. */
  render(): string;
}

const HEADERS = { 'content-type': TEXT_FORMAT, 'cache-control': 'no-store' };

/** New counters; `connections` reads the open-connection gauge (server.connections) when rendering. */
export function serverMetrics(connections: () => number): ServerMetrics {
  const byClass = new Float64Array(CLASSES.length);
  const buckets = new Float64Array(BUCKETS.length);
  let bytes = 0;
  let count = 0;
  let seconds = 0;
  const record = (entry: RequestLog): void => {
    const klass = Math.floor(entry.status / 100) - 1;
    if (klass >= 0 && klass < CLASSES.length) byClass[klass]!++;
    bytes += entry.bytes;
    const s = entry.durationMs / 1000;
    seconds += s;
    count++;
    // Buckets are cumulative in the text; here each request counts once, in its smallest bucket.
    for (let i = 0; i < BUCKETS.length; i++) {
      if (s <= BUCKETS[i]!) {
        buckets[i]!++;
        break;
      }
    }
  };
  const snapshot = (): MetricsSnapshot => ({ byClass: [...byClass], buckets: [...buckets], bytes, count, seconds, connections: connections() });
  return {
    record,
    snapshot,
    render: () => renderMetrics(snapshot()),
    endpoint: (path, collect) => (app) => (req) => {
      if (req.path !== path || (req.method !== 'GET' && req.method !== 'HEAD')) return app(req);
      if (collect === undefined) return respond(200, HEADERS, renderMetrics(snapshot()));
      // A sum with a part missing would make counters go backwards: no answer is better than a wrong one.
      return collect().then((sum) => sum === null
        ? respond(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, 'metrics unavailable: a worker did not answer\n')
        : respond(200, HEADERS, renderMetrics(sum)));
    },
  };
}

/** A readiness endpoint for load balancers: GET/HEAD `path` answers 200 while serving, 503 once `draining()` is true. */
export function healthCheck(path: string, draining: () => boolean): Middleware {
  return (app) => (req) => {
    if (req.path !== path || (req.method !== 'GET' && req.method !== 'HEAD')) return app(req);
    const down = draining();
    return respond(down ? 503 : 200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, down ? 'draining\n' : 'ok\n');
  };
}
