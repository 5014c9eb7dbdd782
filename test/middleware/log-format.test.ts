// Tests for access-log line formats: Combined Log Format fields, escaping of client-controlled text, JSON lines.
import test from 'ava';
import { escapeClf, formatClfTime, formatCombined, formatJson, formatterOf, hostOf, type LogEntry } from '../../src/middleware/log-format.js';

const ENTRY: LogEntry = {
  time: Date.UTC(2000, 9, 10, 13, 55, 36, 500),
  remoteAddress: '127.0.0.1:5555',
  method: 'GET',
  target: '/apache_pb.gif?a=1',
  httpVersion: '1.1',
  status: 200,
  bytes: 2326,
  durationMs: 3,
  referer: 'http://www.example.com/start.html',
  userAgent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
};

test('formatCombined writes the Apache combined format', (t) => {
  t.is(formatCombined(ENTRY),
    '127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /apache_pb.gif?a=1 HTTP/1.1" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"');
});

test('formatCombined writes - for no bytes, no referer, no agent, no address', (t) => {
  t.is(formatCombined({ ...ENTRY, bytes: 0, referer: null, userAgent: null, remoteAddress: null, status: 304 }),
    '- - - [10/Oct/2000:13:55:36 +0000] "GET /apache_pb.gif?a=1 HTTP/1.1" 304 - "-" "-"');
});

test('formatCombined escapes quotes, backslashes, controls and non-ASCII so a client cannot forge lines', (t) => {
  const line = formatCombined({ ...ENTRY, userAgent: 'x"\r\n1.2.3.4 - - [x] "GET / HTTP/1.1" 200 1 "-" "-', referer: 'a\\b\u00e9\u4e2d' });
  t.false(line.includes('\n'));
  t.false(line.includes('\r'));
  t.true(line.endsWith('"a\\\\b\\xe9\\u4e2d" "x\\"\\x0d\\x0a1.2.3.4 - - [x] \\"GET / HTTP/1.1\\" 200 1 \\"-\\" \\"-"'));
});

test('escapeClf returns clean text unchanged', (t) => {
  const s = 'Mozilla/5.0 (X11; Linux x86_64)';
  t.is(escapeClf(s), s);
  t.is(escapeClf('\x7f\x00'), '\\x7f\\x00');
});

const host = test.macro((t, input: string | null, expected: string) => t.is(hostOf(input), expected));
test('hostOf strips an IPv4 port', host, '10.0.0.1:80', '10.0.0.1');
test('hostOf strips brackets and port from IPv6', host, '[::1]:8080', '::1');
test('hostOf keeps a bare IPv6 address', host, 'fe80::1', 'fe80::1');
test('hostOf keeps an address without port', host, '10.0.0.1', '10.0.0.1');
test('hostOf keeps a malformed bracketed address', host, '[::1', '[::1');
test('hostOf gives - for unknown', host, null, '-');
test('hostOf gives - for empty', host, '', '-');

test('formatClfTime renders UTC and reuses the string within a second', (t) => {
  const a = formatClfTime(Date.UTC(2024, 1, 29, 1, 2, 3, 10));
  t.is(a, '29/Feb/2024:01:02:03 +0000');
  t.is(formatClfTime(Date.UTC(2024, 1, 29, 1, 2, 3, 999)), a);
  t.is(formatClfTime(Date.UTC(2024, 1, 29, 1, 2, 4)), '29/Feb/2024:01:02:04 +0000');
});

test('formatJson writes one parseable line with every field', (t) => {
  const line = formatJson({ ...ENTRY, userAgent: 'a\nb"' });
  t.false(line.includes('\n'));
  t.deepEqual(JSON.parse(line), {
    time: '2000-10-10T13:55:36.500Z', remote: '127.0.0.1', method: 'GET', target: '/apache_pb.gif?a=1', version: '1.1',
    status: 200, bytes: 2326, durationMs: 3, referer: 'http://www.example.com/start.html', userAgent: 'a\nb"',
  });
});

test('formatterOf maps names and passes functions', (t) => {
  t.is(formatterOf('combined'), formatCombined);
  t.is(formatterOf('json'), formatJson);
  const custom = (e: LogEntry): string => String(e.status);
  t.is(formatterOf(custom), custom);
});
