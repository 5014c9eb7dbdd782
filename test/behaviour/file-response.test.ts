// File responses over real sockets (respond.file: the engine's sendfile path): whole files and ranges arrive
// intact, the connection stays in sync for the next request, and a missing file is the engine's 404.
import test from './transport.js';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { respond, type Application } from '../../src/index.js';
import { get, withClient, withServer } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-file-response-'));
const SMALL = randomBytes(3000);
const BIG = randomBytes(24 * 1024 * 1024);
writeFileSync(join(dir, 'small.bin'), SMALL);
writeFileSync(join(dir, 'big.bin'), BIG);
writeFileSync(join(dir, 'empty.txt'), '');

test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Serves /<name> from dir; ?range=a-b (end exclusive) asks for a 206 of that range. */
const files: Application = (req) => {
  const range = /^range=(\d+)-(\d+)$/.exec(req.query);
  if (range === null) return respond.file(join(dir, req.path.slice(1)), { headers: { 'content-type': 'application/octet-stream' } });
  const start = Number(range[1]);
  const end = Number(range[2]);
  return respond.file(join(dir, req.path.slice(1)), { status: 206, range: { start, end }, headers: { 'content-range': `bytes ${start}-${end - 1}/*` } });
};

test('a small file arrives whole with its Content-Length', async (t) => {
  await withServer(files, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/small.bin'));
    const [res] = await c.readResponses(1);
    t.is(res!.status, 200);
    t.is(res!.headers['content-length'], String(SMALL.length));
    t.is(res!.headers['content-type'], 'application/octet-stream');
    t.is(sha(res!.body), sha(SMALL));
  }));
});

test('a 24 MiB file arrives intact and the next pipelined request is answered after it', async (t) => {
  await withServer(files, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/big.bin') + get('/small.bin'));
    const rs = await c.readResponses(2, { timeoutMs: 30_000 });
    t.is(rs[0]!.body.length, BIG.length);
    t.is(sha(rs[0]!.body), sha(BIG));
    t.is(sha(rs[1]!.body), sha(SMALL));
  }));
});

test('a range of a file is exactly those bytes, with the range length', async (t) => {
  await withServer(files, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/big.bin?range=1000000-1000100') + get('/small.bin?range=0-1'));
    const rs = await c.readResponses(2);
    t.is(rs[0]!.status, 206);
    t.is(rs[0]!.headers['content-length'], '100');
    t.deepEqual(rs[0]!.body, BIG.subarray(1_000_000, 1_000_100));
    t.deepEqual(rs[1]!.body, SMALL.subarray(0, 1));
  }));
});

test('an empty file is a 200 with Content-Length: 0', async (t) => {
  await withServer(files, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/empty.txt') + get('/small.bin'));
    const rs = await c.readResponses(2);
    t.is(rs[0]!.headers['content-length'], '0');
    t.is(rs[0]!.body.length, 0);
    t.is(rs[1]!.body.length, SMALL.length);
  }));
});

test('a missing file, a directory, or a range past the end is the engine\'s 404, and the connection stays usable', async (t) => {
  await withServer(files, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/nope.bin') + get('/') + get('/small.bin?range=0-999999') + get('/small.bin'));
    const rs = await c.readResponses(4);
    t.deepEqual(rs.map((r) => r.status), [404, 404, 404, 200]);
  }));
});

test('an HTTP/1.0 request for a file gets it and the connection closes', async (t) => {
  await withServer(files, {}, async (port) => withClient(port, async (c) => {
    c.write('GET /small.bin HTTP/1.0\r\n\r\n');
    t.true(await c.whenClosed());
    const text = c.received;
    t.is(sha(text.subarray(text.indexOf('\r\n\r\n') + 4)), sha(SMALL));
  }));
});

test('a client that disconnects mid-file leaves the server serving others', async (t) => {
  await withServer(files, {}, async (port, server) => {
    await withClient(port, async (c) => {
      c.write(get('/big.bin'));
      await c.read((d) => d.length > 100_000);
    });
    await withClient(port, async (c) => {
      c.write(get('/small.bin'));
      const [res] = await c.readResponses(1);
      t.is(sha(res!.body), sha(SMALL));
    });
    t.true(server.connections <= 1);
  });
});
