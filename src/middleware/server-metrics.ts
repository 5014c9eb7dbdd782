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

/** A process's request metrics. */
export interface ServerMetrics {
  /** A Settings.logger: counts one finished request (chain it with an access log). */
  readonly record: (entry: RequestLog) => void;
  /** Middleware answering GET/HEAD `path` with the metrics text; every other request passes through. */
  endpoint(path: string): Middleware;
  /** The metrics in Prometheus text format. */
  render(): string;
}

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
  const render = (): string => {
    const lines = [
      '# HELP sluice_requests_total Requests answered, by status class.',
      '# TYPE sluice_requests_total counter',
      ...CLASSES.map((c, i) => `sluice_requests_total{code="${c}"} ${byClass[i]}`),
      '# HELP sluice_response_bytes_total Response body bytes written.',
      '# TYPE sluice_response_bytes_total counter',
      `sluice_response_bytes_total ${bytes}`,
      '# HELP sluice_open_connections Connections open now.',
      '# TYPE sluice_open_connections gauge',
      `sluice_open_connections ${connections()}`,
      '# HELP sluice_request_duration_seconds Time from a complete request head to the last response byte written.',
      '# TYPE sluice_request_duration_seconds histogram',
    ];
    let cumulative = 0;
    for (let i = 0; i < BUCKETS.length; i++) {
      cumulative += buckets[i]!;
      lines.push(`sluice_request_duration_seconds_bucket{le="${BUCKETS[i]}"} ${cumulative}`);
    }
    lines.push(`sluice_request_duration_seconds_bucket{le="+Inf"} ${count}`, `sluice_request_duration_seconds_sum ${seconds}`,
      `sluice_request_duration_seconds_count ${count}`);
    return lines.join('\n') + '\n';
  };
  return {
    record,
    render,
    endpoint: (path) => (app) => (req) => {
      if (req.path !== path || (req.method !== 'GET' && req.method !== 'HEAD')) return app(req);
      return respond(200, { 'content-type': TEXT_FORMAT, 'cache-control': 'no-store' }, render());
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
