// Byte ranges of static files over a real socket (RFC 9110 §14): single ranges by sendfile, multipart/byteranges
// streamed with an exact Content-Length, 416 with bytes */length, and bad syntax falling back to the whole file.
import test from './transport.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticFiles } from '../../src/middleware/index.js';
import { parseResponses, rawExchange, withServer, type ParsedResponse } from './helpers.js';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-static-ranges-'));
// 300 KiB of a position-dependent pattern: any misplaced byte shows, and parts span several 64 KiB reads.
const SIZE = 300 * 1024;
const DATA = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i++) DATA[i] = (i * 31 + (i >> 8)) & 0xff;

test.before(() => {
  writeFileSync(join(ROOT, 'data.bin'), DATA);
  writeFileSync(join(ROOT, 'page.txt'), 'abcdefghijklmnopqrstuvwxyz');
});

test.after.always(() => rmSync(ROOT, { recursive: true, force: true }));

async function getWith(port: number, path: string, extra: string, method = 'GET'): Promise<ParsedResponse> {
  const { data } = await rawExchange(port, `${method} ${path} HTTP/1.1\r\nHost: t\r\n${extra}Connection: close\r\n\r\n`);
  const [r] = parseResponses(data, { headRequests: method === 'HEAD' ? 1 : 0 });
  return r!;
}

/** Splits a multipart/byteranges body on its boundary: each part's Content-Range and bytes. */
function splitByteranges(body: Buffer, contentType: string): Array<{ range: string; type: string; bytes: Buffer }> {
  const boundary = /boundary=(\S+)/.exec(contentType)![1]!;
  const parts: Array<{ range: string; type: string; bytes: Buffer }> = [];
  let p = body.indexOf(`--${boundary}\r\n`);
  while (p !== -1) {
    const headEnd = body.indexOf('\r\n\r\n', p);
    const head = body.subarray(p, headEnd).toString('latin1');
    const range = /Content-Range: (.*)/.exec(head)![1]!.trim();
    const type = /Content-Type: (.*)/.exec(head)![1]!.trim();
    const [, first, last] = /bytes (\d+)-(\d+)\//.exec(range)!.map(Number);
    const start = headEnd + 4;
    const end = start + last! - first! + 1;
    parts.push({ range, type, bytes: body.subarray(start, end) });
    t0(body.subarray(end, end + 2).toString() === '\r\n', 'CRLF after a part');
    const next = body.indexOf(`--${boundary}`, end);
    if (body.subarray(next, next + boundary.length + 4).toString() === `--${boundary}--`) break;
    p = next;
  }
  return parts;
}

function t0(ok: boolean, what: string): void {
  if (!ok) throw new Error(`multipart body: expected ${what}`);
}

test('a single range is 206 with Content-Range and exactly those bytes', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const r = await getWith(port, '/data.bin', 'Range: bytes=1000-70999\r\n');
    t.is(r.status, 206);
    t.is(r.headers['content-range'], `bytes 1000-70999/${SIZE}`);
    t.is(r.headers['content-length'], '70000');
    t.true(r.body.equals(DATA.subarray(1000, 71000)));
    const suffix = await getWith(port, '/data.bin', 'Range: bytes=-10\r\n');
    t.is(suffix.headers['content-range'], `bytes ${SIZE - 10}-${SIZE - 1}/${SIZE}`);
    t.true(suffix.body.equals(DATA.subarray(SIZE - 10)));
    const open = await getWith(port, '/page.txt', 'Range: bytes=23-\r\n');
    t.is(open.body.toString(), 'xyz');
  });
});

test('several ranges are multipart/byteranges with an exact Content-Length and the right bytes in each part', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const r = await getWith(port, '/data.bin', 'Range: bytes=0-99, 100000-199999, -500\r\n');
    t.is(r.status, 206);
    t.regex(r.headers['content-type']!, /^multipart\/byteranges; boundary=/);
    t.false('transfer-encoding' in r.headers);
    t.is(Number(r.headers['content-length']), r.body.length);
    const parts = splitByteranges(r.body, r.headers['content-type']!);
    t.deepEqual(parts.map((p) => p.range), [`bytes 0-99/${SIZE}`, `bytes 100000-199999/${SIZE}`, `bytes ${SIZE - 500}-${SIZE - 1}/${SIZE}`]);
    t.true(parts[0]!.bytes.equals(DATA.subarray(0, 100)));
    t.true(parts[1]!.bytes.equals(DATA.subarray(100000, 200000)));
    t.true(parts[2]!.bytes.equals(DATA.subarray(SIZE - 500)));
    for (const p of parts) t.is(p.type, 'application/octet-stream');
  });
});

test('a multipart response on a keep-alive connection is followed by the next response intact', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const wire = 'GET /page.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-0,-1\r\n\r\n' + 'GET /page.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';
    const [multi, whole] = parseResponses((await rawExchange(port, wire)).data);
    t.is(multi!.status, 206);
    // 0-0 and -1 are 25 bytes apart, so they coalesce into one range (RFC 9110 §14.6 allows it).
    t.is(multi!.headers['content-range'], 'bytes 0-25/26');
    t.is(whole!.body.toString(), 'abcdefghijklmnopqrstuvwxyz');
  });
});

test('HEAD with several ranges sends the multipart head and no body', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    // Range is only defined for GET (RFC 9110 §14.2): HEAD answers as for the whole representation.
    const r = await getWith(port, '/data.bin', 'Range: bytes=0-9, 200000-200009\r\n', 'HEAD');
    t.is(r.status, 200);
    t.is(r.headers['content-length'], String(SIZE));
    t.is(r.body.length, 0);
  });
});

test('an unsatisfiable range is 416 with Content-Range: bytes */length', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const r = await getWith(port, '/data.bin', `Range: bytes=${SIZE}-\r\n`);
    t.is(r.status, 416);
    t.is(r.headers['content-range'], `bytes */${SIZE}`);
  });
});

test('bad Range syntax is ignored: the whole file with 200', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    for (const range of ['bytes=9-3', 'bytes=abc', 'lines=1-2', 'bytes 0-1']) {
      const r = await getWith(port, '/page.txt', `Range: ${range}\r\n`);
      t.is(r.status, 200, range);
      t.is(r.body.toString(), 'abcdefghijklmnopqrstuvwxyz', range);
    }
  });
});

test('more than 16 ranges are ignored with the whole file (no range amplification)', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const specs = Array.from({ length: 17 }, (_, i) => `${i * 1000}-${i * 1000 + 1}`).join(',');
    const r = await getWith(port, '/data.bin', `Range: bytes=${specs}\r\n`);
    t.is(r.status, 200);
    t.is(r.body.length, SIZE);
  });
});
