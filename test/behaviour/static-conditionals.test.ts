// Conditional requests against static files over a real socket (RFC 9110 §13): 304 carries the validators and no
// body, 412 on failed preconditions, and If-Range decides between 206 and 200.
import test from './transport.js';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticFiles } from '../../src/middleware/index.js';
import { parseResponses, rawExchange, withServer, type ParsedResponse } from './helpers.js';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-static-cond-'));
const MTIME = new Date('2025-01-02T03:04:05Z');
const LAST_MODIFIED = MTIME.toUTCString();
const EARLIER = new Date(MTIME.getTime() - 60_000).toUTCString();

test.before(() => {
  writeFileSync(join(ROOT, 'f.txt'), 'the file');
  utimesSync(join(ROOT, 'f.txt'), MTIME, MTIME);
});

test.after.always(() => rmSync(ROOT, { recursive: true, force: true }));

/** Sends each request on one keep-alive connection; a body after a 304 would corrupt the parse of the next. */
async function exchange(port: number, extras: string[]): Promise<ParsedResponse[]> {
  const wire = extras.map((extra, i) => `GET /f.txt HTTP/1.1\r\nHost: t\r\n${extra}${i === extras.length - 1 ? 'Connection: close\r\n' : ''}\r\n`);
  return parseResponses((await rawExchange(port, wire.join(''))).data);
}

test('If-None-Match with the ETag is 304 with ETag and Last-Modified and no body', async (t) => {
  await withServer(staticFiles(ROOT, { cacheControl: 10 }), {}, async (port) => {
    const [first] = await exchange(port, ['']);
    const etag = first!.headers.etag!;
    const [notModified, after] = await exchange(port, [`If-None-Match: ${etag}\r\n`, '']);
    t.is(notModified!.status, 304);
    t.is(notModified!.headers.etag, etag);
    t.is(notModified!.headers['last-modified'], LAST_MODIFIED);
    t.is(notModified!.headers['cache-control'], 'public, max-age=10');
    t.false('content-length' in notModified!.headers);
    t.is(notModified!.body.length, 0);
    t.is(after!.body.toString(), 'the file');
  });
});

test('If-Modified-Since: 304 when not modified since, 200 when modified after', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const [same, older, junk] = await exchange(port, [
      `If-Modified-Since: ${LAST_MODIFIED}\r\n`, `If-Modified-Since: ${EARLIER}\r\n`, 'If-Modified-Since: yesterday\r\n',
    ]);
    t.deepEqual([same!.status, older!.status, junk!.status], [304, 200, 200]);
    t.is(older!.body.toString(), 'the file');
  });
});

test('If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const [r] = await exchange(port, [`If-None-Match: "other"\r\nIf-Modified-Since: ${LAST_MODIFIED}\r\n`]);
    t.is(r!.status, 200);
  });
});

test('a failed If-Match or If-Unmodified-Since is 412', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const [match, unmodified, star] = await exchange(port, ['If-Match: "nope"\r\n', `If-Unmodified-Since: ${EARLIER}\r\n`, 'If-Match: *\r\n']);
    t.deepEqual([match!.status, unmodified!.status, star!.status], [412, 412, 200]);
  });
});

test('If-Range: the current strong ETag or exact date gives 206; anything else the whole 200', async (t) => {
  await withServer(staticFiles(ROOT, { etag: 'strong' }), {}, async (port) => {
    const [first] = await exchange(port, ['']);
    const etag = first!.headers.etag!;
    t.false(etag.startsWith('W/'));
    const [tag, date, stale, weak] = await exchange(port, [
      `Range: bytes=0-2\r\nIf-Range: ${etag}\r\n`, `Range: bytes=0-2\r\nIf-Range: ${LAST_MODIFIED}\r\n`,
      `Range: bytes=0-2\r\nIf-Range: ${EARLIER}\r\n`, `Range: bytes=0-2\r\nIf-Range: W/${etag}\r\n`,
    ]);
    t.is(tag!.status, 206);
    t.is(tag!.body.toString(), 'the');
    t.is(date!.status, 206);
    t.is(stale!.status, 200);
    t.is(stale!.body.toString(), 'the file');
    t.is(weak!.status, 200);
  });
});
