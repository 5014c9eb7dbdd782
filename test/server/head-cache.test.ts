// The composed-head cache: a repeated head is copied, never stale. Behaviour through the public composer (every
// result is compared with the literal head it must be), then the slot policy on a HeadCache of its own.
import test from 'ava';
import { HeadCache, HIT, KEY_ONLY, MISS } from '../../src/server/head-cache.js';
import { composeResponseHead, measureResponseHead, type EngineHeaders, type ResponseHeaders } from '../../src/server/response-head.js';

const DATE_A = new Uint8Array(Buffer.from('Sun, 06 Nov 1994 08:49:37 GMT', 'latin1'));
const DATE_B = new Uint8Array(Buffer.from('Sun, 06 Nov 1994 08:49:38 GMT', 'latin1'));
const engine = (over: Partial<EngineHeaders> = {}): EngineHeaders =>
  ({ date: DATE_A, server: 'sluice', contentLength: 13, chunked: false, close: false, ...over });

/** Composes into a dirty buffer at an offset, as the engine's cork buffer is, and returns the head as text. */
function head(status: number, headers: ResponseHeaders, e: EngineHeaders): string {
  const out = new Uint8Array(2048).fill(0x58);
  const n = composeResponseHead(out, 7, status, headers, e);
  if (n < 0) throw new Error('no room');
  return Buffer.from(out.subarray(7, 7 + n)).toString('latin1');
}

const HELLO = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ndate: Sun, 06 Nov 1994 08:49:37 GMT\r\nserver: sluice\r\ncontent-length: 13\r\n\r\n';

test('the same head composed many times is byte-identical every time', (t) => {
  for (let i = 0; i < 20; i++) t.is(head(200, { 'content-type': 'text/plain' }, engine()), HELLO);
});

test('a changed value, status, length, Date, server or framing flag is never served stale', (t) => {
  const base = (): string => head(200, { 'content-type': 'text/plain' }, engine());
  base();
  base();
  t.is(head(200, { 'content-type': 'text/html' }, engine()), HELLO.replace('text/plain', 'text/html'));
  base();
  t.is(head(404, { 'content-type': 'text/plain' }, engine()), HELLO.replace('200 OK', '404 Not Found'));
  base();
  t.is(head(200, { 'content-type': 'text/plain' }, engine({ contentLength: 14 })), HELLO.replace(': 13', ': 14'));
  base();
  t.is(head(200, { 'content-type': 'text/plain' }, engine({ date: DATE_B })), HELLO.replace(':37 GMT', ':38 GMT'));
  base();
  t.is(head(200, { 'content-type': 'text/plain' }, engine({ server: 'other' })), HELLO.replace('sluice', 'other'));
  base();
  t.is(head(200, { 'content-type': 'text/plain' }, engine({ close: true })), HELLO.replace('\r\n\r\n', '\r\nconnection: close\r\n\r\n'));
  t.is(base(), HELLO);
});

test('one headers object mutated between responses gets its new value, and an added or removed field shows', (t) => {
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  head(200, headers, engine());
  t.is(head(200, headers, engine()), HELLO);
  headers['content-type'] = 'text/css';
  t.is(head(200, headers, engine()), HELLO.replace('text/plain', 'text/css'));
  headers['x-extra'] = '1';
  t.is(head(200, headers, engine()), HELLO.replace('text/plain\r\n', 'text/css\r\nx-extra: 1\r\n'));
  delete headers['content-type'];
  t.is(head(200, headers, engine()), HELLO.replace('content-type: text/plain', 'x-extra: 1'));
});

test('an array value mutated in place is written as it is now (arrays are never cached)', (t) => {
  const cookies = ['a=1'];
  const expected = (c: string[]): string => `HTTP/1.1 200 OK\r\n${c.map((v) => `set-cookie: ${v}\r\n`).join('')}content-length: 0\r\n\r\n`;
  const e = { date: null, server: null, contentLength: 0, chunked: false, close: false };
  for (let i = 0; i < 3; i++) t.is(head(200, { 'set-cookie': cookies }, e), expected(cookies));
  cookies[0] = 'b=2';
  cookies.push('c=3');
  t.is(head(200, { 'set-cookie': cookies }, e), expected(cookies));
});

test('a bad field still throws after a good head with the same name was cached', (t) => {
  for (let i = 0; i < 3; i++) head(200, { 'x-a': 'fine' }, engine());
  t.throws(() => head(200, { 'x-a': 'bad\r\nset-cookie: evil' }, engine()), { message: /control/ });
  t.is(head(200, { 'x-a': 'fine' }, engine()), HELLO.replace('content-type: text/plain', 'x-a: fine'));
});

test('measure agrees with the bytes written, cached or not', (t) => {
  for (let i = 0; i < 4; i++) {
    const e = engine();
    const h = { 'content-type': 'text/plain' };
    t.is(measureResponseHead(200, h, e), HELLO.length);
    t.is(head(200, h, e), HELLO);
  }
});

// The slot policy, on a cache of its own (the measure → write → remember sequence writeResponseHead follows).
function compose(cache: HeadCache, status: number, headers: ResponseHeaders, e: EngineHeaders): number {
  const cachedLength = cache.measure(status, headers, e);
  const verdict = cache.verdictFor(status, headers, e);
  if (verdict === HIT) return cachedLength;
  const bytes = Buffer.from(head(status, headers, e), 'latin1');
  cache.remember(verdict, status, headers, e, bytes, 0, bytes.length);
  return -1;
}

test('a head is kept once it was composed twice in a row, and served from then on', (t) => {
  const cache = new HeadCache();
  const h = { 'content-type': 'text/plain' };
  t.is(compose(cache, 200, h, engine()), -1);
  t.is(compose(cache, 200, h, engine()), -1);
  t.is(compose(cache, 200, h, engine()), HELLO.length);
  t.is(compose(cache, 200, { 'content-type': 'text/plain' }, engine()), HELLO.length);
  t.deepEqual(Buffer.from(cache.bytes).toString('latin1'), HELLO);
});

test('a head that alternates with the cached one does not evict it; a run of new heads does', (t) => {
  const cache = new HeadCache();
  const hello = (): number => compose(cache, 200, { 'content-type': 'text/plain' }, engine());
  const other = (): number => compose(cache, 200, { 'content-type': 'text/plain' }, engine({ contentLength: 100 }));
  hello();
  hello();
  for (let i = 0; i < 20; i++) {
    t.is(other(), -1);
    t.is(hello(), HELLO.length);
  }
  for (let i = 0; i < 8; i++) t.is(other(), -1);
  t.is(other(), -1);
  t.is(other(), HELLO.length + 1);
  t.is(hello(), -1);
});

test('a verdict is only handed to the objects it was measured for', (t) => {
  const cache = new HeadCache();
  const h = { 'content-type': 'text/plain' };
  const e = engine();
  compose(cache, 200, h, e);
  compose(cache, 200, h, e);
  t.is(cache.measure(200, h, e), HELLO.length);
  t.is(cache.verdictFor(200, h, e), HIT);
  t.is(cache.verdictFor(200, { ...h }, e), MISS);
  t.is(cache.verdictFor(200, h, engine()), MISS);
  t.is(cache.verdictFor(201, h, e), MISS);
  const fresh = new HeadCache();
  fresh.remember(MISS, 200, h, e, Buffer.from(HELLO, 'latin1'), 0, HELLO.length);
  fresh.measure(200, h, e);
  t.is(fresh.verdictFor(200, h, e), KEY_ONLY);
});

test('a head over 512 bytes is written correctly but never kept', (t) => {
  const cache = new HeadCache();
  const big = { 'x-big': 'v'.repeat(600) };
  for (let i = 0; i < 4; i++) t.is(compose(cache, 200, big, engine()), -1);
  const text = head(200, big, engine());
  t.true(text.includes(`x-big: ${'v'.repeat(600)}\r\n`));
});

test('a cached head does not alias the buffer it was first written into (the engine reuses its cork Buffer)', (t) => {
  const cork = Buffer.alloc(1024);
  const e = engine({ contentLength: 12345 });
  const expected = HELLO.replace(': 13', ': 12345');
  // Enough rounds to take the process-wide slot (a run of misses) and then be served from it.
  for (let i = 0; i < 16; i++) {
    cork.fill(0x5a);
    const n = composeResponseHead(cork, 3, 200, { 'content-type': 'text/plain' }, e);
    t.is(cork.toString('latin1', 3, 3 + n), expected);
  }
});
