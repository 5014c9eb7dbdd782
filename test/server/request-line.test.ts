import test from 'ava';
import type { RequestErrorCode } from '../../src/server/errors.js';
import { checkPartialRequestLine, checkRequestLine, decodeLatin1, parseRequestLine } from '../../src/server/request-line.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

const parses = test.macro({
  exec(t, line: string, method: string, target: string, versionMinor: 0 | 1) {
    const b = bytes(line);
    const expected = { kind: 'line', method, target, versionMinor };
    t.deepEqual(parseRequestLine(b, 0, b.length, 8192), expected);
    // With the pre-decoded text (the head parser's path), at a non-zero offset: same answer.
    const padded = bytes('xx' + line);
    t.deepEqual(parseRequestLine(padded, 2, padded.length, 8192, line), expected);
  },
  title: (_p, line) => `parseRequestLine parses ${JSON.stringify(line)}`,
});

for (const m of ['GET', 'PUT', 'POST', 'HEAD', 'PATCH', 'TRACE', 'DELETE', 'OPTIONS', 'CONNECT', 'PROPFIND', 'GOT', 'PUSH', 'PATCHY', 'HEAP', 'PATHS']) {
  test(parses, `${m} /x HTTP/1.1`, m, '/x', 1);
}
test(parses, 'GET /a?b=c%20d HTTP/1.0', 'GET', '/a?b=c%20d', 0);
test(parses, 'GET / HTTP/1.7', 'GET', '/', 1);
test(parses, 'get / HTTP/1.1', 'get', '/', 1); // methods are case-sensitive tokens: not GET, but legal

test('parseRequestLine interns registered methods', (t) => {
  const b = bytes('OPTIONS * HTTP/1.1');
  const r = parseRequestLine(b, 0, b.length, 8192);
  t.true(r.kind === 'line' && r.method === 'OPTIONS');
});

const refuses = test.macro({
  exec(t, line: string, code: RequestErrorCode, maxTarget?: number) {
    const b = bytes(line);
    t.deepEqual(parseRequestLine(b, 0, b.length, maxTarget ?? 8192), { kind: 'error', code });
  },
  title: (_p, line, code) => `parseRequestLine rejects ${JSON.stringify(line)} with ${code}`,
});

test(refuses, '', 'BAD_REQUEST_LINE');
test(refuses, 'GET', 'BAD_REQUEST_LINE');
test(refuses, 'GET /', 'BAD_REQUEST_LINE');
test(refuses, 'GET / ', 'BAD_REQUEST_LINE');
test(refuses, 'GET  HTTP/1.1', 'BAD_REQUEST_LINE');
test(refuses, ' GET / HTTP/1.1', 'BAD_REQUEST_LINE');
test(refuses, 'GET\t/ HTTP/1.1', 'BAD_REQUEST_LINE');
test(refuses, 'GE@T / HTTP/1.1', 'BAD_REQUEST_LINE');
test(refuses, 'GET /\x7f HTTP/1.1', 'BAD_REQUEST_LINE');
test(refuses, 'GET /\xe9 HTTP/1.1', 'BAD_REQUEST_LINE');
test(refuses, 'GET /\t HTTP/1.1', 'BAD_REQUEST_LINE');
test(refuses, 'GET /#x HTTP/1.1', 'BAD_REQUEST_LINE');
test(refuses, 'GET / HTTP/1.1 ', 'BAD_REQUEST_LINE');
test(refuses, 'GET / HTTP/1.1\r', 'BAD_REQUEST_LINE');
test(refuses, 'GET / HTTPS/1.1', 'BAD_REQUEST_LINE');
test(refuses, 'GET / XTTP/1.1', 'BAD_REQUEST_LINE');
test(refuses, 'GET / HTTP/1,1', 'BAD_REQUEST_LINE');
test(refuses, 'GET / HTTP/a.1', 'BAD_REQUEST_LINE');
test(refuses, 'GET / HTTP/1.a', 'BAD_REQUEST_LINE');
test(refuses, 'GET / HTTP/11', 'BAD_REQUEST_LINE');
test(refuses, 'GET / HTTP/2.0', 'BAD_VERSION');
test(refuses, 'GET / HTTP/0.9', 'BAD_VERSION');
test(refuses, 'GET / HTTP/9.9', 'BAD_VERSION');
test(refuses, 'GET /abcdef HTTP/1.1', 'URI_TOO_LONG', 6);
test('parseRequestLine accepts a target exactly at the limit', (t) => {
  const b = bytes('GET /abcde HTTP/1.1');
  t.is(parseRequestLine(b, 0, b.length, 6).kind, 'line');
});

const partial = test.macro({
  exec(t, prefix: string, expected: RequestErrorCode | null) {
    const b = bytes(prefix);
    t.is(checkPartialRequestLine(b, 0, b.length, 8), expected);
  },
  title: (_p, prefix, expected) => `checkPartialRequestLine says ${expected ?? 'wait'} for ${JSON.stringify(prefix)}`,
});
test(partial, 'GETGETGETGETGETGET', 'BAD_REQUEST_LINE');
test(partial, 'GETGET', null);
test(partial, 'G(T /', 'BAD_REQUEST_LINE');
test(partial, ' /abc', 'BAD_REQUEST_LINE');
test(partial, 'GET /abcdefghij', 'URI_TOO_LONG');
test(partial, 'GET /abcdefg', null);
test(partial, 'GET /abc\r', 'BAD_REQUEST_LINE');
test(partial, 'GET /a HTTP/1.1', null);
test(partial, 'GET /a HTTP/1.1\r', null);
test(partial, 'GET /a HTTP/1.1xy', 'BAD_REQUEST_LINE');
test(partial, '', null);
test(partial, 'GET', null);
test(partial, 'GET ', null);
test(partial, 'GET  ', 'BAD_REQUEST_LINE');
test(partial, 'GET /a#', 'BAD_REQUEST_LINE');
test(partial, 'GET /a HT', null);

test('checkPartialRequestLine errors are the errors of every completion', (t) => {
  for (const [prefix, rest] of [['GET /abcdefghij', ' HTTP/1.1'], ['GETGETGETGETGETGET', ' / HTTP/1.1'], ['G(T /', ' HTTP/1.1'], ['GET /a HTTP/1.1xy', '']]) {
    const p = bytes(prefix!);
    const whole = bytes(prefix! + rest!);
    t.is(checkRequestLine(whole, 0, whole.length, 8), checkPartialRequestLine(p, 0, p.length, 8), prefix);
  }
});

test('decodeLatin1 maps every byte to the same code unit', (t) => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const s = decodeLatin1(all, 0, 256);
  t.is(s.length, 256);
  for (let i = 0; i < 256; i++) t.is(s.charCodeAt(i), i);
});
