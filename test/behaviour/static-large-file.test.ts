// A 1 GiB static file to a slow reader: sendfile with backpressure must deliver every byte, in order, to a client that
// keeps pausing. The file is sparse (fast to make) with offset-dependent marker blocks, and the client checks every
// received byte against the expected layout as it arrives (exact comparison, no second pass over the file).
import test from './transport.js';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticFiles } from '../../src/middleware/index.js';
import { connectClient, withServer } from './helpers.js';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-static-large-'));
const SIZE = 1024 * 1024 * 1024;
const MARKER_BYTES = 5000;
// Markers at odd, non-page-aligned offsets every 48 MiB and one ending exactly at EOF.
const MARKER_OFFSETS = [...Array.from({ length: 21 }, (_, k) => k * 48 * 1024 * 1024 + 4093 * (k + 1)), SIZE - MARKER_BYTES];
/** The reader pauses for PAUSE_MS after every PAUSE_EVERY bytes. */
const PAUSE_EVERY = 96 * 1024 * 1024;
const PAUSE_MS = 40;

test.after.always(() => rmSync(ROOT, { recursive: true, force: true }));

function marker(offset: number): Buffer {
  const b = Buffer.alloc(MARKER_BYTES);
  for (let i = 0; i < b.length; i++) b[i] = ((offset >>> 3) + i * 13) & 0xff || 1;
  return b;
}

/** The expected bytes of [from, from + length): zeros except where markers overlap. */
function expectedSlice(from: number, length: number, zeros: Buffer): Buffer {
  const overlapping = MARKER_OFFSETS.filter((offset) => offset < from + length && offset + MARKER_BYTES > from);
  // Hot path (almost every chunk): no marker here, so compare against shared zeros without copying.
  if (overlapping.length === 0 && length <= zeros.length) return zeros.subarray(0, length);
  const out = Buffer.alloc(length);
  for (const offset of overlapping) {
    const start = Math.max(from, offset);
    const end = Math.min(from + length, offset + MARKER_BYTES);
    marker(offset).copy(out, start - from, start - offset, end - offset);
  }
  return out;
}

test('a 1 GiB file reaches a pausing reader whole: every byte in place, exact length', async (t) => {
  t.timeout(90_000);
  const path = join(ROOT, 'big.bin');
  truncateSync(openAndClose(path), SIZE);
  const fd = openSync(path, 'r+');
  for (const offset of MARKER_OFFSETS) writeSync(fd, marker(offset), 0, MARKER_BYTES, offset);
  closeSync(fd);
  const zeros = Buffer.alloc(4 * 1024 * 1024);

  await withServer(staticFiles(ROOT), {}, async (port) => {
    const result = await new Promise<{ declared: number; received: number; mismatchAt: number; pauses: number }>((resolve, reject) => {
      const socket = connectClient(port);
      let head = Buffer.alloc(0);
      let declared = -1;
      let received = 0;
      let mismatchAt = -1;
      let nextPause = PAUSE_EVERY;
      let pauses = 0;
      const onBody = (chunk: Buffer): void => {
        if (mismatchAt === -1 && !chunk.equals(expectedSlice(received, chunk.length, zeros))) {
          const want = expectedSlice(received, chunk.length, zeros);
          let i = 0;
          while (chunk[i] === want[i]) i++;
          mismatchAt = received + i;
        }
        received += chunk.length;
        if (received >= nextPause && received < declared) {
          nextPause += PAUSE_EVERY;
          pauses++;
          socket.pause();
          setTimeout(() => socket.resume(), PAUSE_MS);
        }
        if (received >= declared) {
          socket.destroy();
          resolve({ declared, received, mismatchAt, pauses });
        }
      };
      socket.on('data', (chunk: Buffer) => {
        if (declared >= 0) return onBody(chunk);
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        const text = head.subarray(0, end).toString('latin1');
        if (!text.startsWith('HTTP/1.1 200')) return reject(new Error(`unexpected head: ${text}`));
        declared = Number(/content-length: (\d+)/i.exec(text)?.[1]);
        const rest = head.subarray(end + 4);
        if (rest.length > 0) onBody(rest);
      });
      socket.on('error', reject);
      socket.on('close', () => resolve({ declared, received, mismatchAt, pauses }));
      socket.write('GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n');
    });
    t.is(result.declared, SIZE);
    t.is(result.received, SIZE);
    t.is(result.mismatchAt, -1, `first wrong byte at offset ${result.mismatchAt}`);
    t.true(result.pauses >= 5);
  });
});

test('expectedSlice puts marker bytes where the file has them (the checker itself can fail)', (t) => {
  const zeros = Buffer.alloc(1024);
  const at = MARKER_OFFSETS[1]!;
  const slice = expectedSlice(at - 10, 20, zeros);
  t.deepEqual([...slice.subarray(0, 10)], Array(10).fill(0));
  t.true(slice.subarray(10).equals(marker(at).subarray(0, 10)));
  t.false(marker(at).includes(0));
});

function openAndClose(path: string): string {
  closeSync(openSync(path, 'w'));
  return path;
}
