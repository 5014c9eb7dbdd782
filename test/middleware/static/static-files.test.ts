// Tests for the static file app, in memory: requests are parsed heads, responses are inspected without a socket.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { empty, isFlush, sinkList, type Flushable } from '../../../src/conduit/index.js';
import { FdCache } from '../../../src/server/fd-cache.js';
import type { FileCaches } from '../../../src/server/file-caches.js';
import { FileInfoCache } from '../../../src/server/file-info-cache.js';
import { Request } from '../../../src/server/request.js';
import { parseRequestHead } from '../../../src/server/request-head.js';
import { respond } from '../../../src/server/response.js';
import type { Response } from '../../../src/server/types.js';
import { FileChangedError, streamBodyParts } from '../../../src/middleware/static/multipart.js';
import { resolveStaticOptions } from '../../../src/middleware/static/static-options.js';
import { formatCacheControl } from '../../../src/middleware/static/cache-control.js';
import { etagOf, pinFile, respondWithFile } from '../../../src/middleware/static/file-response.js';
import { createStaticLookup, serveStatic, staticFiles, StaticRootError, type StaticOptions } from '../../../src/middleware/static/static-files.js';

const ROOT = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-static-unit-')));
const OUTSIDE = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-static-outside-')));
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
const MTIME = new Date('2024-05-01T12:00:00Z');

test.before(() => {
  writeFileSync(join(ROOT, 'a.txt'), ALPHABET);
  writeFileSync(join(ROOT, 'empty.txt'), '');
  writeFileSync(join(ROOT, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(ROOT, 'style.css'), 'body{}');
  writeFileSync(join(ROOT, 'style.css.gz'), 'GZ');
  writeFileSync(join(ROOT, 'style.css.br'), 'BR');
  writeFileSync(join(ROOT, '.env'), 'SECRET');
  mkdirSync(join(ROOT, 'docs'));
  writeFileSync(join(ROOT, 'docs', 'index.html'), 'docs');
  mkdirSync(join(ROOT, 'bare'));
  mkdirSync(join(ROOT, 'dirindex'));
  mkdirSync(join(ROOT, 'dirindex', 'index.html'));
  mkdirSync(join(ROOT, 'escape'));
  writeFileSync(join(OUTSIDE, 'secret.txt'), 'outside');
  symlinkSync(join(OUTSIDE, 'secret.txt'), join(ROOT, 'escape', 'index.html'));
  symlinkSync(join(OUTSIDE, 'secret.txt'), join(ROOT, 'link.txt'));
  mkdirSync(join(ROOT, '.well-known'));
  writeFileSync(join(ROOT, '.well-known', 'security.txt'), 'contact');
  utimesSync(join(ROOT, 'a.txt'), MTIME, MTIME);
});

test.after.always(() => {
  rmSync(ROOT, { recursive: true, force: true });
  rmSync(OUTSIDE, { recursive: true, force: true });
});

/** Fresh caches per app, so one test's stat never leaks into another's. */
function freshCaches(): FileCaches {
  const info = new FileInfoCache();
  return { info, fds: new FdCache({ infoCache: info }) };
}

function appOf(options: StaticOptions = {}, root = ROOT): (req: Request) => Response {
  const app = staticFiles(root, { caches: freshCaches(), ...options });
  return (req) => app(req) as Response;
}

function request(method: string, target: string, headers: Record<string, string> = {}): Request {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const buf = Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: x\r\n${lines}\r\n`, 'latin1');
  const parsed = parseRequestHead(buf, 0, buf.length);
  if (parsed.kind !== 'head') throw new Error(`bad test request ${target}`);
  return new Request(parsed.head, empty(), { remoteAddress: () => null, signal: new AbortController().signal });
}

/** One response header as sent, or undefined when absent. */
function header(res: Response, name: string): string | undefined {
  const v = res.headers[name];
  return v === undefined ? undefined : String(v);
}

/** The bytes a response would put on the wire as its body. */
async function bodyOf(res: Response): Promise<Buffer> {
  if (res.kind === 'bytes') return Buffer.from(res.body);
  if (res.kind === 'file') {
    const all = readFileSync(res.path);
    return res.range === null ? all : all.subarray(res.range.start, res.range.end);
  }
  if (res.kind === 'upgrade') throw new Error('static files never upgrade');
  const chunks = await res.body.run(sinkList());
  return Buffer.concat(chunks.filter((c): c is Uint8Array => !isFlush(c)));
}

test('GET of a file is a file response with type, validators and Accept-Ranges', (t) => {
  const res = appOf()(request('GET', '/a.txt'));
  t.is(res.kind, 'file');
  t.is(res.status, 200);
  if (res.kind !== 'file') return;
  t.is(res.path, join(ROOT, 'a.txt'));
  t.is(res.range, null);
  t.is(res.headers['content-type'], 'text/plain; charset=utf-8');
  t.is(res.headers['last-modified'], MTIME.toUTCString());
  t.regex(String(res.headers.etag), /^W\/"1a-[0-9a-f]+"$/);
  t.is(res.headers['accept-ranges'], 'bytes');
  t.is(header(res, 'cache-control'), undefined);
  t.is(header(res, 'vary'), undefined);
});

test('HEAD answers like GET (the engine drops the body)', (t) => {
  const app = appOf();
  const get = app(request('GET', '/a.txt'));
  const head = app(request('HEAD', '/a.txt'));
  t.deepEqual(head, get);
});

for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'get']) {
  test(`${method} gets 405 with Allow: GET, HEAD`, (t) => {
    const res = appOf()(request(method, '/a.txt'));
    t.is(res.status, 405);
    t.is(res.headers.allow, 'GET, HEAD');
  });
}

test('a directory without its slash redirects 301 to path + "/" keeping the query', (t) => {
  const app = appOf();
  const res = app(request('GET', '/docs'));
  t.is(res.status, 301);
  t.is(res.headers.location, '/docs/');
  t.is(app(request('GET', '/docs?x=1&y=%20')).headers.location, '/docs/?x=1&y=%20');
});

test('a redirect never becomes a network-path reference (no open redirect through //host)', (t) => {
  const res = appOf()(request('GET', '//docs'));
  t.is(res.status, 301);
  t.is(res.headers.location, '/docs/');
});

test('a directory with its slash serves its index.html', async (t) => {
  const app = appOf();
  const res = app(request('GET', '/docs/'));
  t.is(res.status, 200);
  t.is((await bodyOf(res)).toString(), 'docs');
  t.is(res.headers['content-type'], 'text/html; charset=utf-8');
  t.is((await bodyOf(app(request('GET', '/')))).toString(), '<h1>home</h1>');
});

test('a directory without an index, with a directory as index, or index: false is 404', (t) => {
  t.is(appOf()(request('GET', '/bare/')).status, 404);
  t.is(appOf()(request('GET', '/dirindex/')).status, 404);
  t.is(appOf({ index: false })(request('GET', '/docs/')).status, 404);
});

test('a custom index name is served', async (t) => {
  const res = appOf({ index: 'a.txt' })(request('GET', '/'));
  t.is((await bodyOf(res)).toString(), ALPHABET);
});

test('an index.html symlinked out of the root is 404, never the outside file', (t) => {
  t.is(appOf()(request('GET', '/escape/')).status, 404);
});

test('missing files, a file with a trailing slash and a symlink out of the root are 404', (t) => {
  const app = appOf();
  t.is(app(request('GET', '/nope.txt')).status, 404);
  t.is(app(request('GET', '/a.txt/')).status, 404);
  t.is(app(request('GET', '/link.txt')).status, 404);
});

const traversal = test.macro({
  async exec(t, target: string, status: number) {
    const res = appOf()(request('GET', target));
    t.is(res.status, status);
    t.false((await bodyOf(res)).toString().includes('outside'));
  },
  title: (_, target: string, status: number) => `traversal ${target} is ${status}`,
});

test(traversal, '/../a.txt', 400);
test(traversal, '/docs/../../secret.txt', 400);
test(traversal, '/%2e%2e/secret.txt', 400);
test(traversal, '/%2E%2E%2Fsecret.txt', 400);
test(traversal, '/..%2fsecret.txt', 400);
test(traversal, '/..%5csecret.txt', 400);
test(traversal, '/%252e%252e/secret.txt', 400);
test(traversal, '/a.txt%00.html', 400);
test(traversal, '/%c0%ae%c0%ae/secret.txt', 400);
test(traversal, '/./a.txt', 400);

test('dotfiles are hidden by default (404), refused with dotfiles: deny (403), and served with dotfiles: allow', async (t) => {
  t.is(appOf()(request('GET', '/.env')).status, 404);
  t.is(appOf()(request('GET', '/%2eenv')).status, 404);
  t.is(appOf({ dotfiles: 'ignore' })(request('GET', '/.env')).status, 404);
  t.is(appOf({ dotfiles: 'deny' })(request('GET', '/.env')).status, 403);
  t.is(appOf({ dotfiles: 'deny' })(request('GET', '/.well-known/security.txt')).status, 200);
  const allowed = appOf({ dotfiles: 'allow' })(request('GET', '/.env'));
  t.is((await bodyOf(allowed)).toString(), 'SECRET');
});

test('/.well-known/ is served even when dotfiles are hidden (RFC 8615)', async (t) => {
  t.is((await bodyOf(appOf()(request('GET', '/.well-known/security.txt')))).toString(), 'contact');
});

test('If-None-Match with the current ETag is 304 with validators and no body or type', async (t) => {
  const app = appOf({ cacheControl: 60 });
  const etag = String(app(request('GET', '/a.txt')).headers.etag);
  const res = app(request('GET', '/a.txt', { 'if-none-match': etag }));
  t.is(res.status, 304);
  t.is(res.headers.etag, etag);
  t.is(res.headers['last-modified'], MTIME.toUTCString());
  t.is(res.headers['cache-control'], 'public, max-age=60');
  t.is(header(res, 'content-type'), undefined);
  t.is((await bodyOf(res)).length, 0);
  t.is(app(request('GET', '/a.txt', { 'if-none-match': '"other", ' + etag })).status, 304);
  t.is(app(request('GET', '/a.txt', { 'if-none-match': '"other"' })).status, 200);
});

test('If-Modified-Since at or after Last-Modified is 304; before it is 200', (t) => {
  const app = appOf();
  t.is(app(request('GET', '/a.txt', { 'if-modified-since': MTIME.toUTCString() })).status, 304);
  t.is(app(request('GET', '/a.txt', { 'if-modified-since': new Date(MTIME.getTime() - 1000).toUTCString() })).status, 200);
  t.is(app(request('GET', '/a.txt', { 'if-modified-since': 'not a date' })).status, 200);
});

test('If-Match that fails and If-Unmodified-Since before Last-Modified are 412', (t) => {
  const app = appOf();
  t.is(app(request('GET', '/a.txt', { 'if-match': '"nope"' })).status, 412);
  t.is(app(request('GET', '/a.txt', { 'if-unmodified-since': new Date(MTIME.getTime() - 1000).toUTCString() })).status, 412);
  t.is(app(request('GET', '/a.txt', { 'if-match': '*' })).status, 200);
});

test('a single range is a 206 file response with Content-Range and an exclusive end', async (t) => {
  const app = appOf();
  const res = app(request('GET', '/a.txt', { range: 'bytes=2-4' }));
  t.is(res.status, 206);
  t.is(res.kind, 'file');
  if (res.kind === 'file') t.deepEqual(res.range, { start: 2, end: 5 });
  t.is(res.headers['content-range'], 'bytes 2-4/26');
  t.is((await bodyOf(res)).toString(), 'cde');
  t.is((await bodyOf(app(request('GET', '/a.txt', { range: 'bytes=-3' })))).toString(), 'xyz');
  t.is((await bodyOf(app(request('GET', '/a.txt', { range: 'bytes=20-' })))).toString(), 'uvwxyz');
  t.is((await bodyOf(app(request('GET', '/a.txt', { range: 'bytes=20-1000' })))).toString(), 'uvwxyz');
});

test('an unsatisfiable range is 416 with Content-Range: bytes */length', (t) => {
  const res = appOf()(request('GET', '/a.txt', { range: 'bytes=26-' }));
  t.is(res.status, 416);
  t.is(res.headers['content-range'], 'bytes */26');
});

test('bad Range syntax, another unit or HEAD get the full 200', (t) => {
  const app = appOf();
  for (const range of ['bytes=5-2', 'bytes=x-y', 'items=0-1', 'bytes=']) {
    const res = app(request('GET', '/a.txt', { range }));
    t.is(res.status, 200, range);
    if (res.kind === 'file') t.is(res.range, null);
  }
  t.is(app(request('HEAD', '/a.txt', { range: 'bytes=0-1' })).status, 200);
});

test('If-Range with a stale validator sends the whole file; with the current ETag, the range', (t) => {
  const app = appOf({ etag: 'strong' });
  const etag = String(app(request('GET', '/a.txt')).headers.etag);
  t.is(app(request('GET', '/a.txt', { range: 'bytes=0-1', 'if-range': '"stale"' })).status, 200);
  t.is(app(request('GET', '/a.txt', { range: 'bytes=0-1', 'if-range': etag })).status, 206);
  t.is(app(request('GET', '/a.txt', { range: 'bytes=0-1', 'if-range': MTIME.toUTCString() })).status, 206);
});

/** Splits a multipart/byteranges body into its parts' headers and bodies. */
function parseMultipart(body: Buffer, contentType: string): Array<{ headers: string; body: string }> {
  const boundary = /boundary=([^;]+)/.exec(contentType)![1]!;
  const text = body.toString('latin1');
  t0(text.startsWith(`--${boundary}\r\n`), 'starts with the delimiter');
  t0(text.endsWith(`\r\n--${boundary}--\r\n`), 'ends with the close delimiter');
  return text.slice(0, -(`\r\n--${boundary}--\r\n`.length)).split(`--${boundary}\r\n`).slice(1).map((part) => {
    const [headers = '', rest = ''] = part.split('\r\n\r\n');
    return { headers, body: rest.endsWith('\r\n') ? rest.slice(0, -2) : rest };
  });
}

function t0(ok: boolean, what: string): void {
  if (!ok) throw new Error(`multipart body: expected it ${what}`);
}

test('several ranges are a multipart/byteranges stream whose length matches its Content-Length', async (t) => {
  const large = join(ROOT, 'large.bin');
  const data = Buffer.alloc(1000, 0);
  for (let i = 0; i < data.length; i++) data[i] = 0x41 + (i % 26);
  writeFileSync(large, data);
  const res = appOf()(request('GET', '/large.bin', { range: 'bytes=0-9, 500-509, -5' }));
  t.is(res.status, 206);
  t.is(res.kind, 'stream');
  const contentType = String(res.headers['content-type']);
  t.regex(contentType, /^multipart\/byteranges; boundary=[0-9a-f]{24}$/);
  const body = await bodyOf(res);
  t.is(Number(res.headers['content-length']), body.length);
  if (res.kind === 'stream') t.is(res.length, body.length);
  const parts = parseMultipart(body, contentType);
  t.deepEqual(parts.map((p) => p.body), [data.subarray(0, 10), data.subarray(500, 510), data.subarray(995)].map((b) => b.toString('latin1')));
  t.true(parts[0]!.headers.includes('Content-Range: bytes 0-9/1000'));
  t.true(parts[2]!.headers.includes('Content-Range: bytes 995-999/1000'));
  t.true(parts[1]!.headers.includes('Content-Type: application/octet-stream'));
});

test('streamBodyParts reads long spans in chunks and releases its lease', async (t) => {
  const caches = freshCaches();
  const path = join(ROOT, 'a.txt');
  const info = caches.info.get(path);
  if (info?.kind !== 'file') return t.fail();
  const parts = [{ kind: 'bytes' as const, bytes: Buffer.from('[') }, { kind: 'file' as const, start: 1, end: 24 }];
  const chunks = (await streamBodyParts(info, parts, caches.fds, 5).run(sinkList<Flushable<Uint8Array>>())) as Uint8Array[];
  t.deepEqual(chunks.map((c) => c.length), [1, 5, 5, 5, 5, 4]);
  t.is(Buffer.concat(chunks).toString(), '[' + ALPHABET.slice(1, 25));
  // The fd stays cached but unleased: closing the cache closes it at once (a leak would keep it open).
  t.is(caches.fds.size, 1);
  caches.fds.close();
  t.is(caches.fds.size, 0);
});

test('a multipart body computed before a rename-over sends the old version whole (its fd was pinned)', async (t) => {
  const path = join(ROOT, 'replaced.txt');
  const old = ALPHABET.repeat(40);
  writeFileSync(path, old);
  const res = appOf()(request('GET', '/replaced.txt', { range: 'bytes=0-1,900-901' }));
  t.is(res.kind, 'stream');
  writeFileSync(path + '.new', ALPHABET.toUpperCase().repeat(40));
  renameSync(path + '.new', path);
  const body = (await bodyOf(res)).toString('latin1');
  t.true(body.includes('\r\n\r\nab\r\n'));
  t.true(body.includes(`\r\n\r\n${old.slice(900, 902)}\r\n`));
});

test('a multipart answer for a FileInfo replaced before its fd was pinned is made from the current version', async (t) => {
  const caches = freshCaches();
  const path = join(ROOT, 'replaced-before-pin.txt');
  writeFileSync(path, ALPHABET.repeat(40));
  const stale = caches.info.get(path);
  if (stale?.kind !== 'file') return t.fail();
  writeFileSync(path + '.new', ALPHABET.toUpperCase().repeat(20));
  renameSync(path + '.new', path);
  const req = request('GET', '/replaced-before-pin.txt', { range: 'bytes=0-1,500-501' });
  const res = respondWithFile(req, stale, caches, resolveStaticOptions());
  const body = (await bodyOf(res)).toString('latin1');
  t.true(body.includes('Content-Range: bytes 500-501/520'), body);
  t.true(body.includes('\r\n\r\nAB\r\n'));
  rmSync(path);
  t.is(respondWithFile(req, stale, caches, resolveStaticOptions()).status, 404);
});

test('HEAD, conditional and single-range answers open no fd of their own (they cost what a plain GET does)', (t) => {
  const caches = freshCaches();
  const app = appOf({ caches });
  const etag = header(app(request('HEAD', '/a.txt')), 'etag')!;
  t.is(app(request('GET', '/a.txt', { 'if-none-match': etag })).status, 304);
  t.is(app(request('GET', '/a.txt', { range: 'bytes=1-2' })).status, 206);
  t.is(caches.fds.size, 0);
  writeFileSync(join(ROOT, 'long.txt'), ALPHABET.repeat(40));
  t.is(app(request('GET', '/long.txt', { range: 'bytes=1-2,500-501' })).status, 206);
  t.is(caches.fds.size, 1, 'a multipart body pins the version its head describes');
});

test('streamBodyParts refuses a file replaced since its FileInfo, rather than mixing versions', async (t) => {
  const caches = freshCaches();
  const path = join(ROOT, 'replaced-unpinned.txt');
  writeFileSync(path, ALPHABET);
  const info = caches.info.get(path);
  if (info?.kind !== 'file') return t.fail();
  writeFileSync(path + '.new', ALPHABET.toUpperCase());
  renameSync(path + '.new', path);
  const parts = [{ kind: 'file' as const, start: 0, end: 1 }];
  const err = await t.throwsAsync(async () => streamBodyParts(info, parts, caches.fds).run(sinkList<Flushable<Uint8Array>>()));
  t.true(err instanceof FileChangedError);
  t.is((err as FileChangedError).code, 'FILE_CHANGED');
  t.regex(err!.message, /was replaced or removed/);
});

test('a multipart body stops with an error when the file shrank in place under a cached fd', async (t) => {
  const path = join(ROOT, 'shrinks.txt');
  writeFileSync(path, ALPHABET.repeat(40));
  const app = appOf();
  const req = (): Request => request('GET', '/shrinks.txt', { range: 'bytes=0-1,900-905' });
  t.true((await bodyOf(app(req()))).includes('qrstuv'));
  const second = app(req());
  t.is(second.kind, 'stream');
  truncateSync(path, 500);
  const err = await t.throwsAsync(bodyOf(second));
  t.regex(err!.message, /shrank/);
});

test('strong ETags carry no W/ and are stable; etagOf keeps the cached tag when strengths agree', (t) => {
  const etag = String(appOf({ etag: 'strong' })(request('GET', '/a.txt')).headers.etag);
  t.regex(etag, /^"[0-9a-f]+-1a-[0-9a-f]+"$/);
  const info = freshCaches().info.get(join(ROOT, 'a.txt'));
  if (info?.kind !== 'file') return t.fail();
  t.is(etagOf(info, 'weak'), info.etag);
  t.is(etagOf(info, 'strong'), etag);
});

test('cacheControl sends max-age for a number and a string as is', (t) => {
  t.is(appOf({ cacheControl: 3600 })(request('GET', '/a.txt')).headers['cache-control'], 'public, max-age=3600');
  t.is(appOf({ cacheControl: 'no-store' })(request('GET', '/a.txt')).headers['cache-control'], 'no-store');
});

test('precompressed siblings are chosen by Accept-Encoding with Content-Encoding and Vary', async (t) => {
  const app = appOf({ precompressed: true });
  const gz = app(request('GET', '/style.css', { 'accept-encoding': 'gzip' }));
  t.is(gz.headers['content-encoding'], 'gzip');
  t.is(gz.headers['content-type'], 'text/css; charset=utf-8');
  t.is(gz.headers.vary, 'Accept-Encoding');
  t.is((await bodyOf(gz)).toString(), 'GZ');
  const br = app(request('GET', '/style.css', { 'accept-encoding': 'gzip, br' }));
  t.is((await bodyOf(br)).toString(), 'BR');
  t.not(br.headers.etag, gz.headers.etag);
  const plain = app(request('GET', '/style.css'));
  t.is(header(plain, 'content-encoding'), undefined);
  t.is(plain.headers.vary, 'Accept-Encoding');
  t.is((await bodyOf(plain)).toString(), 'body{}');
  // The encoded variant revalidates against its own tag.
  t.is(app(request('GET', '/style.css', { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers.etag) })).status, 304);
  t.is(app(request('GET', '/style.css', { 'if-none-match': String(gz.headers.etag) })).status, 200);
});

test('siblings are ignored unless precompressed is on', async (t) => {
  const res = appOf()(request('GET', '/style.css', { 'accept-encoding': 'gzip, br' }));
  t.is(header(res, 'content-encoding'), undefined);
  t.is(header(res, 'vary'), undefined);
  t.is((await bodyOf(res)).toString(), 'body{}');
});

test('an empty file is a 200 with an empty body, and any range of it is not 206', async (t) => {
  const app = appOf();
  t.is((await bodyOf(app(request('GET', '/empty.txt')))).length, 0);
  t.is(app(request('GET', '/empty.txt', { range: 'bytes=0-' })).status, 416);
  t.is(app(request('GET', '/empty.txt', { range: 'bytes=-5' })).status, 200);
});

test('serveStatic falls through on 404 and 405 to the wrapped app, and answers the rest itself', async (t) => {
  const calls: string[] = [];
  const inner = (req: Request): Response => {
    calls.push(`${req.method} ${req.path}`);
    return respond.text(200, 'inner');
  };
  const app = serveStatic(ROOT, { caches: freshCaches() })(inner);
  t.is((await app(request('GET', '/a.txt'))).kind, 'file');
  t.is((await app(request('GET', '/missing'))).status, 200);
  t.is((await app(request('POST', '/a.txt'))).status, 200);
  t.is((await app(request('GET', '/../x'))).status, 400);
  t.is((await app(request('GET', '/.env'))).status, 200);
  t.deepEqual(calls, ['GET /missing', 'POST /a.txt', 'GET /.env']);
  const strict = serveStatic(ROOT, { caches: freshCaches(), fallthrough: false })(inner);
  t.is((await strict(request('GET', '/missing'))).status, 404);
  t.is((await strict(request('PUT', '/a.txt'))).status, 405);
  t.is(calls.length, 3);
});

test('createStaticLookup tells answers from misses', (t) => {
  const lookup = createStaticLookup(ROOT, { caches: freshCaches() });
  t.is(lookup(request('GET', '/a.txt')).kind, 'answer');
  t.is(lookup(request('GET', '/docs')).kind, 'answer');
  t.is(lookup(request('GET', '/nope')).kind, 'miss');
  t.is(lookup(request('DELETE', '/a.txt')).kind, 'miss');
});

test('a missing or non-directory root throws StaticRootError naming the problem', (t) => {
  const missing = t.throws(() => staticFiles(join(ROOT, 'nope')), { instanceOf: StaticRootError });
  t.is((missing as StaticRootError).code, 'ENOENT');
  t.regex(missing!.message, /does not exist/);
  const file = t.throws(() => staticFiles(join(ROOT, 'a.txt')), { instanceOf: StaticRootError });
  t.is((file as StaticRootError).code, 'ENOTDIR');
});

test('a relative root and a symlinked root resolve to their real directory', async (t) => {
  const link = join(OUTSIDE, 'root-link');
  symlinkSync(ROOT, link);
  const res = staticFiles(link, { caches: freshCaches() })(request('GET', '/a.txt')) as Response;
  t.is((await bodyOf(res)).toString(), ALPHABET);
});

test('bad options are TypeErrors naming the option', (t) => {
  t.throws(() => resolveStaticOptions({ index: '../x' }), { instanceOf: TypeError, message: /index/ });
  t.throws(() => resolveStaticOptions({ index: '' }), { instanceOf: TypeError, message: /index/ });
  t.throws(() => resolveStaticOptions({ dotfiles: 'hide' as 'deny' }), { instanceOf: TypeError, message: /dotfiles/ });
  t.throws(() => resolveStaticOptions({ etag: 'medium' as 'weak' }), { instanceOf: TypeError, message: /etag/ });
  t.throws(() => formatCacheControl(-1), { instanceOf: TypeError, message: /cacheControl/ });
  t.throws(() => formatCacheControl(1.5), { instanceOf: TypeError, message: /cacheControl/ });
  t.throws(() => formatCacheControl('a\r\nb'), { instanceOf: TypeError, message: /cacheControl/ });
  t.deepEqual(resolveStaticOptions(), {
    index: 'index.html', dotfiles: 'ignore', symlinks: 'within', etag: 'weak', precompressed: false, cacheControl: null,
    hashedCacheControl: null, listing: false, single: null, cleanUrls: false, notFound: '404.html', notFoundExplicit: false,
    fallthrough: true,
  });
});

test('pinFile keeps an fd bound to the stat, or moves to the replacement, or says the file is gone', (t) => {
  const caches = freshCaches();
  const path = join(ROOT, 'pinned.txt');
  writeFileSync(path, 'one');
  const first = caches.info.get(path);
  if (first?.kind !== 'file') return t.fail();
  t.is(pinFile(caches, first), first);
  t.is(caches.fds.size, 1);
  writeFileSync(path + '.new', 'two!');
  renameSync(path + '.new', path);
  // Still pinned: the cached fd matches the stat it was opened for, so that version stays servable.
  t.is(pinFile(caches, first), first);
  caches.info.sweep();
  caches.fds.sweep();
  const stale = { ...first };
  const moved = pinFile(caches, stale);
  t.is(moved?.size, 4);
  rmSync(path);
  caches.info.sweep();
  t.is(pinFile(caches, { ...first, ino: first.ino + 1 }), null);
});

test('a HEAD or revalidation of a file removed since is 404, not a failed send', (t) => {
  const caches = freshCaches();
  const path = join(ROOT, 'vanishing.txt');
  writeFileSync(path, 'here');
  const app = appOf({ caches });
  t.is(app(request('HEAD', '/vanishing.txt')).status, 200);
  caches.fds.close();
  rmSync(path);
  t.is(app(request('HEAD', '/vanishing.txt')).status, 404);
  t.is(app(request('GET', '/vanishing.txt', { 'if-none-match': '"x"' })).status, 404);
});

/** Caches whose opens fail with `code` (the process or the system is out of descriptors). */
function cachesThatCannotOpen(code: string): FileCaches {
  const info = new FileInfoCache();
  const fs = { openSync: (): number => { throw Object.assign(new Error(`${code}: too many open files`), { code }); }, fstatSync: () => { throw new Error('unused'); }, closeSync: () => {} };
  return { info, fds: new FdCache({ infoCache: info, fs }) };
}

// A plain file response opens nothing in the app: the engine leases the fd when it sends, and answers 503 itself when
// none is left (test/behaviour/out-of-fds.test.ts). What the app opens itself, a multipart body's pinned fd, is 503 here.
test('the static app opens no fd for a plain file response, and answers 503 with Retry-After when its own open runs out', (t) => {
  // Two ranges far enough apart to stay two parts (near ones are coalesced into one).
  writeFileSync(join(ROOT, 'parts.bin'), Buffer.alloc(1000, 'p'));
  for (const code of ['EMFILE', 'ENFILE']) {
    const plain = staticFiles(ROOT, { caches: cachesThatCannotOpen(code) })(request('GET', '/a.txt')) as Response;
    t.is(plain.kind, 'file', `${code}: passed to the engine unopened`);
    const multi = staticFiles(ROOT, { caches: cachesThatCannotOpen(code) })(request('GET', '/parts.bin', { range: 'bytes=0-0,500-500' })) as Response;
    t.is(multi.status, 503, code);
    t.is(multi.headers['retry-after'], '1');
  }
  const other = staticFiles(ROOT, { caches: cachesThatCannotOpen('EIO') });
  t.throws(() => other(request('GET', '/parts.bin', { range: 'bytes=0-0,500-500' })), { message: /EIO/ });
});

test('unknown static options are refused, naming the nearest', (t) => {
  t.throws(() => resolveStaticOptions({ cleanURLs: true } as StaticOptions), { instanceOf: TypeError, message: "unknown static option 'cleanURLs' (did you mean 'cleanUrls'?)" });
  t.throws(() => resolveStaticOptions({ listing: 'yes' as unknown as boolean }), { message: /static option listing must be true or false/ });
  t.throws(() => resolveStaticOptions({ symlinks: 'maybe' as 'follow' }), { message: /static option symlinks must be 'within', 'follow', 'deny'/ });
  t.throws(() => resolveStaticOptions({ single: '../x.html' }), { message: /static option single must be/ });
  t.throws(() => resolveStaticOptions({ single: true, index: false }), { message: /single: true needs an index/ });
  t.throws(() => resolveStaticOptions({ notFound: '' }), { message: /static option notFound must be a file path or false/ });
  t.throws(() => resolveStaticOptions({ fallthrough: 1 as unknown as boolean }), { message: /fallthrough/ });
  t.like(resolveStaticOptions({ single: '/shell/app.html', notFound: false }), { single: '/shell/app.html', notFound: null, notFoundExplicit: false });
});

test('serveStatic with fallthrough hands misses to the app without building the not-found page', async (t) => {
  const inner = (): Response => respond.text(200, 'inner');
  const app = serveStatic(ROOT, { caches: cachesThatCannotOpen('EMFILE'), notFound: 'a.txt', single: 'a.txt' })(inner);
  t.is((await app(request('GET', '/missing', { accept: 'text/html' }))).status, 200);
  t.is(await bodyOf(await app(request('GET', '/missing', { accept: 'text/html' }))).then(String), 'inner');
});

test('a listing of the root has no parent link, and a listing survives an entry vanishing', async (t) => {
  const res = appOf({ listing: true, index: false })(request('GET', '/'));
  t.is(res.status, 200);
  const html = (await bodyOf(res)).toString();
  t.false(html.includes('href="../"'));
  t.true(html.includes('./docs/'));
});

test('under symlinks: follow, precompressed siblings are found without the realpath check', async (t) => {
  const res = appOf({ precompressed: true, symlinks: 'follow' })(request('GET', '/style.css', { 'accept-encoding': 'br' }));
  t.is(header(res, 'content-encoding'), 'br');
  t.is((await bodyOf(res)).toString(), 'BR');
});
