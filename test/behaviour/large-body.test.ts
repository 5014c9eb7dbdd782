// A large upload echoed back in bounded memory: the body Source streams with backpressure both ways, so neither
// the request nor the response is ever buffered whole. 256 MiB by default (buffering it whole, either way, would
// blow the 200 MiB budget); SLUICE_LARGE_BODY_MIB=1024 runs the full 1 GiB (about 25 s on a loaded 2-core box).
import test from './transport.js';
import { createHash } from 'node:crypto';
import { respond, type Application } from '../../src/index.js';
import { connectClient, withServer } from './helpers.js';

const TOTAL_MIB = Number(process.env['SLUICE_LARGE_BODY_MIB'] ?? 256);
const TOTAL = TOTAL_MIB * 1024 * 1024;
const PIECE = 1024 * 1024;
const RSS_BUDGET = 200 * 1024 * 1024;

const BASE = (() => {
  const b = Buffer.alloc(PIECE);
  for (let i = 0; i < PIECE; i += 4) b.writeUInt32LE(i * 2654435761 >>> 0, i);
  return b;
})();

/** 1 MiB of a pattern stamped with its index every 64 KiB (so a dropped, repeated or swapped piece changes the hash). */
function pieceAt(index: number): Buffer {
  const b = Buffer.from(BASE);
  for (let i = 0; i < PIECE; i += 65536) b.writeUInt32LE(index, i);
  return b;
}

interface Transfer {
  sentHash: string;
  receivedHash: string;
  receivedBytes: number;
  status: number;
  peakRss: number;
}

/** Streams TOTAL bytes up with backpressure while hashing the echo coming down. */
function streamEcho(port: number): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const socket = connectClient(port);
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;
    let head: Buffer | null = Buffer.alloc(0);
    let status = 0;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const finish = (e?: Error): void => {
      clearInterval(sampler);
      socket.destroy();
      if (e) reject(e);
      else resolve({ sentHash: sent.digest('hex'), receivedHash: received.digest('hex'), receivedBytes, status, peakRss });
    };
    socket.on('error', finish);
    socket.on('data', (d: Buffer) => {
      if (head !== null) {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = Number(head.subarray(9, 12).toString());
        d = head.subarray(end + 4);
        head = null;
      }
      received.update(d);
      receivedBytes += d.length;
      if (receivedBytes >= TOTAL) finish();
    });
    socket.on('close', () => finish(new Error(`closed after ${receivedBytes} bytes`)));
    socket.on('connect', () => {
      socket.write(`POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: ${TOTAL}\r\n\r\n`);
      let i = 0;
      const pump = (): void => {
        while (i < TOTAL / PIECE) {
          const p = pieceAt(i++);
          sent.update(p);
          if (!socket.write(p)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

test(`a ${TOTAL_MIB} MiB upload is echoed back intact with RSS growth under 200 MiB`, async (t) => {
  t.timeout(120_000);
  const echo: Application = (req) => respond(200, { 'content-length': req.head.contentLength }, req.body);
  global.gc?.();
  const before = process.memoryUsage().rss;
  const r = await withServer(echo, {}, (port) => streamEcho(port));
  t.is(r.status, 200);
  t.is(r.receivedBytes, TOTAL);
  t.is(r.receivedHash, r.sentHash);
  const growth = r.peakRss - before;
  t.log(`peak RSS growth ${(growth / 1048576).toFixed(1)} MiB`);
  t.true(growth < RSS_BUDGET, `RSS grew by ${(growth / 1048576).toFixed(1)} MiB`);
});
