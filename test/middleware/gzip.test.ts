// Tests for gzip(): when it compresses (planCompression table), and what it does to headers and bodies.
import test from 'ava';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { FLUSH, fromArray, isFlush, sinkList, type Flushable } from '../../src/conduit/index.js';
import { gzip, planCompression, encodedHeaders, type CompressionPlan, type GzipOptions } from '../../src/middleware/gzip.js';
import { respond } from '../../src/server/response.js';
import type { Response, ResponseHeaders } from '../../src/server/types.js';
import { fakeRequest } from './fake-request.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const BIG = Buffer.from(JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: i, name: `item ${i}` }))));
const GZ = { 'accept-encoding': 'gzip' };

const PASS: CompressionPlan = { kind: 'pass' };
const VARY: CompressionPlan = { kind: 'vary' };
const GZIP: CompressionPlan = { kind: 'compress', coding: 'gzip' };
const BR: CompressionPlan = { kind: 'compress', coding: 'br' };

type PlanCase = [title: string, method: string, reqHeaders: Record<string, string>, res: Response, expected: CompressionPlan, options?: GzipOptions];

const planCases: PlanCase[] = [
  ['compresses a big JSON body for a gzip client', 'GET', GZ, respond(200, JSON_TYPE, BIG), GZIP],
  ['prefers gzip on a tie by default', 'GET', { 'accept-encoding': 'gzip, deflate, br' }, respond(200, JSON_TYPE, BIG), GZIP],
  ['picks br when the client ranks it higher', 'GET', { 'accept-encoding': 'gzip;q=0.5, br' }, respond(200, JSON_TYPE, BIG), BR],
  ['honours the server order given', 'GET', { 'accept-encoding': 'gzip, br' }, respond(200, JSON_TYPE, BIG), BR, { encodings: ['br', 'gzip'] }],
  ['only varies without Accept-Encoding', 'GET', {}, respond(200, JSON_TYPE, BIG), VARY],
  ['only varies when gzip is refused', 'GET', { 'accept-encoding': 'gzip;q=0' }, respond(200, JSON_TYPE, BIG), VARY],
  ['only varies when nothing is acceptable', 'GET', { 'accept-encoding': '*;q=0' }, respond(200, JSON_TYPE, BIG), VARY],
  ['only varies for a body under the threshold', 'GET', GZ, respond(200, JSON_TYPE, '{"a":1}'), VARY],
  ['honours a custom threshold', 'GET', GZ, respond(200, JSON_TYPE, '{"a":1}'), GZIP, { threshold: 0 }],
  ['only varies for HEAD', 'HEAD', GZ, respond(200, JSON_TYPE, BIG), VARY],
  ['only varies for 304', 'GET', GZ, respond(304, JSON_TYPE), VARY],
  ['only varies for 206', 'GET', GZ, respond(206, { ...JSON_TYPE, 'content-range': 'bytes 0-9/100' }, BIG), VARY],
  ['passes 204', 'GET', GZ, respond(204, JSON_TYPE), PASS],
  ['passes 1xx', 'GET', GZ, respond(103, JSON_TYPE), PASS],
  ['passes an already encoded response', 'GET', GZ, respond(200, { ...JSON_TYPE, 'content-encoding': 'br' }, BIG), PASS],
  ['treats Content-Encoding: identity as unencoded', 'GET', GZ, respond(200, { ...JSON_TYPE, 'Content-Encoding': 'identity' }, BIG), GZIP],
  ['passes Cache-Control: no-transform', 'GET', GZ, respond(200, { ...JSON_TYPE, 'cache-control': 'public, No-Transform' }, BIG), PASS],
  ['passes an image', 'GET', GZ, respond(200, { 'content-type': 'image/png' }, BIG), PASS],
  ['passes a body without Content-Type', 'GET', GZ, respond(200, {}, BIG), PASS],
  ['uses a custom compressible test', 'GET', GZ, respond(200, {}, BIG), GZIP, { compressible: () => true }],
  ['compresses a stream of unknown length', 'GET', GZ, respond.stream(200, { 'content-type': 'text/event-stream' }, fromArray([])), GZIP],
  ['only varies for a stream declared short', 'GET', GZ, respond.stream(200, { ...JSON_TYPE, 'content-length': '10' }, fromArray([])), VARY],
  ['passes a file by default', 'GET', GZ, respond.file('/x.json', { headers: JSON_TYPE }), PASS],
  ['plans a file when files are handled', 'GET', GZ, respond.file('/x.json', { headers: JSON_TYPE }), GZIP, { files: { kind: 'compress' } }],
  ['only varies for a file range', 'GET', GZ, respond.file('/x.json', { headers: JSON_TYPE, range: { start: 0, end: 5 } }), VARY, { files: { kind: 'compress' } }],
];

for (const [title, method, reqHeaders, res, expected, options] of planCases) {
  test(`planCompression ${title}`, (t) => {
    t.deepEqual(planCompression(fakeRequest(method, '/', reqHeaders), res, options), expected);
  });
}

async function through(res: Response, reqHeaders: Record<string, string> = GZ, options: GzipOptions = {}, method = 'GET'): Promise<Response> {
  return gzip(options)(() => res)(fakeRequest(method, '/', reqHeaders));
}

test('a compressed bytes body stays bytes, decodes, and gets the encoded headers', async (t) => {
  const res = await through(respond(200, { ...JSON_TYPE, 'Content-Length': String(BIG.length), etag: '"v1"', vary: 'Origin' }, BIG));
  t.is(res.kind, 'bytes');
  t.true(gunzipSync(res.kind === 'bytes' ? res.body : Buffer.alloc(0)).equals(BIG));
  t.deepEqual(res.headers, { 'content-type': 'application/json', etag: 'W/"v1"', vary: 'Origin, Accept-Encoding', 'content-encoding': 'gzip' });
});

test('a br client gets br', async (t) => {
  const res = await through(respond(200, JSON_TYPE, BIG), { 'accept-encoding': 'br' });
  t.is(res.headers['content-encoding'], 'br');
  t.true(brotliDecompressSync(res.kind === 'bytes' ? res.body : Buffer.alloc(0)).equals(BIG));
});

test('a bytes body over inlineMaxBytes is streamed compressed', async (t) => {
  const res = await through(respond(200, JSON_TYPE, BIG), GZ, { inlineMaxBytes: 100 });
  t.is(res.kind, 'stream');
  t.is(res.kind === 'stream' ? res.length : -1, null);
  const out = res.kind === 'stream' ? await res.body.runAsync(sinkList()) : [];
  t.true(gunzipSync(Buffer.concat(out.filter((x): x is Uint8Array => !isFlush(x)))).equals(BIG));
});

test('a stream is compressed, keeps its Flush points and loses its length', async (t) => {
  const items: Flushable<Uint8Array>[] = [Buffer.from('data: 1\n\n'), FLUSH, Buffer.from('data: 2\n\n'), FLUSH];
  const res = await through(respond.stream(200, { 'content-type': 'text/event-stream', 'content-length': '22' }, fromArray(items)), GZ, { threshold: 0 });
  t.is(res.kind, 'stream');
  if (res.kind !== 'stream') return;
  t.is(res.length, null);
  t.false('content-length' in res.headers);
  const out = await res.body.runAsync(sinkList());
  t.is(out.filter(isFlush).length, 2);
  t.is(gunzipSync(Buffer.concat(out.filter((x): x is Uint8Array => !isFlush(x)))).toString(), 'data: 1\n\ndata: 2\n\n');
});

test('an async app is handled like a sync one', async (t) => {
  const res = await gzip()(async () => respond(200, JSON_TYPE, BIG))(fakeRequest('GET', '/', GZ));
  t.is(res.headers['content-encoding'], 'gzip');
});

const varyCase = test.macro(async (t, headers: ResponseHeaders, reqHeaders: Record<string, string>, expectedVary: unknown) => {
  const res = await through(respond(200, { ...JSON_TYPE, ...headers }, '{}'), reqHeaders);
  t.is(res.headers.vary ?? res.headers.Vary, expectedVary as string);
  t.false('content-encoding' in res.headers);
});

test('Vary is added to a small uncompressed response', varyCase, {}, GZ, 'Accept-Encoding');
test('Vary is added when the client accepts nothing', varyCase, {}, {}, 'Accept-Encoding');
test('Vary is extended', varyCase, { vary: 'Origin' }, GZ, 'Origin, Accept-Encoding');
test('Vary already naming Accept-Encoding is kept', varyCase, { vary: 'accept-encoding, Origin' }, GZ, 'accept-encoding, Origin');
test('Vary: * is kept', varyCase, { vary: '*' }, GZ, '*');
test('a Vary list value is joined and extended', varyCase, { vary: ['Origin', 'Cookie'] }, GZ, 'Origin, Cookie, Accept-Encoding');

test('a passed response is returned untouched', async (t) => {
  const res = respond(200, { 'content-type': 'image/png' }, BIG);
  t.is(await through(res), res);
});

test('the app\'s headers object is never mutated', async (t) => {
  const shared = { ...JSON_TYPE, etag: '"x"' };
  await through(respond(200, shared, BIG));
  t.deepEqual(shared, { ...JSON_TYPE, etag: '"x"' });
});

test('encodedHeaders weakens a strong ETag, keeps a weak one, and drops any-case Content-Length', (t) => {
  t.deepEqual(encodedHeaders({ ETag: '"a"', 'CONTENT-LENGTH': 5 }, 'gzip'), { 'content-encoding': 'gzip', vary: 'Accept-Encoding', etag: 'W/"a"' });
  t.deepEqual(encodedHeaders({ etag: 'W/"a"' }, 'br'), { etag: 'W/"a"', 'content-encoding': 'br', vary: 'Accept-Encoding' });
});

test('gzip() rejects a bad level at construction', (t) => {
  t.throws(() => gzip({ level: 12 }), { instanceOf: RangeError });
});
