// requestUrl and OriginCache against WHATWG URL itself: the fast concatenation must give exactly what `new URL`
// serializes, and a Host that URL rejects must be refused.
import test from 'ava';
import { parseRequestHead } from '../../src/server/request-head.js';
import { OriginCache, requestUrl } from '../../src/fetch/request-url.js';

function headOf(target: string, method = 'GET') {
  const r = parseRequestHead(Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: h\r\n\r\n`), 0, 100 + target.length);
  if (r.kind !== 'head') throw new Error(`cannot parse ${target}`);
  return r.head;
}

const matchesWhatwg = test.macro((t, target: string) => {
  const origin = new OriginCache().originOf('example.com:8080')!;
  t.is(requestUrl(headOf(target), origin), new URL(`http://example.com:8080${target}`).href);
});

for (const target of ['/', '/a/b.txt', '/a?b=c&d', '/a?', '/%7Euser/x%2F', '/a/./b', '/a/../b', '/.hidden', '/a/%2e%2E/b',
  '/a^b', '/a|b?c|d', '/a`b', '/a{b}', "/q?x='y'", '/q?a<b', '/x//y', '//evil.example/z', '/a\\b', '/caf%C3%A9']) {
  test(`requestUrl serializes ${target} as WHATWG URL does`, matchesWhatwg, target);
}

test('an absolute-form target keeps its authority, path and query; the scheme stays the connection\'s', (t) => {
  const head = headOf('https://Other.Example:443/p/../q?x');
  t.is(requestUrl(head, new OriginCache().originOf(head.host!)!), 'http://other.example:443/q?x');
  const bare = headOf('http://other.example?x=1');
  t.is(requestUrl(bare, new OriginCache().originOf(bare.host!)!), 'http://other.example/?x=1');
});

test('OriginCache normalizes hosts as URL does and refuses what URL refuses', (t) => {
  const cache = new OriginCache();
  t.is(cache.originOf('EXAMPLE.com:80'), 'http://example.com');
  t.is(cache.originOf('[::1]:3000'), 'http://[::1]:3000');
  t.is(cache.originOf('127.1'), 'http://127.0.0.1');
  t.is(cache.originOf('a%b'), null);
  t.is(cache.originOf('user@host'), null);
  t.is(cache.originOf('h:99999'), null);
  t.is(cache.originOf(''), null);
  t.is(cache.originOf('a%b'), null, 'cached refusals stay refusals');
  for (let i = 0; i < 300; i++) cache.originOf(`h${i}.example`);
  t.is(cache.originOf('h1.example'), 'http://h1.example', 'a full cache starts over instead of growing');
});
