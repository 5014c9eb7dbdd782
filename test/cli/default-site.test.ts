// Tests for the embedded default site: its pages, validators, 304, 404 and 405, without a socket.
import test from 'ava';
import { DEFAULT_INDEX_HTML, DEFAULT_SITE_PATHS, DEFAULT_STYLE_CSS, defaultSite } from '../../src/cli/default-site.js';
import { empty } from '../../src/conduit/index.js';
import { Request } from '../../src/server/request.js';
import { parseRequestHead } from '../../src/server/request-head.js';
import type { Response } from '../../src/server/types.js';

function request(method: string, path: string, extra = ''): Request {
  const buf = Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`, 'latin1');
  const parsed = parseRequestHead(buf, 0, buf.length);
  if (parsed.kind !== 'head') throw new Error('bad head');
  return new Request(parsed.head, empty(), { remoteAddress: () => null, signal: new AbortController().signal });
}

const app = defaultSite();
const call = (req: Request): Response => app(req) as Response;
const text = (res: Response): string => (res.kind === 'bytes' ? Buffer.from(res.body).toString('utf8') : '');

test('/ and /index.html serve the welcome page; /style.css its stylesheet', (t) => {
  t.is(text(call(request('GET', '/'))), DEFAULT_INDEX_HTML);
  t.is(text(call(request('GET', '/index.html'))), DEFAULT_INDEX_HTML);
  const css = call(request('GET', '/style.css'));
  t.is(text(css), DEFAULT_STYLE_CSS);
  t.is(css.headers['content-type'], 'text/css; charset=utf-8');
  t.is(call(request('GET', '/')).headers['content-type'], 'text/html; charset=utf-8');
  t.deepEqual(DEFAULT_SITE_PATHS, ['/', '/index.html', '/style.css']);
});

test('the page links the stylesheet it ships', (t) => {
  t.true(DEFAULT_INDEX_HTML.includes('href="/style.css"'));
});

test('pages carry strong content-hash ETags and revalidate to 304', (t) => {
  const first = call(request('GET', '/'));
  const etag = String(first.headers.etag);
  t.regex(etag, /^"[A-Za-z0-9_-]{22}"$/);
  t.not(etag, String(call(request('GET', '/style.css')).headers.etag));
  const again = call(request('GET', '/', `If-None-Match: ${etag}\r\n`));
  t.is(again.status, 304);
  t.is(again.headers.etag, etag);
  t.is(call(request('GET', '/', 'If-None-Match: "stale"\r\n')).status, 200);
});

test('unknown paths are 404 and other methods 405 with Allow', (t) => {
  t.is(call(request('GET', '/missing')).status, 404);
  const post = call(request('POST', '/'));
  t.is(post.status, 405);
  t.is(post.headers.allow, 'GET, HEAD');
  t.is(call(request('HEAD', '/')).status, 200);
});
