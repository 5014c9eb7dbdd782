// The summed metrics of `--workers N --metrics-path`, each side alone: the supervisor's aggregator (collect, retire,
// timeouts, exits) with stand-in worker processes, the worker's link, and the endpoint's 503 when the sum is missing.
// test/behaviour/workers.test.ts runs the whole thing with real workers.
import test from 'ava';
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { MetricsAggregator, METRICS_COLLECT_TIMEOUT_MS } from '../../src/cli/supervisor-metrics.js';
import { WorkerMetricsLink } from '../../src/cli/worker-metrics.js';
import type { SupervisorMessage, WorkerMessage } from '../../src/cli/worker-protocol.js';
import { NO_METRICS, serverMetrics, type MetricsSnapshot } from '../../src/middleware/index.js';
import { empty } from '../../src/conduit/index.js';
import { Request } from '../../src/server/request.js';
import { parseRequestHead } from '../../src/server/request-head.js';

function get(path: string): Request {
  const buf = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1');
  const parsed = parseRequestHead(buf, 0, buf.length);
  if (parsed.kind !== 'head') throw new Error('bad head');
  return new Request(parsed.head, empty(), { remoteAddress: () => '10.1.1.1:5', signal: new AbortController().signal });
}

/** A worker process stand-in: answers metrics-collect with `counts` (or not at all when null). */
class FakeWorker extends EventEmitter {
  connected = true;
  readonly asked: number[] = [];
  constructor(private readonly agg: MetricsAggregator, public counts: MetricsSnapshot | null, private readonly sendFails = false) {
    super();
  }

  send(m: SupervisorMessage, done: (err: Error | null) => void): boolean {
    if (m.kind !== 'metrics-collect') return true;
    this.asked.push(m.id);
    if (this.sendFails) {
      queueMicrotask(() => done(new Error('EPIPE')));
      return false;
    }
    queueMicrotask(() => {
      done(null);
      if (this.counts !== null) this.agg.answer(this as unknown as ChildProcess, m.id, this.counts);
    });
    return true;
  }
}

const counts = (count: number, connections = 1): MetricsSnapshot =>
  ({ ...NO_METRICS, byClass: [0, count, 0, 0, 0], buckets: [count, ...NO_METRICS.buckets.slice(1)], count, bytes: 10 * count, seconds: count / 1000, connections });
const member = (w: FakeWorker, serving = true) => ({ child: w as unknown as ChildProcess, serving: () => serving });

test('the sum covers every serving worker; a starting or disconnected one is not asked', async (t) => {
  const agg = new MetricsAggregator();
  const a = new FakeWorker(agg, counts(3));
  const b = new FakeWorker(agg, counts(4, 2));
  const starting = new FakeWorker(agg, counts(100));
  const gone = new FakeWorker(agg, counts(100));
  gone.connected = false;
  const sum = await agg.collect([member(a), member(b), member(starting, false), member(gone)]);
  t.like(sum, { count: 7, bytes: 70, connections: 3, byClass: [0, 7, 0, 0, 0] });
  t.deepEqual([starting.asked, gone.asked], [[], []]);
  t.is(a.listenerCount('exit'), 0, 'the exit listener goes once the answer is in');
});

test('a drained worker\'s last counts stay in the sum after it exits, never twice, and its gauge leaves', async (t) => {
  const agg = new MetricsAggregator();
  const a = new FakeWorker(agg, counts(3));
  const old = new FakeWorker(agg, counts(5, 4));
  t.like(await agg.collect([member(a), member(old)]), { count: 8, connections: 5 });
  agg.retire(old as unknown as ChildProcess, counts(6, 4));
  agg.retire(old as unknown as ChildProcess, counts(6, 4));
  // Still listed (it has not exited yet): it is not asked again.
  t.like(await agg.collect([member(a), member(old)]), { count: 9, connections: 1 });
  t.is(old.asked.length, 1);
});

test('a worker that retires while a collect waits on it is counted once, from its final counts', async (t) => {
  const agg = new MetricsAggregator();
  const slow = new FakeWorker(agg, null);
  const collecting = agg.collect([member(slow)]);
  agg.retire(slow as unknown as ChildProcess, counts(2));
  t.like(await collecting, { count: 2 });
});

test('a worker that exits or cannot be written to before it answers counts nothing; the rest still sum', async (t) => {
  const agg = new MetricsAggregator();
  const a = new FakeWorker(agg, counts(3));
  const dying = new FakeWorker(agg, null);
  const broken = new FakeWorker(agg, counts(9), true);
  const collecting = agg.collect([member(a), member(dying), member(broken)]);
  dying.emit('exit', null, 'SIGKILL');
  t.like(await collecting, { count: 3 });
});

test('a worker that never answers makes the sum null (a 503), and nothing is left waiting', async (t) => {
  const agg = new MetricsAggregator(30);
  const mute = new FakeWorker(agg, null);
  t.is(await agg.collect([member(new FakeWorker(agg, counts(1))), member(mute)]), null);
  t.is(mute.listenerCount('exit'), 0);
  t.true(METRICS_COLLECT_TIMEOUT_MS > 30, 'the default waits longer than a busy worker\'s turn');
});

test('the worker link asks, answers collects with its own counts, and gives up after its timeout', async (t) => {
  const sent: WorkerMessage[] = [];
  const link = new WorkerMetricsLink((m) => sent.push(m));
  t.true(link.onMessage({ kind: 'metrics-collect', id: 7 }));
  t.deepEqual(sent, [], 'no counts to give before the server runs');
  link.local = () => counts(2);
  link.onMessage({ kind: 'metrics-collect', id: 8 });
  t.deepEqual(sent, [{ kind: 'metrics', id: 8, snapshot: counts(2) }]);
  const asking = link.collect();
  const query = sent[1] as Extract<WorkerMessage, { kind: 'metrics-query' }>;
  t.is(query.kind, 'metrics-query');
  t.true(link.onMessage({ kind: 'metrics-result', id: query.id, snapshot: counts(5) }));
  t.deepEqual(await asking, counts(5));
  t.true(link.onMessage({ kind: 'metrics-result', id: 999, snapshot: null }), 'an answer nobody waits for is dropped');
  t.false(link.onMessage({ kind: 'shutdown' }));
  const impatient = new WorkerMetricsLink(() => {}, 20);
  t.is(await impatient.collect(), null);
});

test('the endpoint renders the collected sum, and answers 503 when there is none', async (t) => {
  const metrics = serverMetrics(() => 0);
  let sum: MetricsSnapshot | null = counts(4, 2);
  const app = metrics.endpoint('/metrics', async () => sum)(() => { throw new Error('not reached'); });
  const ok = await app(get('/metrics'));
  t.is(ok.status, 200);
  t.regex(Buffer.from((ok as { body: Uint8Array }).body).toString(), /^sluice_requests_total\{code="2xx"\} 4$/m);
  sum = null;
  const down = await app(get('/metrics'));
  t.is(down.status, 503);
});
