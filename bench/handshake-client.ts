// A new connection per request, never resuming: each TLS connection is a full handshake (wrk keeps its session
// across reconnects and resumes about half of them). Usage: node dist/bench/handshake-client.js PORT CONNS SECONDS tls|plain
// Prints one RESULT line in wrk.ts's format: requests = connections completed, with their p99 and errors.
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

const port = Number(process.argv[2]);
const conns = Number(process.argv[3]);
const seconds = Number(process.argv[4]);
const secure = process.argv[5] === 'tls';
const REQUEST = 'GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n';

const latencies: number[] = [];
let errors = 0;
const start = process.hrtime.bigint();
const deadline = Date.now() + seconds * 1000;

// One connection: connect (+ full handshake), request, read until the server closes.
function visit(): Promise<void> {
  return new Promise((resolve) => {
    const began = process.hrtime.bigint();
    const socket: Socket = secure
      ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write(REQUEST))
      : connectTcp({ host: '127.0.0.1', port }, () => socket.write(REQUEST));
    let got = 0;
    socket.on('data', (chunk: Buffer) => (got += chunk.length));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (got > 0) latencies.push(Number(process.hrtime.bigint() - began) / 1000);
      else errors++;
      resolve();
    });
  });
}

async function loop(): Promise<void> {
  while (Date.now() < deadline) await visit();
}

await Promise.all(Array.from({ length: conns }, loop));
const durationUs = Number(process.hrtime.bigint() - start) / 1000;
latencies.sort((a, b) => a - b);
const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
process.stdout.write(
  `RESULT requests=${latencies.length} duration_us=${Math.round(durationUs)} p99_us=${Math.round(p99)} ` +
    `err_connect=0 err_read=${errors} err_write=0 err_status=0 err_timeout=0\n`,
);
