// gzip() on the wire: a compressed bytes body keeps an exact Content-Length, a compressed stream is chunked, identity
// clients get identity (with Vary), HEAD through autohead gets the GET head, and keep-alive survives all of it.
import test from './transport.js';
import { gunzipSync } from 'node:zlib';
import { compose, fromArray, respond, type Application } from '../../src/index.js';
import { autohead } from '../../src/middleware/autohead.js';
import { gzip } from '../../src/middleware/gzip.js';
import { countCompleteResponses, get, parseResponses, rawExchange, withServer } from './helpers.js';

const DOC = Buffer.from(JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `item ${i}`, ok: i % 2 === 0 }))));

const app: Application = (req) => {
  if (req.path === '/json') return respond(200, { 'content-type': 'application/json', etag: '"doc1"' }, DOC);
  if (req.path === '/stream') return respond.stream(200, { 'content-type': 'text/plain' }, fromArray([DOC.subarray(0, 1000), DOC.subarray(1000)]));
  if (req.path === '/png') return respond(200, { 'content-type': 'image/png' }, DOC);
  return respond.text(404, 'nope');
};

const served = compose(autohead(), gzip())(app);
const GZ = 'Accept-Encoding: gzip, deflate, br\r\n';

test('a JSON body is gzipped with an exact Content-Length, a weak ETag and Vary', async (t) => {
  await withServer(served, {}, async (port) => {
    const { data } = await rawExchange(port, get('/json', GZ), { until: (d) => countCompleteResponses(d) === 1 });
    const [res] = parseResponses(data);
    t.is(res!.status, 200);
    t.is(res!.headers['content-encoding'], 'gzip');
    t.is(res!.headers.vary, 'Accept-Encoding');
    t.is(res!.headers.etag, 'W/"doc1"');
    t.is(Number(res!.headers['content-length']), res!.body.length);
    t.true(gunzipSync(res!.body).equals(DOC));
  });
});

test('a streamed body is gzipped and chunked', async (t) => {
  await withServer(served, {}, async (port) => {
    const { data } = await rawExchange(port, get('/stream', GZ), { until: (d) => countCompleteResponses(d) === 1 });
    const [res] = parseResponses(data);
    t.is(res!.headers['transfer-encoding'], 'chunked');
    t.is(res!.headers['content-length'], undefined);
    t.true(gunzipSync(res!.body).equals(DOC));
  });
});

test('a client without Accept-Encoding gets identity, with Vary', async (t) => {
  await withServer(served, {}, async (port) => {
    const { data } = await rawExchange(port, get('/json'), { until: (d) => countCompleteResponses(d) === 1 });
    const [res] = parseResponses(data);
    t.is(res!.headers['content-encoding'], undefined);
    t.is(res!.headers.vary, 'Accept-Encoding');
    t.is(res!.headers.etag, '"doc1"');
    t.true(res!.body.equals(DOC));
  });
});

test('an image is sent as it is, without Vary', async (t) => {
  await withServer(served, {}, async (port) => {
    const { data } = await rawExchange(port, get('/png', GZ), { until: (d) => countCompleteResponses(d) === 1 });
    const [res] = parseResponses(data);
    t.is(res!.headers['content-encoding'], undefined);
    t.is(res!.headers.vary, undefined);
    t.true(res!.body.equals(DOC));
  });
});

test('HEAD via autohead gets exactly the head a gzipped GET gets, and no body', async (t) => {
  await withServer(served, {}, async (port) => {
    const head = `HEAD /json HTTP/1.1\r\nHost: t\r\n${GZ}\r\n`;
    const { data } = await rawExchange(port, [head, get('/json', GZ), get('/png', GZ)], { until: (d) => countCompleteResponses(d, 1) === 3 });
    const [h, full, next] = parseResponses(data, { headRequests: 1 });
    t.is(h!.status, 200);
    // autohead outside gzip: the GET response, compressed, is what HEAD describes (RFC 9110 §9.3.2).
    t.deepEqual({ ...h!.headers, date: '' }, { ...full!.headers, date: '' });
    t.is(h!.headers['content-encoding'], 'gzip');
    t.is(h!.body.length, 0);
    t.true(next!.body.equals(DOC)); // the connection carried on: nothing stray was sent after the HEAD head
  });
});

test('pipelined compressed responses on one connection all decode', async (t) => {
  await withServer(served, {}, async (port) => {
    const reqs = [get('/json', GZ), get('/stream', GZ), get('/json', GZ)];
    const { data } = await rawExchange(port, reqs.join(''), { until: (d) => countCompleteResponses(d) === 3 });
    const all = parseResponses(data);
    t.is(all.length, 3);
    for (const r of all) t.true(gunzipSync(r.body).equals(DOC));
  });
});
