// Tests for the CLI's application builder: the static app or the default site, gzip, and the engine access log.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApplication } from '../../src/cli/application.js';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from '../../src/cli/args.js';
import { empty, isFlush, sinkList } from '../../src/conduit/index.js';
import { Request } from '../../src/server/request.js';
import { parseRequestHead } from '../../src/server/request-head.js';
import type { Response } from '../../src/server/types.js';

const DIR = mkdtempSync(join(tmpdir(), 'sluice-cli-app-'));
const TEXT = 'compress me '.repeat(500);
test.before(() => {
  writeFileSync(join(DIR, 'a.txt'), 'A');
  writeFileSync(join(DIR, 'big.txt'), TEXT);
});
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

const CONFIG: ServeConfig = { ...DEFAULT_SERVE_CONFIG, dir: DIR, port: 0 };

function get(path: string, extra = ''): Request {
  const buf = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`, 'latin1');
  const parsed = parseRequestHead(buf, 0, buf.length);
  if (parsed.kind !== 'head') throw new Error('bad head');
  return new Request(parsed.head, empty(), { remoteAddress: () => '10.1.1.1:5', signal: new AbortController().signal });
}

test('a directory config serves that directory; no directory serves the built-in site', async (t) => {
  const files = buildApplication(CONFIG);
  t.is(((await files.app(get('/a.txt'))) as Response).kind, 'file');
  t.deepEqual(files.settings, {});
  t.is(await files.close(), null);
  const site = buildApplication({ ...CONFIG, dir: null });
  t.regex(Buffer.from(((await site.app(get('/'))) as Extract<Response, { kind: 'bytes' }>).body).toString(), /Sluice is running/);
});

test('--gzip compresses a compressible file for a client that accepts gzip, and leaves it alone otherwise', async (t) => {
  const built = buildApplication({ ...CONFIG, gzip: true });
  const zipped = (await built.app(get('/big.txt', 'Accept-Encoding: gzip\r\n'))) as Response;
  t.is(zipped.headers['content-encoding'], 'gzip');
  t.is(zipped.kind, 'stream');
  if (zipped.kind === 'stream') {
    const chunks = await zipped.body.run(sinkList());
    const { gunzipSync } = await import('node:zlib');
    t.is(gunzipSync(Buffer.concat(chunks.filter((c): c is Uint8Array => !isFlush(c)))).toString(), TEXT);
  }
  const plain = (await built.app(get('/big.txt'))) as Response;
  t.is(plain.kind, 'file');
  t.false('content-encoding' in plain.headers);
});

test('--access-log sets the engine logger hook and close() flushes the file', async (t) => {
  const path = join(DIR, 'a.log');
  const built = buildApplication({ ...CONFIG, accessLog: path, jsonLog: true });
  t.is(typeof built.settings.logger, 'function');
  built.settings.logger!({ request: get('/a.txt'), status: 200, bytes: 1, durationMs: 0.1 });
  t.is(await built.close(), null);
  t.like(JSON.parse(readFileSync(path, 'utf8')), { target: '/a.txt', status: 200, remote: '10.1.1.1' });
});

test('an access log that cannot be written is reported at close with the lines lost', async (t) => {
  const built = buildApplication({ ...CONFIG, accessLog: join(DIR, 'no', 'such', 'dir', 'x.log') });
  built.settings.logger!({ request: get('/a.txt'), status: 200, bytes: 1, durationMs: 0.1 });
  await new Promise((r) => setTimeout(r, 200));
  built.settings.logger!({ request: get('/a.txt'), status: 200, bytes: 1, durationMs: 0.1 });
  const warning = await built.close();
  t.regex(warning ?? '', /^access log .*x\.log: ENOENT.*; \d+ line\(s\) dropped$/);
});

test('--health-path answers 200 while serving and 503 once draining; other paths reach the site', async (t) => {
  const built = buildApplication({ ...CONFIG, healthPath: '/healthz', auth: 'u:p' });
  const ok = (await built.app(get('/healthz'))) as Extract<Response, { kind: 'bytes' }>;
  t.is(ok.status, 200, 'no credentials needed');
  t.is(ok.headers['cache-control'], 'no-store');
  t.is(((await built.app(get('/a.txt'))) as Response).status, 401);
  built.drain();
  t.is(((await built.app(get('/healthz'))) as Response).status, 503);
});

test('--metrics-path serves Prometheus text counted from the engine logger, with the server\'s open connections', async (t) => {
  const built = buildApplication({ ...CONFIG, metricsPath: '/metrics' });
  built.attach({ connections: 3 } as never);
  const log = built.settings.logger!;
  log({ request: get('/a.txt'), status: 200, bytes: 10, durationMs: 3 });
  log({ request: get('/a.txt'), status: 404, bytes: 5, durationMs: 30 });
  log({ request: get('/a.txt'), status: 503, bytes: 0, durationMs: 20_000 });
  const res = (await built.app(get('/metrics'))) as Extract<Response, { kind: 'bytes' }>;
  t.regex(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const text = Buffer.from(res.body).toString();
  for (const line of ['sluice_requests_total{code="2xx"} 1', 'sluice_requests_total{code="4xx"} 1', 'sluice_requests_total{code="5xx"} 1',
    'sluice_response_bytes_total 15', 'sluice_open_connections 3', 'sluice_request_duration_seconds_bucket{le="0.005"} 1',
    'sluice_request_duration_seconds_bucket{le="0.05"} 2', 'sluice_request_duration_seconds_bucket{le="10"} 2',
    'sluice_request_duration_seconds_bucket{le="+Inf"} 3', 'sluice_request_duration_seconds_sum 20.033', 'sluice_request_duration_seconds_count 3']) {
    t.true(text.split('\n').includes(line), line);
  }
});

test('the load-balancer flags become engine settings', (t) => {
  t.deepEqual(buildApplication({ ...CONFIG, proxyProtocol: true, trustedProxies: ['10.0.0.0/8'], forwardedHeaders: true }).settings,
    { proxyProtocol: true, trustedProxies: ['10.0.0.0/8'], forwardedHeaders: true });
  t.deepEqual(buildApplication({ ...CONFIG, deferAccept: true }).settings, { deferAccept: true });
});
