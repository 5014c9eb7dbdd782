// Tests for the CLI access log: Combined Log Format and JSON lines from the engine's RequestLog, and file output.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatClfTime, formatCombinedLine, formatJsonLine, openAccessLog, stripPort } from '../../src/cli/access-log.js';
import { empty } from '../../src/conduit/index.js';
import { Request } from '../../src/server/request.js';
import { parseRequestHead } from '../../src/server/request-head.js';
import type { RequestLog } from '../../src/server/settings.js';

const DIR = mkdtempSync(join(tmpdir(), 'sluice-access-log-'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));
const NOW = new Date('2000-10-10T13:55:36Z');

function entry(head: string, remote: string | null, status = 200, bytes = 2326): RequestLog {
  const buf = Buffer.from(head, 'latin1');
  const parsed = parseRequestHead(buf, 0, buf.length);
  if (parsed.kind !== 'head') throw new Error('bad head');
  const request = new Request(parsed.head, empty(), { remoteAddress: () => remote, signal: new AbortController().signal });
  return { request, status, bytes, durationMs: 1.5 };
}

test('formatCombinedLine writes the Combined Log Format', (t) => {
  const e = entry('GET /a?b=1 HTTP/1.1\r\nHost: x\r\nReferer: http://r/\r\nUser-Agent: curl/8\r\n\r\n', '127.0.0.1:5000');
  t.is(formatCombinedLine(e, NOW), '127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a?b=1 HTTP/1.1" 200 2326 "http://r/" "curl/8"\n');
});

test('formatCombinedLine logs "-" for absent fields and a zero-byte body, and the HTTP/1.0 version', (t) => {
  const e = entry('HEAD / HTTP/1.0\r\n\r\n', null, 304, 0);
  t.is(formatCombinedLine(e, NOW), '- - - [10/Oct/2000:13:55:36 +0000] "HEAD / HTTP/1.0" 304 - "-" "-"\n');
});

test('formatCombinedLine escapes quotes, backslashes and non-ASCII so a line stays one parseable line', (t) => {
  const e = entry('GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: a"b\\c\xe9\r\n\r\n', '[::1]:80');
  t.true(formatCombinedLine(e, NOW).endsWith('"-" "a\\"b\\\\c\\xe9"\n'));
  t.true(formatCombinedLine(e, NOW).startsWith('::1 - - '));
});

test('formatJsonLine writes one JSON object per line', (t) => {
  const e = entry('GET /x HTTP/1.1\r\nHost: x\r\nUser-Agent: ua\r\n\r\n', '10.0.0.1:1234', 404, 10);
  const line = formatJsonLine(e, NOW);
  t.true(line.endsWith('}\n'));
  t.deepEqual(JSON.parse(line), {
    time: '2000-10-10T13:55:36.000Z', remote: '10.0.0.1', method: 'GET', target: '/x', version: '1.1', status: 404,
    bytes: 10, durationMs: 1.5, referer: null, userAgent: 'ua',
  });
});

test('formatClfTime pads and uses UTC', (t) => {
  t.is(formatClfTime(new Date('2024-01-05T03:04:05Z')), '05/Jan/2024:03:04:05 +0000');
});

test('stripPort handles IPv4, bracketed IPv6, bare addresses and null', (t) => {
  t.is(stripPort('1.2.3.4:80'), '1.2.3.4');
  t.is(stripPort('[fe80::1]:443'), 'fe80::1');
  t.is(stripPort('[broken'), '[broken');
  t.is(stripPort('host'), 'host');
  t.is(stripPort(null), null);
});

test('openAccessLog appends lines to a file and flushes them on close', async (t) => {
  const path = join(DIR, 'access.log');
  for (let round = 0; round < 2; round++) {
    const log = openAccessLog(path, 'combined');
    log.log(entry('GET /one HTTP/1.1\r\nHost: x\r\n\r\n', '1.1.1.1:1'));
    await log.close();
  }
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  t.is(lines.length, 2);
  t.true(lines.every((l) => l.includes('"GET /one HTTP/1.1" 200')));
});

test('openAccessLog on an unwritable path reports once and keeps going', async (t) => {
  const log = openAccessLog(join(DIR, 'no', 'such', 'dir', 'x.log'), 'json');
  const errors: string[] = [];
  const original = console.error;
  console.error = (msg: string) => void errors.push(msg);
  try {
    log.log(entry('GET / HTTP/1.1\r\nHost: x\r\n\r\n', null));
    await new Promise((r) => setTimeout(r, 50));
    log.log(entry('GET / HTTP/1.1\r\nHost: x\r\n\r\n', null));
    await log.close().catch(() => {});
  } finally {
    console.error = original;
  }
  t.is(errors.length, 1);
  t.regex(errors[0]!, /access log .*ENOENT/);
});

test('openAccessLog on "-" writes to stdout', async (t) => {
  const written: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
  try {
    const log = openAccessLog('-', 'json');
    log.log(entry('GET /out HTTP/1.1\r\nHost: x\r\n\r\n', null));
    await log.close();
  } finally {
    process.stdout.write = original;
  }
  t.is(written.length, 1);
  t.is(JSON.parse(written[0]!).target, '/out');
});
