// Tests for gzip() on file responses: sendfile kept by default, precompressed siblings, on-the-fly and cache folder.
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { concatBytes } from '../../src/conduit/index.js';
import { compressFile, startCaching, type FileCompression } from '../../src/middleware/gzip-files.js';
import { gzip } from '../../src/middleware/gzip.js';
import { respond } from '../../src/server/response.js';
import { fileCaches } from '../../src/server/file-caches.js';
import type { Response } from '../../src/server/types.js';
import { fakeRequest } from './fake-request.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-gzip-files-'));
const DATA = Buffer.from(JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i, text: `row ${i}` }))));
const plain = join(dir, 'data.json');
const withSibling = join(dir, 'sib.json');
const linked = join(dir, 'linked.json');
const tiny = join(dir, 'tiny.json');
writeFileSync(plain, DATA);
writeFileSync(withSibling, DATA);
writeFileSync(withSibling + '.gz', gzipSync(DATA));
writeFileSync(linked, DATA);
symlinkSync(withSibling + '.gz', linked + '.gz');
writeFileSync(tiny, '{}');

const HEADERS = { 'content-type': 'application/json', etag: '"e1"' };
const GZ = { 'accept-encoding': 'gzip' };

async function run(path: string, files: FileCompression): Promise<Response> {
  return gzip({ files })(() => respond.file(path, { headers: HEADERS }))(fakeRequest('GET', '/', GZ));
}

async function streamed(res: Response): Promise<Buffer> {
  if (res.kind !== 'stream') throw new Error(`expected a stream, got ${res.kind}`);
  return Buffer.from(await res.body.runAsync(concatBytes() as never) as Uint8Array);
}

test('by default a file response is left to sendfile, untouched', async (t) => {
  const res = respond.file(plain, { headers: HEADERS });
  t.is(await gzip()(() => res)(fakeRequest('GET', '/', GZ)), res);
});

test('precompressed sends the .gz sibling with the encoded headers', async (t) => {
  const res = await run(withSibling, { kind: 'precompressed' });
  t.like(res, { kind: 'file', path: withSibling + '.gz', status: 200 });
  t.deepEqual(res.headers, { 'content-type': 'application/json', etag: 'W/"e1"', 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
});

test('precompressed without a sibling falls back to ignore, with Vary', async (t) => {
  const res = await run(plain, { kind: 'precompressed' });
  t.like(res, { kind: 'file', path: plain });
  t.is(res.headers.vary, 'Accept-Encoding');
  t.false('content-encoding' in res.headers);
});

test('precompressed never follows a sibling symlink', async (t) => {
  const res = await run(linked, { kind: 'precompressed' });
  t.like(res, { kind: 'file', path: linked });
  t.false('content-encoding' in res.headers);
});

test('precompressed without a sibling can fall back to compressing', async (t) => {
  const res = await run(plain, { kind: 'precompressed', fallback: { kind: 'compress' } });
  t.true(gunzipSync(await streamed(res)).equals(DATA));
});

test('compress streams the file compressed', async (t) => {
  const res = await run(plain, { kind: 'compress' });
  t.is(res.headers['content-encoding'], 'gzip');
  t.true(gunzipSync(await streamed(res)).equals(DATA));
});

test('compress leaves a file under the threshold alone (but varies)', async (t) => {
  const res = await run(tiny, { kind: 'compress' });
  t.like(res, { kind: 'file', path: tiny });
  t.is(res.headers.vary, 'Accept-Encoding');
});

test('a missing file is left for the engine to 404', async (t) => {
  const res = respond.file(join(dir, 'nope.json'), { headers: HEADERS });
  t.is(compressFile(res as Extract<Response, { kind: 'file' }>, 'gzip', {}, { kind: 'compress' }, {}), res);
});

test('cache-folder streams the first time, then sends the cached copy', async (t) => {
  const cache = join(dir, 'cache');
  const first = await run(plain, { kind: 'cache-folder', dir: cache });
  t.is(first.kind, 'stream');
  t.true(gunzipSync(await streamed(first)).equals(DATA));
  // Wait for the background copy (startCaching returns the in-flight job).
  const info = fileCaches().info.get(plain);
  t.is(info?.kind, 'file');
  const names = (): string[] => readdirSync(cache).filter((n) => n.endsWith('.gz'));
  for (let i = 0; i < 200 && names().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.is(names().length, 1);
  const second = await run(plain, { kind: 'cache-folder', dir: cache });
  t.like(second, { kind: 'file', path: join(cache, names()[0]!) });
  t.is(second.headers['content-encoding'], 'gzip');
  t.true(gunzipSync(readFileSync(join(cache, names()[0]!))).equals(DATA));
});

test('startCaching runs one job per target and survives a missing source', async (t) => {
  const target = join(dir, 'cache2', 'x.gz');
  const a = startCaching(join(dir, 'missing.json'), target, 'gzip', {});
  t.is(startCaching(join(dir, 'missing.json'), target, 'gzip', {}), a);
  await a;
  t.deepEqual(readdirSync(join(dir, 'cache2')), []);
  await startCaching(plain, join(dir, 'cache2', 'y.br'), 'br', {});
  t.deepEqual(readdirSync(join(dir, 'cache2')), ['y.br']);
});
