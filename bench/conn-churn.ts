// Connection-churn micro-benchmark: the engine's own JS cost per connection (accept, parse, respond, close), with the
// kernel taken out. A lean in-memory NativeBinding delivers [ACCEPT, DATA] pairs the way the addon does (accept and
// the first read in one batch) and swallows every send. Run pinned: `taskset -c 1 node dist/bench/conn-churn.js`.
// Times are process CPU (user + system) per connection; add --trace-gc to see the garbage a connection leaves.
import { EV_ACCEPT, EV_DATA, EVENT_RECORD_INT32, FLUSH_CLOSE, FLUSH_CLOSED, FLUSH_RECORD_INT32, type NativeBinding } from '../src/native/index.js';
import { Reactor } from '../src/server/reactor.js';
import { Server } from '../src/server/server.js';
import { resolveSettings } from '../src/server/settings.js';
import { respond } from '../src/server/response.js';
import type { Application } from '../src/server/types.js';

const BATCH = Number(process.env.BATCH ?? 64);
const ROUNDS = Number(process.env.ROUNDS ?? 4000);
/** PIPELINE=n: BATCH keep-alive connections, each sent n pipelined requests per round (hello-pipe16's shape). */
const PIPELINE = Number(process.env.PIPELINE ?? 0);
const KEEP_ALIVE = process.env.KEEP_ALIVE === '1' || PIPELINE > 0;
const LISTEN_FD = 3;

/** A NativeBinding whose syscalls all succeed at once and record nothing. */
class ChurnNative {
  onEvents: ((count: number) => void) | null = null;
  events: Int32Array | null = null;
  recvBuffer: Uint8Array | null = null;
  closes = 0;
  init(onEvents: (count: number) => void, events: Int32Array, recvBuffer: Uint8Array): void {
    this.onEvents = onEvents;
    this.events = events;
    this.recvBuffer = recvBuffer;
  }
  listen(): number { return LISTEN_FD; }
  startAccepting(): number { return 0; }
  stopAccepting(): number { return 0; }
  heldConnections(): number { return 0; }
  releaseHeld(): number[] { return []; }
  localPort(): number { return 8080; }
  watch(): number { return 0; }
  setReading(): number { return 0; }
  wantWritable(): number { return 0; }
  setRef(): number { return 0; }
  recv(): number { return -11; }
  send(_fd: number, _b: Uint8Array, _o: number, length: number): number { return length; }
  writev(_fd: number, bufs: readonly Uint8Array[]): number { let n = 0; for (const b of bufs) n += b.length; return n; }
  sendfile(_o: number, _i: number, _off: number, count: number): number { return count; }
  flush(_buf: Uint8Array, desc: Int32Array, count: number): number {
    for (let d = 0; d < count; d++) {
      const r = d * FLUSH_RECORD_INT32;
      desc[r + 3] = desc[r + 2]!;
      // As the addon: a lone record marked FLUSH_CLOSE is closed in the same call.
      if (desc[r + 5] === FLUSH_CLOSE) {
        desc[r + 5] = FLUSH_CLOSED;
        this.closes++;
      } else if (desc[r + 5]! < 0) desc[r + 5] = 0;
    }
    return 0;
  }
  shutdown(): number { return 0; }
  close(): number { this.closes++; return 0; }
  setNoDelay(): number { return 0; }
  getNoDelay(): number { return 1; }
  setCork(): number { return 0; }
  peerAddress(): string | null { return '127.0.0.1:40000'; }
  localAddress(): string | null { return '127.0.0.1:8080'; }
  socketpair(): number { return -38; }
  pollsCreated(): number { return 0; }
}

const native = new ChurnNative();
const reactor = new Reactor(native as unknown as NativeBinding);
const HELLO = Buffer.from('Hello, World!');
const app: Application = () => respond(200, { 'content-type': 'text/plain' }, HELLO);
const server = new Server(resolveSettings({ port: 0, onException: (e) => console.error(e) }), app, reactor);

const request = Buffer.from(`GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: churn\r\n${KEEP_ALIVE ? '' : 'Connection: close\r\n'}\r\n`, 'latin1');
let nextFd = 10;

const pipelined = Buffer.concat(Array.from({ length: Math.max(PIPELINE, 1) }, () => request));
let pipeFds: number[] | null = null;

/** One native batch of PIPELINE requests on each of BATCH open connections (accepted on the first round). */
function deliverPipelined(): void {
  const ev = native.events!;
  const recv = native.recvBuffer!;
  let count = 0;
  let off = 0;
  if (pipeFds === null) {
    pipeFds = Array.from({ length: BATCH }, (_, i) => 10 + i);
    for (const fd of pipeFds) {
      const o = count++ * EVENT_RECORD_INT32;
      ev[o] = fd; ev[o + 1] = EV_ACCEPT; ev[o + 2] = LISTEN_FD; ev[o + 3] = 0;
    }
  }
  for (const fd of pipeFds) {
    recv.set(pipelined, off);
    const o = count++ * EVENT_RECORD_INT32;
    ev[o] = fd; ev[o + 1] = EV_DATA; ev[o + 2] = off; ev[o + 3] = pipelined.length;
    off += pipelined.length;
  }
  native.onEvents!(count);
}

/** One native batch: BATCH new connections, each with its request already read (the eager read at accept). */
function deliverBatch(): void {
  if (PIPELINE > 0) return deliverPipelined();
  const ev = native.events!;
  const recv = native.recvBuffer!;
  let off = 0;
  for (let i = 0; i < BATCH; i++) {
    const fd = nextFd++;
    if (nextFd > 60000) nextFd = 10;
    let o = 2 * i * EVENT_RECORD_INT32;
    ev[o] = fd; ev[o + 1] = EV_ACCEPT; ev[o + 2] = LISTEN_FD; ev[o + 3] = 0;
    recv.set(request, off);
    o += EVENT_RECORD_INT32;
    ev[o] = fd; ev[o + 1] = EV_DATA; ev[o + 2] = off; ev[o + 3] = request.length;
    off += request.length;
  }
  native.onEvents!(2 * BATCH);
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function run(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    deliverBatch();
    await turn();
  }
}

await run(ROUNDS / 4); // warm-up
const closesBefore = native.closes;
const start = process.cpuUsage();
const t0 = process.hrtime.bigint();
await run(ROUNDS);
const used = process.cpuUsage(start);
const wallNs = Number(process.hrtime.bigint() - t0);
const conns = ROUNDS * BATCH * Math.max(PIPELINE, 1);
const closed = native.closes - closesBefore;
const unit = PIPELINE > 0 ? 'req' : 'conn';
process.stdout.write(
  `conn-churn: ${conns} ${PIPELINE > 0 ? `requests (${PIPELINE} pipelined per write, ${BATCH} connections)` : `connections in batches of ${BATCH}`}` +
    `${KEEP_ALIVE && PIPELINE === 0 ? ' (keep-alive: left open)' : ''}: ` +
    `${((used.user + used.system) / conns).toFixed(2)} µs CPU/${unit} (user ${(used.user / conns).toFixed(2)}), ` +
    `wall ${(wallNs / 1000 / conns).toFixed(2)} µs/${unit}, closed ${closed}, open ${server.connections}\n`,
);
await server.close();
