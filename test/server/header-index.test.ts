import test from 'ava';
import type { RequestErrorCode } from '../../src/server/errors.js';
import {
  checkHeaderIndex, HEADER_NAMES, HeaderIndex, lookupHeaderName, parseContentLength, recordHeader, TOKEN,
} from '../../src/server/header-index.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const idOf = (name: string): number => lookupHeaderName(bytes(name), 0, name.length);

test('lookupHeaderName finds every known name in any case', (t) => {
  for (let id = 1; id < HEADER_NAMES.length; id++) {
    const name = HEADER_NAMES[id]!;
    t.is(idOf(name), id, name);
    t.is(idOf(name.toUpperCase()), id, name);
  }
});

test('lookupHeaderName returns 0 for unknown names of known lengths and odd lengths', (t) => {
  for (const name of ['hosts', 'hast', 'content-lengtx', 'x', 'x-forwarded-for-and-much-longer-than-any', 'referrer', 'accepts']) {
    t.is(idOf(name), 0, name);
  }
});

test('TOKEN marks exactly the RFC 9110 tchar bytes', (t) => {
  const tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let c = 0; c < 256; c++) t.is(TOKEN[c], tchars.includes(String.fromCharCode(c)) && c < 128 ? 1 : 0, `byte ${c}`);
});

const contentLength = test.macro({
  exec(t, value: string, expected: number) {
    t.is(parseContentLength(value), expected);
  },
  title: (_p, value, expected) => `parseContentLength(${JSON.stringify(value)}) is ${expected}`,
});
test(contentLength, '0', 0);
test(contentLength, '42', 42);
test(contentLength, '007', 7);
test(contentLength, '42, 42', 42);
test(contentLength, '42,42,\t42', 42);
test(contentLength, '9007199254740991', Number.MAX_SAFE_INTEGER);
test(contentLength, '9007199254740992', -1);
test(contentLength, '', -1);
test(contentLength, '42, 43', -1);
test(contentLength, ',42', -1);
test(contentLength, '42,', -1);
test(contentLength, '4 2', -1);
test(contentLength, '-0', -1);
test(contentLength, '1e3', -1);

test('recordHeader combines list fields and keeps the first singleton value', (t) => {
  const ix = new HeaderIndex();
  for (const [name, value] of [['connection', 'a'], ['connection', 'b'], ['range', 'r1'], ['range', 'r2'], ['accept', 'x']]) {
    t.is(recordHeader(ix, idOf(name!), value!), null);
  }
  t.is(ix.connection, 'a, b');
  t.is(ix.range, 'r1');
  t.is(recordHeader(ix, 0, 'ignored'), null);
});

test('recordHeader refuses a second Host and differing Content-Lengths', (t) => {
  const ix = new HeaderIndex();
  t.is(recordHeader(ix, idOf('host'), 'a'), null);
  t.is(recordHeader(ix, idOf('host'), 'a'), 'BAD_HOST');
  t.is(recordHeader(ix, idOf('content-length'), '3'), null);
  t.is(recordHeader(ix, idOf('content-length'), '3'), null);
  t.is(recordHeader(ix, idOf('content-length'), '4'), 'BAD_CONTENT_LENGTH');
});

const checks = test.macro({
  exec(t, fields: Array<[string, string]>, versionMinor: 0 | 1, expected: RequestErrorCode | null) {
    const ix = new HeaderIndex();
    for (const [name, value] of fields) t.is(recordHeader(ix, idOf(name), value), null);
    t.is(checkHeaderIndex(ix, versionMinor), expected);
  },
  title: (provided = '') => `checkHeaderIndex ${provided}`,
});
const host: [string, string] = ['host', 'h'];
test('accepts chunked', checks, [host, ['transfer-encoding', 'chunked']], 1, null);
test('accepts spaced and cased chunked', checks, [host, ['transfer-encoding', ' , CHUNKED ,']], 1, null);
test('refuses TE + CL', checks, [host, ['transfer-encoding', 'chunked'], ['content-length', '0']], 1, 'CONFLICTING_FRAMING');
test('refuses TE on HTTP/1.0', checks, [['transfer-encoding', 'chunked']], 0, 'BAD_TRANSFER_ENCODING');
test('refuses a TE not ending in chunked', checks, [host, ['transfer-encoding', 'chunked, identity']], 1, 'BAD_TRANSFER_ENCODING');
test('refuses an unknown coding before chunked with 501', checks, [host, ['transfer-encoding', 'br , chunked']], 1, 'UNKNOWN_TRANSFER_CODING');
test('refuses a coding with parameters before chunked with 501', checks, [host, ['transfer-encoding', 'foo;a=b, chunked']], 1, 'UNKNOWN_TRANSFER_CODING');
test('refuses a missing Host on 1.1', checks, [], 1, 'MISSING_HOST');
test('accepts a missing Host on 1.0', checks, [], 0, null);
test('refuses an unknown expectation', checks, [host, ['expect', 'x-custom']], 1, 'EXPECTATION_FAILED');
test('refuses 100-continue with a parameter', checks, [host, ['expect', '100-continue;x']], 1, 'EXPECTATION_FAILED');
test('refuses an unknown expectation on 1.0 too', checks, [['expect', 'nope']], 0, 'EXPECTATION_FAILED');

test('checkHeaderIndex sets chunked and expectContinue', (t) => {
  const ix = new HeaderIndex();
  recordHeader(ix, idOf('host'), 'h');
  recordHeader(ix, idOf('transfer-encoding'), 'chunked');
  recordHeader(ix, idOf('expect'), '100-continue');
  recordHeader(ix, idOf('expect'), '100-CONTINUE');
  t.is(checkHeaderIndex(ix, 1), null);
  t.true(ix.chunked);
  t.true(ix.expectContinue);
});
