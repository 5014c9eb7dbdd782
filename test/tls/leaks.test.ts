// Thousands of HTTPS connections through serve(), good and bad, leave nothing behind: no fd, no native TLS object,
// no C memory (tlsStats' mallinfo counter). Serial: it counts this process's fds and allocator.
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { respond } from '../../src/index.js';
import { loadNative } from '../../src/native/index.js';
import { withTlsServer } from './support.js';

const CHURN = fileURLToPath(new URL('./fixtures/https-churn.js', import.meta.url));

async function churn(port: number, connections: number): Promise<void> {
  const child = spawn(process.execPath, [CHURN, String(port), String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0 || !out.includes('done')) throw new Error(`churn child exited ${code}`);
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Waits until the server has let go of every connection (the client may see its close first). */
async function settled(count: () => number): Promise<void> {
  for (let i = 0; i < 100 && count() !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

test.serial('3,000 HTTPS connections of every kind leave no fd, TLS object or C memory behind', async (t) => {
  const native = loadNative();
  await withTlsServer(() => respond.text(200, 'ok'), {}, async (port, server) => {
    await churn(port, 600);
    await settled(() => server.connections + native.tlsStats().connections);
    const fds = openFds();
    const before = native.tlsStats().mallocInUse;
    await churn(port, 3000);
    await settled(() => server.connections + native.tlsStats().connections);
    const after = native.tlsStats();
    t.like(after, { connections: 0, preludes: 0, pendingBytes: 0 });
    t.is(server.connections, 0);
    t.is(openFds(), fds, 'open fds after the churn');
    const grown = after.mallocInUse - before;
    t.log(`malloc in use grew ${(grown / 1024).toFixed(0)} KiB over 3,000 connections`);
    // A leaked SSL (with its BIO and buffers) is several KiB: 2,500 leaked connections would add MBs.
    if (before >= 0) t.true(grown < 1024 * 1024, `malloc in use grew ${grown} bytes`);
  });
  t.like(native.tlsStats(), { contexts: 0, connections: 0 }, 'close() frees the server\'s TLS context');
});
