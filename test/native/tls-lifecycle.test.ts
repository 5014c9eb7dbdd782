// The TLS layer's place in the process: it binds to the node binary's own OpenSSL (no second copy, every symbol
// resolvable at load), refuses buffers too small for a record, and a worker's TLS state is torn down with it.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NATIVE_ADDON_PATH } from '../../src/native/index.js';
import { countOpenFds } from './support/event-hub.js';
import { connectTls, localhostLeaf } from './support/tls-harness.js';

const WORKER = fileURLToPath(new URL('./fixtures/tls-worker.js', import.meta.url));

test('the addon loads with every symbol bound at once (LD_BIND_NOW): no OpenSSL call is missing from node', (t) => {
  const result = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(NATIVE_ADDON_PATH)})`], {
    env: { ...process.env, LD_BIND_NOW: '1' },
    encoding: 'utf8',
  });
  t.is(result.status, 0, result.stderr);
});

test('the addon links no OpenSSL of its own: its SSL_ symbols are imports, and no libssl is needed', (t) => {
  const needed = execFileSync('readelf', ['-d', NATIVE_ADDON_PATH], { encoding: 'utf8' });
  t.notRegex(needed, /libssl|libcrypto/);
  const defined = execFileSync('nm', ['-D', '--defined-only', NATIVE_ADDON_PATH], { encoding: 'utf8' });
  t.notRegex(defined, / T (SSL|EVP|BIO)_/);
  const imported = execFileSync('nm', ['-D', '--undefined-only', NATIVE_ADDON_PATH], { encoding: 'utf8' });
  t.regex(imported, / U SSL_new\n/);
  t.regex(imported, / U SSL_read_ex\n/);
});

async function startWorker(eventRecords: number, recvBytes: number): Promise<{ worker: Worker; started: number; port: number }> {
  const worker = new Worker(WORKER, { workerData: { ...localhostLeaf(), eventRecords, recvBytes } });
  const [message] = (await once(worker, 'message')) as [{ started: number; port: number }];
  return { worker, ...message };
}

test.serial('a recv buffer under 64 KiB or an events array under 4 records cannot take TLS: -ENOBUFS', async (t) => {
  for (const [records, bytes] of [
    [64, 32 * 1024],
    [3, 1 << 20],
  ] as const) {
    const { worker, started } = await startWorker(records, bytes);
    t.is(started, -105);
    await worker.terminate();
  }
});

test.serial('a worker serves TLS on its own loop, and terminating it frees connections, contexts and fds', async (t) => {
  const before = countOpenFds();
  const { worker, started, port } = await startWorker(64, 1 << 16);
  t.is(started, 0);
  const client = await connectTls(port);
  const [message] = (await once(worker, 'message')) as [{ accepted: number }];
  t.true(message.accepted > 0);
  client.write('echo me');
  const [reply] = (await once(client, 'data')) as [Buffer];
  t.is(reply.toString(), 'echo me');
  const stalled = await import('node:net').then(({ connect }) => connect({ host: '127.0.0.1', port }));
  await once(stalled, 'connect'); // a second connection left mid-handshake
  const closed = [once(client, 'close'), once(stalled, 'close')];
  await worker.terminate();
  await Promise.all(closed); // the server side went away: close_notify + FIN, and the stalled one a FIN
  t.is(countOpenFds(), before);
});

test.serial('with 4 event records and a 64 KiB buffer, several clients uploading at once are all echoed intact', async (t) => {
  const { worker, started, port } = await startWorker(4, 64 * 1024);
  t.is(started, 0);
  const clients = await Promise.all([0, 1, 2, 3].map(() => connectTls(port)));
  const payloads = clients.map(() => randomBytes(1 << 20));
  const echoed = clients.map(
    (client, i) =>
      new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        let length = 0;
        client.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          length += chunk.length;
          if (length >= payloads[i]!.length) resolve(Buffer.concat(chunks));
        });
      }),
  );
  clients.forEach((client, i) => client.write(payloads[i]));
  const results = await Promise.all(echoed);
  results.forEach((result, i) => t.true(result.equals(payloads[i]!), `client ${i}`));
  const closed = clients.map((client) => once(client, 'close'));
  await worker.terminate();
  await Promise.all(closed);
});
