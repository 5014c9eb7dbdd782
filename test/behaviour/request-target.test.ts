// Request targets (RFC 9112 §3.2): origin-form path and query split, absolute-form (its authority is the host),
// asterisk-form for OPTIONS, authority-form for CONNECT, and what the app sees of each.
import test from './transport.js';
import { respond, type Application } from '../../src/index.js';
import { parseResponses, rawExchange, withServer } from './helpers.js';

/** Answers with what the request looked like to the app, as JSON. */
const describe: Application = (req) => respond.json(200, {
  method: req.method,
  target: req.target,
  path: req.path,
  query: req.query,
  host: req.host,
  decoded: req.decodedPathname,
  params: [...req.searchParams.entries()],
  version: req.httpVersion,
});

async function seen(request: string): Promise<Record<string, unknown>> {
  let out: Record<string, unknown> = {};
  await withServer(describe, {}, async (port) => {
    const r = await rawExchange(port, request, { until: (d) => d.includes('}') });
    const [res] = parseResponses(r.data);
    out = JSON.parse(res!.body.toString()) as Record<string, unknown>;
  });
  return out;
}

test('an origin-form target is split into path and query', async (t) => {
  const s = await seen('GET /a/b%20c?x=1&y=two%20words&x=3 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n');
  t.is(s['path'], '/a/b%20c');
  t.is(s['query'], 'x=1&y=two%20words&x=3');
  t.is(s['decoded'], '/a/b c');
  t.deepEqual(s['params'], [['x', '1'], ['y', 'two words'], ['x', '3']]);
  t.is(s['host'], 'example.com:8080');
  t.is(s['target'], '/a/b%20c?x=1&y=two%20words&x=3');
});

test('a target without a query has an empty query', async (t) => {
  const s = await seen('GET /plain HTTP/1.1\r\nHost: h\r\n\r\n');
  t.is(s['path'], '/plain');
  t.is(s['query'], '');
  t.deepEqual(s['params'], []);
});

test('a target with an empty query after ? has an empty query', async (t) => {
  const s = await seen('GET /p? HTTP/1.1\r\nHost: h\r\n\r\n');
  t.is(s['path'], '/p');
  t.is(s['query'], '');
});

test('an absolute-form target takes its host from the authority, not the Host header', async (t) => {
  const s = await seen('GET http://origin.example:81/x/y?q=1 HTTP/1.1\r\nHost: other.example\r\n\r\n');
  t.is(s['host'], 'origin.example:81');
  t.is(s['path'], '/x/y');
  t.is(s['query'], 'q=1');
  t.is(s['target'], 'http://origin.example:81/x/y?q=1');
});

test('an absolute-form target with no path has path /', async (t) => {
  const s = await seen('GET http://origin.example HTTP/1.1\r\nHost: origin.example\r\n\r\n');
  t.is(s['host'], 'origin.example');
  t.is(s['path'], '/');
});

test('OPTIONS * is served with path *', async (t) => {
  const s = await seen('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n');
  t.is(s['method'], 'OPTIONS');
  t.is(s['target'], '*');
  t.is(s['path'], '*');
});

test('an asterisk target with a method other than OPTIONS is a 400', async (t) => {
  await withServer(describe, {}, async (port) => {
    const r = await rawExchange(port, 'GET * HTTP/1.1\r\nHost: h\r\n\r\n');
    t.deepEqual(parseResponses(r.data).map((x) => x.status), [400]);
  });
});

test('a percent-encoding that is not valid UTF-8 gives a null decodedPathname', async (t) => {
  const s = await seen('GET /bad%ff%fe HTTP/1.1\r\nHost: h\r\n\r\n');
  t.is(s['path'], '/bad%ff%fe');
  t.is(s['decoded'], null);
});

test('an HTTP/1.0 request without Host is served with a null host', async (t) => {
  const s = await seen('GET /old HTTP/1.0\r\n\r\n');
  t.is(s['host'], null);
  t.is(s['version'], '1.0');
});

test('the method keeps its case and extension methods are passed through', async (t) => {
  const s = await seen('PURGE /cache HTTP/1.1\r\nHost: h\r\n\r\n');
  t.is(s['method'], 'PURGE');
});
