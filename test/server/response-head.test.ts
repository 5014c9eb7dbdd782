import test from 'ava';
import { ResponseError } from '../../src/server/errors.js';
import {
  composeResponseHead, measureResponseHead, renderResponseHead, statusLineOf,
  type EngineHeaders, type ResponseHeaders,
} from '../../src/server/response-head.js';

const DATE = new Uint8Array(Buffer.from('Sun, 06 Nov 1994 08:49:37 GMT', 'latin1'));
const NONE: EngineHeaders = { date: null, server: null, contentLength: -1, chunked: false, close: false };
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const render = (status: number, headers: ResponseHeaders, engine: Partial<EngineHeaders> = {}): string =>
  text(renderResponseHead(status, headers, { ...NONE, ...engine }));

test('composeResponseHead writes the hello-world head exactly', (t) => {
  t.is(
    render(200, { 'content-type': 'text/plain' }, { date: DATE, server: 'sluice', contentLength: 13 }),
    'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\n' +
      'server: sluice\r\ncontent-length: 13\r\n\r\n',
  );
});

const renders = test.macro({
  exec(t, status: number, headers: ResponseHeaders, engine: Partial<EngineHeaders>, expected: string) {
    const full = { ...NONE, ...engine };
    t.is(render(status, headers, engine), expected);
    t.is(measureResponseHead(status, headers, full), expected.length);
  },
  title: (provided = '') => `composeResponseHead ${provided}`,
});

test('writes no fields for an empty 204', renders, 204, {}, {}, 'HTTP/1.1 204 No Content\r\n\r\n');
test('keeps an empty reason for an unregistered status', renders, 299, {}, {}, 'HTTP/1.1 299 \r\n\r\n');
test('writes one line per array element', renders, 200, { 'set-cookie': ['a=1', 'b=2'] }, {},
  'HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nset-cookie: b=2\r\n\r\n');
test('writes numbers in decimal', renders, 200, { 'x-n': 42, 'x-f': 1.5 }, {}, 'HTTP/1.1 200 OK\r\nx-n: 42\r\nx-f: 1.5\r\n\r\n');
test('keeps the app name case and HTAB and obs-text in values', renders, 200, { 'X-Name': 'a\tcaf\xe9' }, {},
  'HTTP/1.1 200 OK\r\nX-Name: a\tcaf\xe9\r\n\r\n');
test('writes chunked framing and close', renders, 200, {}, { chunked: true, close: true },
  'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n');
test('writes Content-Length 0', renders, 200, {}, { contentLength: 0 }, 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
test('writes a large Content-Length', renders, 200, {}, { contentLength: 1234567890123 }, 'HTTP/1.1 200 OK\r\ncontent-length: 1234567890123\r\n\r\n');
test('drops the app framing fields in favour of the engine decision', renders, 200,
  { 'Content-Length': '99', 'transfer-encoding': 'gzip', 'x-a': 'b' }, { contentLength: 3 },
  'HTTP/1.1 200 OK\r\nx-a: b\r\ncontent-length: 3\r\n\r\n');
test('lets an app Date and Server win', renders, 200, { Date: 'then', SERVER: 'me' }, { date: DATE, server: 'sluice' },
  'HTTP/1.1 200 OK\r\nDate: then\r\nSERVER: me\r\n\r\n');
test('keeps an app Connection while the connection persists', renders, 101, { connection: 'upgrade', upgrade: 'websocket' }, {},
  'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n');
test('replaces an app Connection with close', renders, 200, { Connection: 'keep-alive' }, { close: true },
  'HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n');
test('writes same-length look-alike names', renders, 200, { dat3: 'x', servers: 'y', 'content-lengtx': 'z', 'transfer-encodinq': 'w', connectiox: 'v' }, {},
  'HTTP/1.1 200 OK\r\ndat3: x\r\nservers: y\r\ncontent-lengtx: z\r\ntransfer-encodinq: w\r\nconnectiox: v\r\n\r\n');

test('composeResponseHead writes at an offset and returns the bytes written', (t) => {
  const out = new Uint8Array(64).fill(0x2e);
  const n = composeResponseHead(out, 5, 404, {}, { ...NONE, contentLength: 9 });
  const expected = 'HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\n';
  t.is(n, expected.length);
  t.is(text(out.subarray(5, 5 + n)), expected);
  t.is(text(out.subarray(0, 5)), '.....');
  t.is(out[5 + n], 0x2e);
});

test('composeResponseHead returns -needed and writes nothing when the head does not fit', (t) => {
  const out = new Uint8Array(40).fill(0x2e);
  const needed = measureResponseHead(200, { 'x-long': 'v'.repeat(30) }, NONE);
  t.is(composeResponseHead(out, 10, 200, { 'x-long': 'v'.repeat(30) }, NONE), -needed);
  t.true(out.every((b) => b === 0x2e));
  t.is(composeResponseHead(new Uint8Array(needed), 0, 200, { 'x-long': 'v'.repeat(30) }, NONE), needed, 'fits exactly');
});

const refuses = test.macro({
  exec(t, headers: ResponseHeaders) {
    const e = t.throws(() => renderResponseHead(200, headers, NONE), { instanceOf: ResponseError });
    t.is(e?.code, 'BAD_RESPONSE_HEADER');
  },
  title: (_p, headers) => `composeResponseHead refuses ${JSON.stringify(headers)}`,
});
test(refuses, { 'x-a': 'a\r\nSet-Cookie: evil=1' });
test(refuses, { 'x-a': 'a\nb' });
test(refuses, { 'x-a': 'a\rb' });
test(refuses, { 'x-a': 'a\0b' });
test(refuses, { 'x-a': 'a\x1bb' });
test(refuses, { 'x-a': 'a\x7fb' });
test(refuses, { 'x-a': 'snow\u2603' });
test(refuses, { 'x-a': ['ok', 'b\r\n'] });
test(refuses, { 'x\r\na': 'v' });
test(refuses, { 'x a': 'v' });
test(refuses, { 'x:a': 'v' });
test(refuses, { '': 'v' });
test(refuses, { 'caf\xe9': 'v' });
test(refuses, { 'x\u2603': 'v' });

test('composeResponseHead refuses a bad status and a non-integer Content-Length', (t) => {
  for (const status of [99, 1000, 200.5, Number.NaN]) {
    const e = t.throws(() => renderResponseHead(status, {}, NONE), { instanceOf: ResponseError });
    t.is(e?.code, 'BAD_STATUS');
  }
  for (const contentLength of [1.5, 2 ** 53, Number.POSITIVE_INFINITY]) {
    const e = t.throws(() => renderResponseHead(200, {}, { ...NONE, contentLength }), { instanceOf: ResponseError });
    t.is(e?.code, 'BAD_RESPONSE_HEADER');
  }
});

test('statusLineOf caches one line per status', (t) => {
  t.is(statusLineOf(503), 'HTTP/1.1 503 Service Unavailable\r\n');
  t.is(statusLineOf(503), statusLineOf(503));
});

test('a server name is validated whenever it changes, and a bad one never reaches the wire', (t) => {
  t.true(render(200, {}, { server: 'one' }).includes('\r\nserver: one\r\n'));
  t.throws(() => render(200, {}, { server: 'evil\r\nx-injected: 1' }), { instanceOf: ResponseError, code: 'BAD_RESPONSE_HEADER' });
  t.true(render(200, {}, { server: 'two' }).includes('\r\nserver: two\r\n'));
  t.throws(() => render(200, {}, { server: 'evil\r\nx-injected: 1' }), { instanceOf: ResponseError });
});
