// Static files over a real socket: GET/HEAD bytes and labels, 405 + Allow, the slash redirect, index.html,
// dotfiles, 404s, Cache-Control and precompressed siblings, on one keep-alive connection where it matters.
import test from './transport.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticFiles } from '../../src/middleware/index.js';
import { parseResponses, rawExchange, withServer, type ParsedResponse } from './helpers.js';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-static-files-'));
const PAGE = '<!doctype html><h1>hello</h1>';

test.before(() => {
  writeFileSync(join(ROOT, 'index.html'), PAGE);
  writeFileSync(join(ROOT, 'data.json'), '{"a":1}');
  writeFileSync(join(ROOT, 'blob.bin'), Buffer.from([0, 1, 2, 255]));
  writeFileSync(join(ROOT, '.htpasswd'), 'admin:secret');
  mkdirSync(join(ROOT, 'sub'));
  writeFileSync(join(ROOT, 'sub', 'index.html'), 'sub index');
  writeFileSync(join(ROOT, 'app.js'), 'console.log(1)');
  writeFileSync(join(ROOT, 'app.js.gz'), 'gzipped-bytes');
});

test.after.always(() => rmSync(ROOT, { recursive: true, force: true }));

/** Sends raw requests on one connection (the last one closes it) and parses every response. */
async function exchange(port: number, requests: string[], headRequests = 0): Promise<ParsedResponse[]> {
  const wire = requests.map((r, i) => (i === requests.length - 1 ? r.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n') : r));
  const { data } = await rawExchange(port, wire.join(''));
  return parseResponses(data, { headRequests });
}

function req(method: string, path: string, extra = ''): string {
  return `${method} ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;
}

test('GET serves the file bytes with type, length, validators and Accept-Ranges', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const [html, json, bin] = await exchange(port, [req('GET', '/index.html'), req('GET', '/data.json'), req('GET', '/blob.bin')]);
    t.is(html!.status, 200);
    t.is(html!.body.toString(), PAGE);
    t.is(html!.headers['content-type'], 'text/html; charset=utf-8');
    t.is(html!.headers['content-length'], String(PAGE.length));
    t.is(html!.headers['accept-ranges'], 'bytes');
    t.regex(html!.headers.etag!, /^W\/"/);
    t.truthy(Date.parse(html!.headers['last-modified']!));
    t.is(json!.headers['content-type'], 'application/json; charset=utf-8');
    t.is(json!.body.toString(), '{"a":1}');
    t.is(bin!.headers['content-type'], 'application/octet-stream');
    t.deepEqual([...bin!.body], [0, 1, 2, 255]);
  });
});

test('HEAD sends the GET head with its Content-Length and no body, and the connection stays usable', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const [head, get] = await exchange(port, [req('HEAD', '/index.html'), req('GET', '/data.json')], 1);
    t.is(head!.status, 200);
    t.is(head!.headers['content-length'], String(PAGE.length));
    t.is(head!.body.length, 0);
    // Had HEAD sent a body, it would be parsed as the next response's head and this would fail.
    t.is(get!.body.toString(), '{"a":1}');
  });
});

test('other methods get 405 with Allow: GET, HEAD', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const responses = await exchange(port, ['POST', 'PUT', 'DELETE', 'OPTIONS'].map((m) => req(m, '/index.html', 'Content-Length: 0\r\n')));
    t.deepEqual(responses.map((r) => r.status), [405, 405, 405, 405]);
    for (const r of responses) t.is(r.headers.allow, 'GET, HEAD');
  });
});

test('a directory without its slash is a 301 to the slash, query kept; with it, its index.html', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const [redirect, index, root] = await exchange(port, [req('GET', '/sub?x=1'), req('GET', '/sub/'), req('GET', '/')]);
    t.is(redirect!.status, 301);
    t.is(redirect!.headers.location, '/sub/?x=1');
    t.is(index!.body.toString(), 'sub index');
    t.is(root!.body.toString(), PAGE);
  });
});

test('dotfiles and missing files are 404 and leak nothing', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const responses = await exchange(port, [req('GET', '/.htpasswd'), req('GET', '/%2ehtpasswd'), req('GET', '/missing.txt'), req('GET', '/index.html/')]);
    t.deepEqual(responses.map((r) => r.status), [404, 404, 404, 404]);
    for (const r of responses) t.false(r.body.toString().includes('secret'));
  });
});

test('dotfiles: allow serves them', async (t) => {
  await withServer(staticFiles(ROOT, { dotfiles: 'allow' }), {}, async (port) => {
    const [r] = await exchange(port, [req('GET', '/.htpasswd')]);
    t.is(r!.body.toString(), 'admin:secret');
  });
});

test('Cache-Control and a precompressed sibling with Content-Encoding and Vary', async (t) => {
  await withServer(staticFiles(ROOT, { precompressed: true, cacheControl: 300 }), {}, async (port) => {
    const [gz, plain] = await exchange(port, [req('GET', '/app.js', 'Accept-Encoding: gzip, deflate\r\n'), req('GET', '/app.js')]);
    t.is(gz!.headers['content-encoding'], 'gzip');
    t.is(gz!.headers.vary, 'Accept-Encoding');
    t.is(gz!.headers['content-type'], 'text/javascript; charset=utf-8');
    t.is(gz!.headers['cache-control'], 'public, max-age=300');
    t.is(gz!.body.toString(), 'gzipped-bytes');
    t.false('content-encoding' in plain!.headers);
    t.is(plain!.headers.vary, 'Accept-Encoding');
    t.is(plain!.body.toString(), 'console.log(1)');
  });
});

test('many keep-alive requests for the same file each get the whole file', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const responses = await exchange(port, Array.from({ length: 50 }, () => req('GET', '/index.html')));
    t.is(responses.length, 50);
    for (const r of responses) t.is(r.body.toString(), PAGE);
  });
});
