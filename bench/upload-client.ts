// Upload client for the echo scenario: POSTs a patterned body and checks the echo byte for byte while it streams.
// wrk cannot send a 64 MiB body; this client writes with backpressure and reads the echo concurrently.
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';

/** Period of the upload pattern; a response byte at offset o must equal PATTERN[o % PERIOD]. */
export const PATTERN_PERIOD = 1 << 16;

/** The deterministic upload pattern (one period). */
export function makePattern(): Buffer {
  const b = Buffer.alloc(PATTERN_PERIOD);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

/** True when `chunk`, found at stream offset `offset`, matches the pattern. */
export function matchesPattern(pattern: Buffer, chunk: Buffer, offset: number): boolean {
  let done = 0;
  while (done < chunk.length) {
    const at = (offset + done) % pattern.length;
    const n = Math.min(pattern.length - at, chunk.length - done);
    if (chunk.compare(pattern, at, at + n, done, done + n) !== 0) return false;
    done += n;
  }
  return true;
}

/** Value at quantile q (0..1) of ascending-sorted numbers, nearest rank. */
export function quantileSorted(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Outcome of one upload. */
interface UploadOutcome {
  status: number;
  received: number;
  mismatch: boolean;
  us: number;
}

function uploadOnce(agent: Agent, port: number, path: string, size: number, pattern: Buffer): Promise<UploadOutcome> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent,
      headers: { 'content-type': 'application/octet-stream', 'content-length': size } }, (res) => {
      let received = 0;
      let mismatch = false;
      res.on('data', (chunk: Buffer) => {
        if (!mismatch && !matchesPattern(pattern, chunk, received)) mismatch = true;
        received += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, received, mismatch, us: Number(process.hrtime.bigint() - t0) / 1000 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        const n = Math.min(pattern.length, size - sent);
        sent += n;
        if (!req.write(n === pattern.length ? pattern : pattern.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, path: { type: 'string', default: '/echo' },
    bytes: { type: 'string', default: String(64 << 20) }, duration: { type: 'string', default: '5' }, conns: { type: 'string', default: '1' } } });
  const port = Number(values.port);
  const size = Number(values.bytes);
  const deadline = Date.now() + Number(values.duration) * 1000;
  const agent = new Agent({ keepAlive: true, maxSockets: Number(values.conns) });
  const pattern = makePattern();
  const latencies: number[] = [];
  const tally = { requests: 0, bytes: 0, errors: 0, mismatches: 0, non2xx: 0 };
  const t0 = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    do {
      try {
        const r = await uploadOnce(agent, port, values.path!, size, pattern);
        tally.requests++;
        tally.bytes += r.received;
        latencies.push(r.us);
        if (r.status < 200 || r.status > 299) tally.non2xx++;
        else if (r.mismatch || r.received !== size) tally.mismatches++;
      } catch {
        tally.errors++;
      }
    } while (Date.now() < deadline && tally.errors < 3);
  };
  await Promise.all(Array.from({ length: Number(values.conns) }, worker));
  const durationUs = Number(process.hrtime.bigint() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  console.log(`RESULT requests=${tally.requests} bytes=${tally.bytes} duration_us=${Math.round(durationUs)} ` +
    `p50_us=${Math.round(quantileSorted(latencies, 0.5))} p99_us=${Math.round(quantileSorted(latencies, 0.99))} ` +
    `errors=${tally.errors} mismatches=${tally.mismatches} non2xx=${tally.non2xx}`);
}

if (process.argv[1]?.endsWith('upload-client.js')) await main();
