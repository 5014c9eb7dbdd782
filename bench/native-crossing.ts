// Microbenchmark of the N-API boundary: JS -> native call costs by argument shape, and the cost of one loop turn
// that delivers k events to JS. Run pinned: taskset -c 1 node dist/bench/native-crossing.js
// Times are process CPU time (user + system), not wall time, so other tenants on a shared core do not inflate them.
import { EVENT_RECORD_INT32, FLUSH_RECORD_INT32, loadNative } from '../src/native/index.js';

const native = loadNative();
const CALLS = Number(process.env.CALLS ?? 5_000_000);
const UNTRACKED_FD = 1 << 20;

function timeCalls(name: string, body: (i: number) => number): void {
  let sink = 0;
  for (let i = 0; i < CALLS / 10; i++) sink += body(i); // warm-up: let the JIT settle
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) sink += body(i);
  const ns = (cpuMicros(process.cpuUsage(start)) * 1000) / CALLS;
  process.stdout.write(`${name.padEnd(58)} ${ns.toFixed(1).padStart(7)} ns/call   (checksum ${sink})\n`);
}

function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

function jsBaseline(fd: number, on: boolean): number {
  return on ? -fd : fd;
}

const buf = new Uint8Array(64);
const desc = new Int32Array(4 * FLUSH_RECORD_INT32);
const [a, b] = native.socketpair() as [number, number];

process.stdout.write('JS -> native (no syscall unless noted)\n');
timeCalls('plain JS function, 2 args (baseline)', (i) => jsBaseline(i & 1023, true));
timeCalls('setReading(untracked fd, true): 2 numbers, table lookup', () => native.setReading(UNTRACKED_FD, true));
timeCalls('recv(fd, Uint8Array, 0, 65): 4 args + typed array, bounds fail', () => native.recv(a, buf, 0, 65));
timeCalls('flush(Uint8Array, Int32Array, 0): 2 typed arrays', () => native.flush(buf, desc, 0));
timeCalls('recv on an empty socketpair: + recv(2) -> EAGAIN', () => native.recv(b, buf, 0, 64));
timeCalls('send 1 byte + recv 1 byte: two crossings, two syscalls', () => native.send(a, buf, 0, 1, false) + native.recv(b, buf, 0, 1));

// native -> JS: ping-pong k socketpairs; every turn delivers k EV_DATA records in one onEvents call.
const events = new Int32Array(1024 * EVENT_RECORD_INT32);
const recvBuffer = new Uint8Array(1 << 16);
let onTurn: (count: number) => void = () => undefined;
native.init((count) => onTurn(count), events, recvBuffer);

async function timeTurns(k: number, turns: number): Promise<void> {
  const pairs = Array.from({ length: k }, () => native.socketpair() as [number, number]);
  const writerOf = new Map(pairs.map(([writer, reader]) => [reader, writer]));
  for (const [, reader] of pairs) native.watch(reader);
  let done = 0;
  let started: NodeJS.CpuUsage = process.cpuUsage();
  await new Promise<void>((resolve) => {
    onTurn = (count) => {
      if (done === 100) started = process.cpuUsage(); // the first 100 turns warm up
      if (++done === turns + 100) return resolve();
      for (let i = 0; i < count; i++) {
        native.send(writerOf.get(events[i * EVENT_RECORD_INT32]!)!, buf, 0, 1, false); // the next ping
      }
    };
    for (const [writer] of pairs) native.send(writer, buf, 0, 1, false);
  });
  const used = process.cpuUsage(started);
  const usPerTurn = cpuMicros(used) / turns;
  const userPerTurn = used.user / turns;
  process.stdout.write(
    `turn with ${String(k).padStart(3)} events (epoll_wait + k recv + 1 call + k send) ${usPerTurn.toFixed(2).padStart(7)} µs/turn ` +
      `(user ${userPerTurn.toFixed(2)})  ${(usPerTurn / k).toFixed(2).padStart(6)} µs/event (user ${(userPerTurn / k).toFixed(2)})\n`,
  );
  for (const [writer, reader] of pairs) {
    native.close(writer);
    native.close(reader);
  }
}

process.stdout.write('\nnative -> JS (one onEvents call per loop turn)\n');
for (const k of [1, 8, 64, 256]) await timeTurns(k, 20_000);
native.close(a);
native.close(b);
