// Micro-benchmark of the WebSocket protocol core against ws's own Receiver and Sender, on the same bytes in the
// same process: ns per message received (frames -> messages, unmasking and UTF-8 included) and sent (message ->
// frame bytes handed to the socket layer). No sockets: this is the JS cost per message that both add to the kernel's.
// Run: npx tsc -p . && node dist/bench/ws-codec.js [roundMs]. Shared machines swing ±30%: compare within a run.
import { createRequire } from 'node:module';
import { fold, fromArray } from '../src/conduit/index.js';
import { OP_BINARY, OP_TEXT } from '../src/websocket/frame.js';
import { receiveMessages } from '../src/websocket/messages.js';
import { settingsOf } from '../src/websocket/options.js';
import { Session } from '../src/websocket/session.js';
import type { UpgradedIO } from '../src/server/index.js';
import { clientFrame } from '../test/websocket/support/wire.js';

const ROUND_MS = Number(process.argv[2] ?? 200);

// ws's Receiver and Sender are public exports its type package leaves out.
interface WsReceiver {
  on(event: 'message', f: () => void): void;
  write(chunk: Buffer): boolean;
}
interface WsSender {
  send(data: string | Buffer, options: { binary: boolean; fin: boolean; compress: boolean; mask: boolean }): void;
}
const { Receiver, Sender } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => WsReceiver;
  Sender: new (socket: unknown) => WsSender;
};
const ROUNDS = 7;

/** Median ns per message of each variant, interleaved round by round. */
function measure(variants: ReadonlyArray<readonly [string, () => number]>): number[] {
  const perRound = variants.map(() => [] as number[]);
  for (const [, run] of variants) for (let i = 0; i < 20; i++) run();
  for (let r = 0; r < ROUNDS; r++) {
    variants.forEach(([, run], v) => {
      let messages = 0;
      const t0 = process.hrtime.bigint();
      const deadline = t0 + BigInt(ROUND_MS) * 1_000_000n;
      let now = t0;
      while (now < deadline) {
        messages += run();
        now = process.hrtime.bigint();
      }
      perRound[v]!.push(Number(now - t0) / messages);
    });
  }
  return perRound.map((list) => list.sort((a, b) => a - b)[ROUNDS >> 1]!);
}

/** `count` masked client frames of `payload`, cut into 16 KiB chunks as a socket would deliver them. */
function traffic(opcode: number, payload: Buffer, count: number): Buffer[] {
  const all = Buffer.concat(Array.from({ length: count }, (_, i) => clientFrame(opcode, payload, { mask: 0x1234567 * (i + 1) })));
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += 16 * 1024) chunks.push(all.subarray(at, at + 16 * 1024));
  return chunks;
}

// Unmasking works in place, so both sides get fresh copies every run (the copy is the same cost for both).
const copies = (chunks: Buffer[]): Buffer[] => chunks.map((c) => Buffer.from(c));

function sluiceReceive(chunks: Buffer[], max: number): () => number {
  const receiver = receiveMessages({ maxPayloadLength: max, decompressor: null });
  return () => fromArray(copies(chunks)).pipe(receiver).run(fold((n) => n + 1, 0)) as number;
}

function wsReceive(chunks: Buffer[], max: number): () => number {
  return () => {
    let n = 0;
    const r = new Receiver({ isServer: true, maxPayload: max });
    r.on('message', () => n++);
    for (const c of copies(chunks)) r.write(c);
    return n;
  };
}

/** An UpgradedIO that only counts bytes (the socket layer is not what this measures). */
class CountingIO implements UpgradedIO {
  bytes = 0;
  readonly input = null as never;
  readonly bufferedAmount = 0;
  readonly signal = new AbortController().signal;
  readonly shuttingDown = false;
  onShutdown = null;
  readonly transport = { kind: 'tcp' } as const;
  readonly remoteAddress = null;
  read(): null {
    return null;
  }
  waitReadable(): void {}
  write(b: Uint8Array): void {
    this.bytes += b.length;
  }
  writePair(head: Uint8Array, body: Uint8Array): void {
    this.bytes += head.length + body.length;
  }
  receiveWith(): void {}
  flush(): void {}
  whenDrained(): null {
    return null;
  }
  setIdleTimeout(): void {}
  close(): void {}
  destroy(): void {}
  reportError(): void {}
}

function sluiceSend(data: string | Buffer, batch: number): () => number {
  const io = new CountingIO();
  const session = new Session(io, {}, settingsOf({}), { data: undefined, protocol: '', deflate: null });
  return () => {
    for (let i = 0; i < batch; i++) session.ws.send(data);
    return batch;
  };
}

function wsSend(data: string | Buffer, batch: number): () => number {
  const socket = { bytes: 0, cork() {}, uncork() {}, write(b: Buffer) { this.bytes += b.length; return true; } };
  const sender = new Sender(socket as never);
  const options = { binary: typeof data !== 'string', fin: true, compress: false, mask: false };
  return () => {
    for (let i = 0; i < batch; i++) sender.send(data, options);
    return batch;
  };
}

const cases: Array<[string, () => number, () => number]> = [
  ['receive 64 B text x 2000', sluiceReceive(traffic(OP_TEXT, Buffer.alloc(64, 0x61), 2000), 1 << 24), wsReceive(traffic(OP_TEXT, Buffer.alloc(64, 0x61), 2000), 1 << 24)],
  ['receive 64 B binary x 2000', sluiceReceive(traffic(OP_BINARY, Buffer.alloc(64, 7), 2000), 1 << 24), wsReceive(traffic(OP_BINARY, Buffer.alloc(64, 7), 2000), 1 << 24)],
  ['receive 64 KiB binary x 50', sluiceReceive(traffic(OP_BINARY, Buffer.alloc(65536, 7), 50), 1 << 24), wsReceive(traffic(OP_BINARY, Buffer.alloc(65536, 7), 50), 1 << 24)],
  ['receive 64 KiB text x 50', sluiceReceive(traffic(OP_TEXT, Buffer.alloc(65536, 0x61), 50), 1 << 24), wsReceive(traffic(OP_TEXT, Buffer.alloc(65536, 0x61), 50), 1 << 24)],
  ['send 64 B text', sluiceSend('a'.repeat(64), 1000), wsSend('a'.repeat(64), 1000)],
  ['send 64 B binary', sluiceSend(Buffer.alloc(64), 1000), wsSend(Buffer.alloc(64), 1000)],
  ['send 64 KiB binary', sluiceSend(Buffer.alloc(65536), 20), wsSend(Buffer.alloc(65536), 20)],
];

console.log(`| case | sluice ns/msg | ws ns/msg | sluice / ws |`);
console.log('|---|---|---|---|');
for (const [name, ours, theirs] of cases) {
  const [a, b] = measure([['sluice', ours], ['ws', theirs]]);
  const f = (n: number): string => n.toFixed(n < 100 ? 1 : 0);
  console.log(`| ${name} | ${f(a!)} | ${f(b!)} | ${(a! / b!).toFixed(2)} |`);
}
