// Tests for entity-tag parsing and comparison (RFC 9110 §8.8.3).
import test from 'ava';
import {
  matchEtagList, matchStrong, matchWeak, parseEntityTag, parseEtagList, suffixEtag, type EtagList,
} from '../../../src/middleware/static/etag.js';

const tag = (opaque: string, weak = false) => ({ weak, opaque: `"${opaque}"` });

const parsesTag = test.macro({
  exec(t, value: string, expected: ReturnType<typeof parseEntityTag>) {
    t.deepEqual(parseEntityTag(value), expected);
  },
  title: (provided, value) => `parseEntityTag ${provided ?? ''} (${JSON.stringify(value)})`,
});

test('reads a strong tag', parsesTag, '"abc"', tag('abc'));
test('reads a weak tag', parsesTag, 'W/"abc"', tag('abc', true));
test('reads an empty opaque tag', parsesTag, '""', tag(''));
test('reads obs-text', parsesTag, '"caf\u00e9"', tag('caf\u00e9'));
test('rejects an unquoted tag', parsesTag, 'abc', null);
test('rejects a lower-case weak prefix', parsesTag, 'w/"abc"', null);
test('rejects a lone quote', parsesTag, '"', null);
test('rejects a quote inside', parsesTag, '"a"b"', null);
test('rejects a space inside', parsesTag, '"a b"', null);
test('rejects DEL inside', parsesTag, '"a\u007fb"', null);
test('rejects a character above obs-text', parsesTag, '"a\u0100b"', null);

const parsesList = test.macro({
  exec(t, value: string, expected: EtagList) {
    t.deepEqual(parseEtagList(value), expected);
  },
  title: (provided, value) => `parseEtagList ${provided ?? ''} (${JSON.stringify(value)})`,
});

test('reads a star', parsesList, ' * ', { kind: 'any' });
test('reads a list with OWS', parsesList, '"a", W/"b" ,\t"c"', { kind: 'tags', tags: [tag('a'), tag('b', true), tag('c')] });
test('keeps a comma inside an opaque tag', parsesList, '"a,b", "c"', { kind: 'tags', tags: [tag('a,b'), tag('c')] });
test('skips empty members', parsesList, ',,"a",,', { kind: 'tags', tags: [tag('a')] });
test('drops an unquoted member', parsesList, 'abc, "a"', { kind: 'tags', tags: [tag('a')] });
test('drops a member with trailing junk', parsesList, '"a"x, "b"', { kind: 'tags', tags: [tag('b')] });
test('drops an unterminated member', parsesList, '"a", "b', { kind: 'tags', tags: [tag('a')] });
test('drops a weak prefix without a quote', parsesList, 'W/a, "b"', { kind: 'tags', tags: [tag('b')] });
test('drops a member with a control character', parsesList, '"a\u0001", "b"', { kind: 'tags', tags: [tag('b')] });
test('drops a star inside a list', parsesList, '*, "a"', { kind: 'tags', tags: [tag('a')] });

// RFC 9110 §8.8.3.2's comparison table.
const comparisons: Array<[string, string, boolean, boolean]> = [
  ['W/"1"', 'W/"1"', false, true],
  ['W/"1"', 'W/"2"', false, false],
  ['W/"1"', '"1"', false, true],
  ['"1"', '"1"', true, true],
];
for (const [a, b, strong, weak] of comparisons) {
  test(`matchStrong and matchWeak follow RFC 9110 §8.8.3.2 for ${a} vs ${b}`, (t) => {
    const x = parseEntityTag(a)!;
    const y = parseEntityTag(b)!;
    t.is(matchStrong(x, y), strong);
    t.is(matchStrong(y, x), strong);
    t.is(matchWeak(x, y), weak);
    t.is(matchWeak(y, x), weak);
  });
}

test('matchEtagList matches a star against anything', (t) => {
  t.true(matchEtagList({ kind: 'any' }, tag('x', true), matchStrong));
});

test('matchEtagList finds a member anywhere in the list', (t) => {
  const list = parseEtagList('"a", "b", "c"');
  t.true(matchEtagList(list, tag('c'), matchStrong));
  t.false(matchEtagList(list, tag('d'), matchStrong));
  t.false(matchEtagList(parseEtagList(''), tag('a'), matchWeak));
});

test('suffixEtag keeps weakness and quoting', (t) => {
  t.is(suffixEtag('W/"1-2"', 'br'), 'W/"1-2-br"');
  t.is(suffixEtag('"1-2"', 'gzip'), '"1-2-gzip"');
  t.deepEqual(parseEntityTag(suffixEtag('W/"1-2"', 'br')), tag('1-2-br', true));
});
