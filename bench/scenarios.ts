// Scenario table: what load each group of targets gets, and what a correct response looks like.
// Names carry their group ("hello-ka-c64") so one --scenario regex selects across the whole table.
import { FILE_SIZES, INDEX_HTML_BYTES, JSON_PAYLOAD_BYTES } from './setup.js';

/** Which kind of target a scenario applies to. */
export type ScenarioGroup = 'hello' | 'static' | 'gzip' | 'echo' | 'fetch' | 'ws' | 'lb';

/** How the load is generated: wrk, the big-buffer sink client (large files), the upload client (echo), the idle client
 *  (memory: N keep-alive connections that each made one request and then stay silent), or the WebSocket client
 *  (bench/peers/ws-load.c: echo round trips, publish fan-out, or idle sockets). */
export type Load =
  | { kind: 'wrk'; conns: number; pipeline: number; headers: string[]; timeoutS: number }
  | { kind: 'sink'; conns: number }
  | { kind: 'upload'; conns: number; bytes: number }
  | { kind: 'idle'; conns: number }
  | { kind: 'ws'; mode: 'echo' | 'publish'; conns: number; bytes: number; window: number }
  | { kind: 'ws-idle'; conns: number };

/**
 * What a scenario's headline figure measures: request rate, MB/s, KiB per idle connection, or server CPU µs per
 * message (WebSocket; its ratios are CPU over the peer's CPU, so lower is better, as for memory).
 */
export type ScenarioMetric = 'rps' | 'MBps' | 'KiBperConn' | 'cpuPerMsg';

/** The response a target must give before it is loaded (a fast wrong server must not win). */
export interface Expectation {
  status: number;
  bodyBytes: number;
  /** Content-Encoding the response must carry; bodyBytes is then the decoded length. */
  encoding?: 'gzip';
}

/** One load shape against one URL path. */
export interface Scenario {
  name: string;
  group: ScenarioGroup;
  path: string;
  load: Load;
  /** Part of the `--quick` smoke run. */
  quick: boolean;
  /** Headline figure for ratios: requests/s, MB/s for byte-moving scenarios, KiB of server RSS per idle connection. */
  metric: ScenarioMetric;
  expect: Expectation;
  note: string;
}

/** Body of every hello target: "Hello, World!". */
export const HELLO_BYTES = 13;
/** Body of the Hono `GET /json` targets: {"message":"Hello, World!"}. */
export const HONO_JSON_BYTES = 27;
/** Size of the echo scenario's upload. */
export const UPLOAD_BYTES = 64 * 1024 * 1024;

const wrk = (conns: number, extra: Partial<{ pipeline: number; headers: string[]; timeoutS: number }> = {}): Load => ({
  kind: 'wrk', conns, pipeline: extra.pipeline ?? 1, headers: extra.headers ?? [], timeoutS: extra.timeoutS ?? 10,
});
const hello = { status: 200, bodyBytes: HELLO_BYTES };
/** A WebSocket target must upgrade (101) and echo a probe message of this size before it is loaded. */
const WS_ECHO = { status: 101, bodyBytes: 64 };
/** An If-Modified-Since after any file's mtime: every server answers 304 (nginx with `if_modified_since before`). */
const LATER = 'Fri, 01 Jan 2100 00:00:00 GMT';
const page = { status: 200, bodyBytes: INDEX_HTML_BYTES };

/** Every scenario, in table order. */
export const SCENARIOS: readonly Scenario[] = [
  { name: 'hello-ka-c1', group: 'hello', path: '/', load: wrk(1), quick: false, metric: 'rps', expect: hello,
    note: 'keep-alive, 1 connection: latency bound' },
  { name: 'hello-ka-c64', group: 'hello', path: '/', load: wrk(64), quick: true, metric: 'rps', expect: hello,
    note: 'keep-alive, 64 connections' },
  { name: 'hello-ka-c1000', group: 'hello', path: '/', load: wrk(1000), quick: false, metric: 'rps', expect: hello,
    note: 'keep-alive, 1000 connections: accept and fairness' },
  { name: 'hello-pipe16-c64', group: 'hello', path: '/', load: wrk(64, { pipeline: 16 }), quick: false, metric: 'rps', expect: hello,
    note: '16 pipelined requests per write (p50/p99 not measurable)' },
  { name: 'hello-close-c64', group: 'hello', path: '/', load: wrk(64, { headers: ['Connection: close'] }), quick: false,
    metric: 'rps', expect: hello, note: 'Connection: close, a new connection per request' },
  { name: 'idle-ka-c10000', group: 'hello', path: '/', load: { kind: 'idle', conns: 10_000 }, quick: false, metric: 'KiBperConn',
    expect: hello, note: '10,000 idle keep-alive connections after one request each: server RSS per connection' },
  { name: 'static-ka-c1', group: 'static', path: '/index.html', load: wrk(1), quick: false, metric: 'rps', expect: page,
    note: '151 B file, 1 connection' },
  { name: 'static-ka-c64', group: 'static', path: '/index.html', load: wrk(64), quick: true, metric: 'rps', expect: page,
    note: '151 B file, 64 connections' },
  { name: 'static-ka-c1000', group: 'static', path: '/index.html', load: wrk(1000), quick: false, metric: 'rps', expect: page,
    note: '151 B file, 1000 connections' },
  // A single range and a revalidation must cost what a plain GET costs (issue 15); compare with static-ka-c64.
  { name: 'static-range-c64', group: 'static', path: '/index.html', load: wrk(64, { headers: ['Range: bytes=10-99'] }), quick: false,
    metric: 'rps', expect: { status: 206, bodyBytes: 90 }, note: '151 B file, a 90 B range, 64 connections' },
  { name: 'static-304-c64', group: 'static', path: '/index.html', load: wrk(64, { headers: [`If-Modified-Since: ${LATER}`] }), quick: false,
    metric: 'rps', expect: { status: 304, bodyBytes: 0 }, note: '151 B file revalidated (304, one send), 64 connections' },
  { name: 'static-close-c64', group: 'static', path: '/index.html', load: wrk(64, { headers: ['Connection: close'] }), quick: false,
    metric: 'rps', expect: page, note: '151 B file, Connection: close' },
  { name: 'static-file1m-c16', group: 'static', path: '/1m.bin', load: { kind: 'sink', conns: 16 }, quick: true, metric: 'MBps',
    expect: { status: 200, bodyBytes: FILE_SIZES['1m.bin'] }, note: '1 MiB file, sink client (1 MiB reads)' },
  { name: 'static-file100m-c16', group: 'static', path: '/100m.bin', load: { kind: 'sink', conns: 16 }, quick: false, metric: 'MBps',
    expect: { status: 200, bodyBytes: FILE_SIZES['100m.bin'] }, note: '100 MiB file, sink client' },
  { name: 'gzip-json-c16', group: 'gzip', path: '/json', load: wrk(16, { headers: ['Accept-Encoding: gzip'] }), quick: true,
    metric: 'rps', expect: { status: 200, bodyBytes: JSON_PAYLOAD_BYTES, encoding: 'gzip' }, note: '100 KiB JSON, gzip on the fly' },
  { name: 'echo-upload64m-c1', group: 'echo', path: '/echo', load: { kind: 'upload', conns: 1, bytes: UPLOAD_BYTES }, quick: true,
    metric: 'MBps', expect: { status: 200, bodyBytes: UPLOAD_BYTES }, note: '64 MiB POST streamed back (upload client)' },
  { name: 'fetch-hello-ka-c64', group: 'fetch', path: '/', load: wrk(64), quick: true, metric: 'rps', expect: hello,
    note: 'a fetch handler returning new Response(hello), 64 connections' },
  { name: 'fetch-hono-json-ka-c64', group: 'fetch', path: '/json', load: wrk(64), quick: true, metric: 'rps',
    expect: { status: 200, bodyBytes: HONO_JSON_BYTES }, note: 'a Hono app, GET /json (c.json), 64 connections' },
  { name: 'ws-echo64-c100', group: 'ws', path: '/echo', load: { kind: 'ws', mode: 'echo', conns: 100, bytes: 64, window: 1 }, quick: true,
    metric: 'cpuPerMsg', expect: WS_ECHO, note: '64-byte binary messages echoed, 100 connections, one message in flight on each' },
  { name: 'ws-echo64k-c16', group: 'ws', path: '/echo', load: { kind: 'ws', mode: 'echo', conns: 16, bytes: 64 * 1024, window: 1 }, quick: true,
    metric: 'cpuPerMsg', expect: WS_ECHO, note: '64 KiB binary messages echoed, 16 connections' },
  { name: 'ws-publish64-s1000', group: 'ws', path: '/pub', load: { kind: 'ws', mode: 'publish', conns: 1000, bytes: 64, window: 8 }, quick: true,
    metric: 'cpuPerMsg', expect: WS_ECHO, note: '64-byte messages published to 1,000 subscribers (8 publishes in flight); per delivered message' },
  { name: 'ws-idle-c10000', group: 'ws', path: '/echo', load: { kind: 'ws-idle', conns: 10_000 }, quick: false, metric: 'KiBperConn',
    expect: WS_ECHO, note: '10,000 open, silent WebSockets: server RSS per socket' },
  // Behind one HAProxy (mode tcp, send-proxy-v2, as an AWS NLB): the server parses a PROXY v2 header per connection.
  { name: 'lb-static-ka-c64', group: 'lb', path: '/index.html', load: wrk(64), quick: false, metric: 'rps', expect: page,
    note: '151 B file behind HAProxy send-proxy-v2, keep-alive, 64 connections' },
  { name: 'lb-static-close-c64', group: 'lb', path: '/index.html', load: wrk(64, { headers: ['Connection: close'] }), quick: false,
    metric: 'rps', expect: page, note: '151 B file behind HAProxy send-proxy-v2, Connection: close (a header per request)' },
];

/** Scenarios of a group that pass the filters (`quick` keeps only the smoke subset). */
export function selectScenarios(group: ScenarioGroup, filter: RegExp, quick: boolean): Scenario[] {
  return SCENARIOS.filter((s) => s.group === group && filter.test(s.name) && (!quick || s.quick));
}

/** Finds a scenario by exact name. */
export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
