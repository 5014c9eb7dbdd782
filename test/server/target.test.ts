import test from 'ava';
import { decodeFormComponent, decodePercent, isValidHost, parseTarget, type Target } from '../../src/server/target.js';

const classifies = test.macro({
  exec(t, method: string, raw: string, expected: Target | null) {
    t.deepEqual(parseTarget(method, raw), expected);
  },
  title: (_p, method, raw, expected) =>
    `parseTarget ${expected ? `reads ${(expected as Target).kind}-form from` : 'rejects'} ${method} ${JSON.stringify(raw)}`,
});

const origin = (path: string, query = ''): Target => ({ kind: 'origin', path, query, authority: '' });
test(classifies, 'GET', '/', origin('/'));
test(classifies, 'GET', '/a/b', origin('/a/b'));
test(classifies, 'GET', '/a?x=1&y=%20', origin('/a', 'x=1&y=%20'));
test(classifies, 'GET', '/a?', origin('/a', ''));
test(classifies, 'GET', '/a?b?c', origin('/a', 'b?c'));
test(classifies, 'OPTIONS', '*', { kind: 'asterisk', path: '*', query: '', authority: '' });
test(classifies, 'GET', '*', null);
test(classifies, 'CONNECT', 'example.com:443', { kind: 'authority', path: '', query: '', authority: 'example.com:443' });
test(classifies, 'CONNECT', '[::1]:8443', { kind: 'authority', path: '', query: '', authority: '[::1]:8443' });
test(classifies, 'CONNECT', 'example.com', null);
test(classifies, 'CONNECT', 'example.com:', null);
test(classifies, 'CONNECT', ':443', null);
test(classifies, 'CONNECT', '[::1]', null);
test(classifies, 'CONNECT', 'a b:1', null);
test(classifies, 'CONNECT', '/', null);
test(classifies, 'GET', 'example.com:443', null);
test(classifies, 'GET', 'http://h.example', { kind: 'absolute', path: '/', query: '', authority: 'h.example' });
test(classifies, 'GET', 'HTTPS://h:8/a/b?q=1', { kind: 'absolute', path: '/a/b', query: 'q=1', authority: 'h:8' });
test(classifies, 'GET', 'http://h?q', { kind: 'absolute', path: '/', query: 'q', authority: 'h' });
test(classifies, 'GET', 'http://[::1]/x', { kind: 'absolute', path: '/x', query: '', authority: '[::1]' });
test(classifies, 'GET', 'ftp://h/x', null);
test(classifies, 'GET', 'http:/h/x', null);
test(classifies, 'GET', 'http:///x', null);
test(classifies, 'GET', 'http://:80/x', null);
test(classifies, 'GET', 'http://user:pw@h/x', null);
test(classifies, 'GET', 'http://h:8x/', null);

const host = test.macro({
  exec(t, value: string, valid: boolean) {
    t.is(isValidHost(value), valid);
  },
  title: (_p, value, valid) => `isValidHost ${valid ? 'accepts' : 'rejects'} ${JSON.stringify(value)}`,
});
for (const ok of ['', 'a', 'example.com', 'example.com:8080', 'EXAMPLE.com', '127.0.0.1:1', '[::1]', '[::1]:80', '[v1.x]', 'a_b-c~d', 'a%41', "!$&'()*+,;=", 'h:']) {
  test(host, ok, true);
}
for (const bad of ['a b', 'u@h', 'h/x', 'h:8a', 'h:8:9', '[::1', '[]', '[::1]x', '[::1]:a', 'h\t', 'é.com', '[:/:]']) {
  test(host, bad, false);
}

test('decodePercent decodes UTF-8 escapes and returns the input when there are none', (t) => {
  const plain = '/a/b+c';
  t.is(decodePercent(plain), plain);
  t.is(decodePercent('/caf%C3%A9%20x'), '/café x');
  t.is(decodePercent('%2F'), '/');
});

test('decodePercent refuses bad escapes and invalid UTF-8', (t) => {
  t.is(decodePercent('%'), null);
  t.is(decodePercent('%zz'), null);
  t.is(decodePercent('%C3'), null);
  t.is(decodePercent('%FF'), null);
});

test('decodeFormComponent turns + into space before decoding', (t) => {
  t.is(decodeFormComponent('a+b%2Bc'), 'a b+c');
  t.is(decodeFormComponent('plain'), 'plain');
  t.is(decodeFormComponent('a+%zz'), null);
});
