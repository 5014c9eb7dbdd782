// Heap per idle WebSocket in the WebSocket layer alone: N sessions opened on IO objects whose input never yields,
// heap measured before and after (with gc). The engine's own per-connection objects come on top (phase 2 measures
// the whole process beside uWebSockets.js). Run: npx tsc -p . && node --expose-gc dist/bench/ws-memory.js [N]
import { ResumableSource, Source, Stage, suspend, type Suspend } from '../src/conduit/index.js';
import type { UpgradedIO } from '../src/server/index.js';
import { tryUpgrade, type WebSocketHandler } from '../src/websocket/index.js';

const N = Number(process.argv[2] ?? 20_000);
const never = new Promise<void>(() => undefined);

class Idle extends Stage<Uint8Array, void> {
  constructor() {
    super(null);
  }
  pull(): Suspend {
    return suspend(never);
  }
}

function idleIO(): UpgradedIO {
  return {
    input: ResumableSource.from(new Source<Uint8Array>(() => new Idle())),
    read: () => null, waitReadable() {}, write() {}, writePair() {}, receiveWith() {}, flush() {}, bufferedAmount: 0, whenDrained: () => null,
    setIdleTimeout() {}, close() {}, destroy() {}, reportError() {}, signal: new AbortController().signal,
    shuttingDown: false, onShutdown: null, transport: { kind: 'tcp' }, remoteAddress: null,
  };
}

const header = (fields: Record<string, string>) => (name: string): string | undefined => fields[name.toLowerCase()];
const request = {
  method: 'GET', httpVersion: '1.1' as const, remoteAddress: '127.0.0.1:5000',
  header: header({ upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits' }),
};

function measure(name: string, handler: WebSocketHandler): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const ios: UpgradedIO[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) {
    const io = idleIO();
    ios.push(io);
    const up = tryUpgrade(request, handler);
    if (up.kind !== 'upgrade') throw new Error(up.code);
    up.start(io);
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  // The IO objects are the engine's part: measured alone and taken off.
  const alone: UpgradedIO[] = [];
  gc();
  const b2 = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) alone.push(idleIO());
  gc();
  const ioBytes = (process.memoryUsage().heapUsed - b2) / N;
  console.log(`| ${name} | ${((after - before) / N - ioBytes).toFixed(0)} | ${ioBytes.toFixed(0)} |`);
  if (ios.length + alone.length === 0) console.log('unreachable');
}

console.log(`| ${N} idle sockets | WebSocket layer bytes/socket | stand-in IO bytes/socket |`);
console.log('|---|---|---|');
measure('no compression', {});
measure('permessage-deflate negotiated (zlib made lazily)', { perMessageDeflate: true });
