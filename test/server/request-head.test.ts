import test from 'ava';
import type { RequestErrorCode } from '../../src/server/errors.js';
import {
  DEFAULT_HEAD_LIMITS, findHeadEnd, parseRequestHead, RequestHead, type HeadLimits, type HeadResult,
} from '../../src/server/request-head.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const parse = (s: string, limits: HeadLimits = DEFAULT_HEAD_LIMITS): HeadResult => {
  const b = bytes(s);
  return parseRequestHead(b, 0, b.length, limits);
};
const limits = (over: Partial<HeadLimits>): HeadLimits => ({ ...DEFAULT_HEAD_LIMITS, ...over });

function headOf(t: { fail(m: string): void }, r: HeadResult): RequestHead {
  if (r.kind !== 'head') {
    t.fail(`expected a head, got ${r.kind === 'error' ? r.error.code : r.kind}`);
    throw new Error('unreachable');
  }
  return r.head;
}

test('parseRequestHead parses a minimal HTTP/1.1 GET', (t) => {
  const input = 'GET /hello?x=1&y HTTP/1.1\r\nHost: example.com\r\n\r\n';
  const r = parse(input + 'tail');
  const h = headOf(t, r);
  t.is(h.method, 'GET');
  t.is(h.target, '/hello?x=1&y');
  t.is(h.path, '/hello');
  t.is(h.query, 'x=1&y');
  t.is(h.targetForm, 'origin');
  t.is(h.versionMajor, 1);
  t.is(h.versionMinor, 1);
  t.is(h.host, 'example.com');
  t.is(h.contentLength, -1);
  t.false(h.chunked);
  t.deepEqual(h.headers, [['host', 'example.com']]);
  t.is(r.kind === 'head' && r.consumed, input.length);
});

test('parseRequestHead lower-cases names, trims OWS, keeps order and repeats', (t) => {
  const h = headOf(t, parse(
    'POST /a HTTP/1.1\r\nHOST:  h \t\r\nX-Thing:\tone two \r\nx-thing: 2\r\nEmpty:\r\nContent-LENGTH: 5\r\nObs: caf\xe9\r\n\r\n',
  ));
  t.deepEqual(h.headers, [
    ['host', 'h'], ['x-thing', 'one two'], ['x-thing', '2'], ['empty', ''], ['content-length', '5'], ['obs', 'caf\xe9'],
  ]);
  t.is(h.contentLength, 5);
});

test('parseRequestHead fills the indexed slots (first value or combined list)', (t) => {
  const h = headOf(t, parse([
    'GET / HTTP/1.1', 'Host: h', 'Connection: keep-alive', 'Connection: Upgrade', 'Upgrade: websocket',
    'Range: bytes=0-1', 'Range: bytes=5-6', 'If-None-Match: "a"', 'If-None-Match: "b"', 'If-Match: "c"',
    'If-Modified-Since: d1', 'If-Unmodified-Since: d2', 'If-Range: "e"', 'Accept-Encoding: gzip', 'Accept-Encoding: br',
    'Content-Type: text/plain', 'Content-Encoding: gzip', 'User-Agent: ua', 'Referer: r', 'Accept: */*', 'Cookie: c=1',
    '', '',
  ].join('\r\n')));
  t.is(h.connection, 'keep-alive, Upgrade');
  t.is(h.upgrade, 'websocket');
  t.is(h.range, 'bytes=0-1');
  t.is(h.ifNoneMatch, '"a", "b"');
  t.is(h.ifMatch, '"c"');
  t.is(h.ifModifiedSince, 'd1');
  t.is(h.ifUnmodifiedSince, 'd2');
  t.is(h.ifRange, '"e"');
  t.is(h.acceptEncoding, 'gzip, br');
  t.is(h.contentType, 'text/plain');
  t.is(h.contentEncoding, 'gzip');
  t.is(h.userAgent, 'ua');
  t.is(h.referer, 'r');
  t.is(h.headers.length, 20);
});

const accepts = test.macro({
  exec(t, input: string, expected: Partial<Record<keyof RequestHead, unknown>>) {
    const h = headOf(t, parse(input));
    const actual: Record<string, unknown> = {};
    for (const key of Object.keys(expected)) actual[key] = h[key as keyof RequestHead];
    t.deepEqual(actual, expected);
  },
  title: (provided = '') => `parseRequestHead accepts ${provided}`,
});

test('HTTP/1.0 without Host', accepts, 'GET / HTTP/1.0\r\n\r\n', { versionMinor: 0, host: null });
test('bare LF line ends (RFC 9112 §2.2)', accepts, 'GET / HTTP/1.1\nHost: a\n\n', { host: 'a', headers: [['host', 'a']] });
test('HTTP/1.9 as HTTP/1.1', accepts, 'GET / HTTP/1.9\r\nHost: a\r\n\r\n', { versionMinor: 1 });
test('an extension method', accepts, 'M-SEARCH /x HTTP/1.0\r\n\r\n', { method: 'M-SEARCH', path: '/x' });
test('absolute-form, whose authority becomes the host', accepts, 'GET http://Target.example:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n',
  { host: 'Target.example:8080', path: '/p', query: 'q', targetForm: 'absolute', target: 'http://Target.example:8080/p?q' });
test('OPTIONS *', accepts, 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n', { method: 'OPTIONS', targetForm: 'asterisk', path: '*', query: '' });
test('CONNECT authority-form', accepts, 'CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n',
  { targetForm: 'authority', path: '', target: 'a.example:443', host: 'a.example:443' });
test('Transfer-Encoding: chunked in any case', accepts, 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n',
  { chunked: true, contentLength: -1, transferEncoding: 'Chunked' });
test('TE with empty list elements', accepts, 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked\r\n\r\n', { chunked: true });
test('identical duplicate Content-Length', accepts, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nContent-Length: 7, 7\r\n\r\n',
  { contentLength: 7, chunked: false });
test('Expect: 100-continue in any case', accepts, 'PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n', { expectContinue: true });
test('but ignores 100-continue from HTTP/1.0 (RFC 9110 §10.1.1)', accepts, 'PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n',
  { expectContinue: false, expect: '100-continue' });
test('an empty Expect', accepts, 'PUT / HTTP/1.1\r\nHost: a\r\nExpect: \r\n\r\n', { expectContinue: false, expect: '' });
test('an empty Host with absolute-form, whose authority replaces it (RFC 9112 §3.2.2)', accepts,
  'GET http://a.example/ HTTP/1.1\r\nHost:\r\n\r\n', { host: 'a.example' });
test('an empty Host on a CONNECT (authority-form names its own target)', accepts,
  'CONNECT a.example:443 HTTP/1.1\r\nHost:\r\n\r\n', { host: '' });

const rejects = test.macro({
  exec(t, input: string, code: RequestErrorCode, lim: Partial<HeadLimits> = {}) {
    const r = parse(input, limits(lim));
    t.is(r.kind === 'error' ? r.error.code : r.kind, code);
  },
  title: (provided = '', _input, code) => `parseRequestHead rejects ${provided} with ${code}`,
});

const H = 'Host: a\r\n';
test('a missing version', rejects, 'GET /\r\n\r\n', 'BAD_REQUEST_LINE');
test('a double space', rejects, 'GET  / HTTP/1.1\r\n' + H + '\r\n', 'BAD_REQUEST_LINE');
test('a non-token method', rejects, 'G(T / HTTP/1.1\r\n' + H + '\r\n', 'BAD_REQUEST_LINE');
test('a lower-case protocol name', rejects, 'GET / http/1.1\r\n' + H + '\r\n', 'BAD_REQUEST_LINE');
test('a two-digit minor version', rejects, 'GET / HTTP/1.10\r\n' + H + '\r\n', 'BAD_REQUEST_LINE');
test('a NUL in the target', rejects, 'GET /a\0b HTTP/1.1\r\n' + H + '\r\n', 'BAD_REQUEST_LINE');
test('a fragment in the target', rejects, 'GET /a#b HTTP/1.1\r\n' + H + '\r\n', 'BAD_REQUEST_LINE');
test('a relative target', rejects, 'GET a/b HTTP/1.1\r\n' + H + '\r\n', 'BAD_REQUEST_LINE');
test('asterisk-form outside OPTIONS', rejects, 'GET * HTTP/1.1\r\n' + H + '\r\n', 'BAD_REQUEST_LINE');
test('a bare CR ending the request line', rejects, 'GET / HTTP/1.1\r' + H + '\r\n', 'BAD_REQUEST_LINE');
test('an empty Host on an origin-form request (RFC 9112 §3.2)', rejects, 'GET / HTTP/1.1\r\nHost:\r\n\r\n', 'BAD_HOST');
test('an empty Host of spaces on an origin-form request', rejects, 'GET / HTTP/1.1\r\nHost:  \r\n\r\n', 'BAD_HOST');
test('an empty Host on HTTP/1.0', rejects, 'GET / HTTP/1.0\r\nHost:\r\n\r\n', 'BAD_HOST');
test('an empty Host on OPTIONS *', rejects, 'OPTIONS * HTTP/1.1\r\nHost:\r\n\r\n', 'BAD_HOST');
test('HTTP/2.0', rejects, 'GET / HTTP/2.0\r\n' + H + '\r\n', 'BAD_VERSION');
test('HTTP/0.9', rejects, 'GET / HTTP/0.9\r\n\r\n', 'BAD_VERSION');
test('a header line without a colon', rejects, 'GET / HTTP/1.1\r\n' + H + 'NoColon\r\n\r\n', 'BAD_HEADER');
test('whitespace before the colon', rejects, 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 'BAD_HEADER');
test('an empty field name', rejects, 'GET / HTTP/1.1\r\n' + H + ': v\r\n\r\n', 'BAD_HEADER');
test('a non-token field name', rejects, 'GET / HTTP/1.1\r\n' + H + 'X[1]: v\r\n\r\n', 'BAD_HEADER');
test('obs-fold', rejects, 'GET / HTTP/1.1\r\n' + H + 'X: a\r\n b\r\n\r\n', 'BAD_HEADER');
test('whitespace before the first field', rejects, 'GET / HTTP/1.1\r\n\tHost: a\r\n\r\n', 'BAD_HEADER');
test('a NUL in a value', rejects, 'GET / HTTP/1.1\r\n' + H + 'X: a\0b\r\n\r\n', 'BAD_HEADER');
test('a bare CR in a value', rejects, 'GET / HTTP/1.1\r\n' + H + 'X: a\rb\r\n\r\n', 'BAD_HEADER');
test('a DEL in a value', rejects, 'GET / HTTP/1.1\r\n' + H + 'X: a\x7f\r\n\r\n', 'BAD_HEADER');
test('a CR in a name', rejects, 'GET / HTTP/1.1\r\n' + H + 'X\r: a\r\n\r\n', 'BAD_HEADER');
for (const cl of ['abc', '-1', '+5', '1 2', '', '5, 6', '0x10', '99999999999999999999', '5,']) {
  test(`Content-Length ${JSON.stringify(cl)}`, rejects, `POST / HTTP/1.1\r\n${H}Content-Length: ${cl}\r\n\r\n`, 'BAD_CONTENT_LENGTH');
}
test('differing duplicate Content-Length', rejects, 'POST / HTTP/1.1\r\n' + H + 'Content-Length: 1\r\nContent-Length: 2\r\n\r\n', 'BAD_CONTENT_LENGTH');
test('Transfer-Encoding with Content-Length', rejects,
  'POST / HTTP/1.1\r\n' + H + 'Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 'CONFLICTING_FRAMING');
const te = (v: string, version = '1.1') => `POST / HTTP/${version}\r\n${H}Transfer-Encoding: ${v}\r\n\r\n`;
test('TE gzip', rejects, te('gzip'), 'BAD_TRANSFER_ENCODING');
test('TE chunked, gzip', rejects, te('chunked, gzip'), 'BAD_TRANSFER_ENCODING');
test('TE chunked twice', rejects, te('chunked, chunked'), 'BAD_TRANSFER_ENCODING');
test('TE chunked with a parameter', rejects, te('chunked;x=1'), 'BAD_TRANSFER_ENCODING');
test('an empty TE', rejects, te(''), 'BAD_TRANSFER_ENCODING');
test('TE with a non-token coding', rejects, te('g(z), chunked'), 'BAD_TRANSFER_ENCODING');
test('TE in HTTP/1.0', rejects, te('chunked', '1.0'), 'BAD_TRANSFER_ENCODING');
test('TE gzip, chunked', rejects, te('gzip, chunked'), 'UNKNOWN_TRANSFER_CODING');
test('TE split over lines as gzip + chunked', rejects,
  'POST / HTTP/1.1\r\n' + H + 'Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n', 'UNKNOWN_TRANSFER_CODING');
test('HTTP/1.1 without Host', rejects, 'GET / HTTP/1.1\r\nX: y\r\n\r\n', 'MISSING_HOST');
test('two Host fields', rejects, 'GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n', 'BAD_HOST');
test('an invalid Host', rejects, 'GET / HTTP/1.1\r\nHost: u@a\r\n\r\n', 'BAD_HOST');
test('an unknown expectation', rejects, 'GET / HTTP/1.1\r\n' + H + 'Expect: 100-continue, x\r\n\r\n', 'EXPECTATION_FAILED');
test('too many fields', rejects, 'GET / HTTP/1.1\r\n' + H + 'A: 1\r\nB: 2\r\n\r\n', 'TOO_MANY_HEADERS', { maxHeaders: 2 });
test('a head over the limit', rejects, 'GET / HTTP/1.1\r\n' + H + 'A: ' + 'x'.repeat(80) + '\r\n\r\n', 'HEADER_TOO_LARGE', { maxHeaderBytes: 64 });
test('an unfinished head over the limit', rejects, 'GET / HTTP/1.1\r\n' + H + 'A: ' + 'x'.repeat(80), 'HEADER_TOO_LARGE', { maxHeaderBytes: 64 });
test('a long target', rejects, `GET /${'a'.repeat(40)} HTTP/1.1\r\n${H}\r\n`, 'URI_TOO_LONG', { maxTargetBytes: 32 });
test('a long target still arriving', rejects, `GET /${'a'.repeat(40)}`, 'URI_TOO_LONG', { maxTargetBytes: 32 });
test('a long target in a head over the limit', rejects, `GET /${'a'.repeat(90)} HTTP/1.1\r\n${H}\r\n`, 'URI_TOO_LONG', { maxTargetBytes: 32, maxHeaderBytes: 64 });
test('a long target arriving past the head limit', rejects, `GET /${'a'.repeat(90)}`, 'URI_TOO_LONG', { maxTargetBytes: 32, maxHeaderBytes: 64 });
test('garbage after the target still arriving', rejects, `GET /a ${'b'.repeat(40)}`, 'BAD_REQUEST_LINE', { maxTargetBytes: 32 });
test('a bad request line in a head over the limit', rejects, `GET /a HTTP/1.1 junk\r\n${'x'.repeat(90)}`, 'BAD_REQUEST_LINE', { maxHeaderBytes: 64 });

test('a line starting with a bare CR', rejects, 'GET / HTTP/1.1\r\n' + H + '\rX: y\r\n\r\n', 'BAD_HEADER');
test('a bare CR where the empty line should be', rejects, 'GET / HTTP/1.1\r\n' + H + '\r\r\n\r\n', 'BAD_HEADER');
test('a flood of empty lines before the request line', rejects, '\r\n'.repeat(5) + 'GET / HTTP/1.0\r\n\r\n', 'BAD_REQUEST_LINE');
test('a bad request line before a bad field', rejects, 'GET / HTTP/2.0\r\nBad Field: x\r\n\r\n', 'BAD_VERSION');
test('a field syntax error before a field semantic error', rejects, 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nBad\r\n\r\n', 'BAD_HEADER');
test('a field syntax error before the size limit', rejects, 'GET / HTTP/1.1\r\nBad\r\n' + 'x'.repeat(100), 'BAD_HEADER', { maxHeaderBytes: 64 });

test('parseRequestHead parses a small head followed by more than the head limit of body', (t) => {
  const head = 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n';
  const r = parse(head + 'b'.repeat(100), limits({ maxHeaderBytes: 64 }));
  t.is(r.kind === 'head' && r.consumed, head.length);
});

test('parseRequestHead grows its offset table for a larger maxHeaders', (t) => {
  const fields = Array.from({ length: 150 }, (_, k) => `X-${k}: ${k}\r\n`).join('');
  const h = headOf(t, parse('GET / HTTP/1.1\r\n' + H + fields + '\r\n', limits({ maxHeaders: 200 })));
  t.is(h.headers.length, 151);
  t.deepEqual(h.headers[150], ['x-149', '149']);
});

test('parseRequestHead asks for more until the empty line arrives', (t) => {
  for (const s of ['', '\r', '\r\n', 'GET / HTTP/1.1\r\nHost: a\r\n', 'GET / HTTP/1.1\r\nHost: a\r\n\r']) {
    t.is(parse(s).kind, 'need-more', JSON.stringify(s));
  }
});

test('parseRequestHead skips empty lines before the request line and counts them', (t) => {
  const r = parse('\r\n\nGET / HTTP/1.0\r\n\r\n');
  t.is(r.kind === 'head' && r.consumed, 21);
});

test('parseRequestHead stops at the end of the head and leaves pipelined bytes', (t) => {
  const first = 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n';
  const b = bytes(first + 'GET /2 HTTP/1.1\r\nHost: a\r\n\r\n');
  const r1 = parseRequestHead(b, 0, b.length);
  t.is(r1.kind === 'head' && r1.consumed, first.length);
  const r2 = parseRequestHead(b, first.length, b.length);
  t.is(r2.kind === 'head' && r2.head.path, '/2');
});

test('findHeadEnd finds LF LF and LF CR LF and nothing else', (t) => {
  t.is(findHeadEnd(bytes('a\r\n\r\nb'), 0, 6), 5);
  t.is(findHeadEnd(bytes('a\n\nb'), 0, 4), 3);
  t.is(findHeadEnd(bytes('a\r\n\rb\r\n'), 0, 7), -1);
  t.is(findHeadEnd(bytes('a\r\n\r\n'), 0, 4), -1); // the final LF is past `end`
});
