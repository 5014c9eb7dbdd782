// Request: header() lookup and joining, decodedPathname, searchParams, and the origin-backed fields.
import test from 'ava';
import { empty } from '../../src/conduit/index.js';
import { parseRequestHead, type RequestHead } from '../../src/server/request-head.js';
import { Request, type RequestOrigin } from '../../src/server/request.js';

function headOf(text: string): RequestHead {
  const buf = Buffer.from(text, 'latin1');
  const r = parseRequestHead(buf, 0, buf.length);
  if (r.kind !== 'head') throw new Error(`test head did not parse: ${r.kind}`);
  return r.head;
}

const origin: RequestOrigin = { remoteAddress: () => '127.0.0.1:5555', signal: new AbortController().signal };

function requestOf(text: string, o: RequestOrigin = origin, receivedAt?: number): Request {
  return new Request(headOf(text), empty<Uint8Array>(), o, receivedAt);
}

test('the request line fields come from the head', (t) => {
  const r = requestOf('PATCH /a/b?c=d HTTP/1.1\r\nHost: example.org\r\n\r\n');
  t.is(r.method, 'PATCH');
  t.is(r.target, '/a/b?c=d');
  t.is(r.path, '/a/b');
  t.is(r.query, 'c=d');
  t.is(r.httpVersion, '1.1');
  t.is(r.host, 'example.org');
});

test('httpVersion is 1.0 for an HTTP/1.0 request, and host is null without one', (t) => {
  const r = requestOf('GET / HTTP/1.0\r\n\r\n');
  t.is(r.httpVersion, '1.0');
  t.is(r.host, null);
});

test('header() is case-insensitive and undefined when absent', (t) => {
  const r = requestOf('GET / HTTP/1.1\r\nHost: h\r\nX-Custom-Thing: Value One\r\n\r\n');
  t.is(r.header('x-custom-thing'), 'Value One');
  t.is(r.header('X-CUSTOM-THING'), 'Value One');
  t.is(r.header('x-missing'), undefined);
});

test('header() joins repeated fields with ", " in order (RFC 9110 §5.3)', (t) => {
  const r = requestOf('GET / HTTP/1.1\r\nHost: h\r\nAccept: a/b\r\nX-A: 1\r\naccept: c/d\r\nACCEPT: e/f\r\n\r\n');
  t.is(r.header('accept'), 'a/b, c/d, e/f');
  t.is(r.header('x-a'), '1');
});

test('header() sees indexed and unindexed fields alike, with OWS trimmed', (t) => {
  const r = requestOf('GET / HTTP/1.1\r\nHost:   h  \r\nUser-Agent: ua/1\r\nX-Y:\tz\t\r\n\r\n');
  t.is(r.header('host'), 'h');
  t.is(r.header('user-agent'), 'ua/1');
  t.is(r.header('x-y'), 'z');
});

const decoded: Array<[string, string | null]> = [
  ['/plain', '/plain'],
  ['/a%20b', '/a b'],
  ['/caf%C3%A9', '/café'],
  ['/%2F', '//'],
  ['/100%25', '/100%'],
  ['/bad%zz', null],
  ['/trunc%4', null],
  ['/not-utf8%ff', null],
];
for (const [path, want] of decoded) {
  test(`decodedPathname of ${path} is ${String(want)}`, (t) => {
    const r = requestOf(`GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`);
    t.is(r.decodedPathname, want);
    t.is(r.decodedPathname, want, 'memoized: same answer twice');
  });
}

test('searchParams parses the query, keeps repeats, and is memoized', (t) => {
  const r = requestOf('GET /s?q=a+b&x=1&x=2&e=%26&flag HTTP/1.1\r\nHost: h\r\n\r\n');
  const p = r.searchParams;
  t.is(p.get('q'), 'a b');
  t.deepEqual(p.getAll('x'), ['1', '2']);
  t.is(p.get('e'), '&');
  t.is(p.get('flag'), '');
  t.is(r.searchParams, p);
});

test('searchParams is empty without a query', (t) => {
  t.is([...requestOf('GET /s HTTP/1.1\r\nHost: h\r\n\r\n').searchParams].length, 0);
});

test('remoteAddress and signal come from the origin, read lazily', (t) => {
  let asked = 0;
  const controller = new AbortController();
  const r = requestOf('GET / HTTP/1.1\r\nHost: h\r\n\r\n', {
    remoteAddress: () => {
      asked++;
      return '[::1]:40000';
    },
    signal: controller.signal,
  });
  t.is(asked, 0);
  t.is(r.remoteAddress, '[::1]:40000');
  t.is(asked, 1);
  t.false(r.signal.aborted);
  controller.abort();
  t.true(r.signal.aborted);
});

test('receivedAt defaults to now and can be given', (t) => {
  const before = Date.now();
  const r = requestOf('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
  t.true(r.receivedAt >= before && r.receivedAt <= Date.now());
  t.is(requestOf('GET / HTTP/1.1\r\nHost: h\r\n\r\n', origin, 42).receivedAt, 42);
});

test('trailers start empty', (t) => {
  t.deepEqual(requestOf('GET / HTTP/1.1\r\nHost: h\r\n\r\n').trailers, []);
});

test('trailers are read live from the engine\'s holder (filled once the body has been read)', (t) => {
  const holder: { trailers: Array<[string, string]> } = { trailers: [] };
  const r = new Request(headOf('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n'), empty<Uint8Array>(), origin, 0, holder);
  t.deepEqual(r.trailers, []);
  holder.trailers = [['x-sum', '1']];
  t.deepEqual(r.trailers, [['x-sum', '1']]);
});
