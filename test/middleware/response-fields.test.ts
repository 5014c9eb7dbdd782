// Tests for response header reading and copying edits.
import test from 'ava';
import { editFields, fieldKey, fieldValue, listsToken, varyWithAcceptEncoding, weakenEtag } from '../../src/middleware/response-fields.js';

test('fieldValue finds a field in any case and joins lists', (t) => {
  t.is(fieldValue({ 'Content-Type': 'text/plain' }, 'content-type'), 'text/plain');
  t.is(fieldValue({ 'content-length': 12 }, 'content-length'), '12');
  t.is(fieldValue({ vary: ['a', 'b'] }, 'vary'), 'a, b');
  t.is(fieldValue({}, 'vary'), undefined);
  t.is(fieldKey({ VARY: 'x' }, 'vary'), 'VARY');
});

test('listsToken matches list members by name, case-insensitively', (t) => {
  t.true(listsToken('public, NO-TRANSFORM', 'no-transform'));
  t.true(listsToken('max-age=60 , no-transform=x', 'no-transform'));
  t.false(listsToken('no-transformer', 'no-transform'));
  t.false(listsToken(undefined, 'no-transform'));
});

test('varyWithAcceptEncoding adds, extends or keeps', (t) => {
  t.is(varyWithAcceptEncoding(undefined), 'Accept-Encoding');
  t.is(varyWithAcceptEncoding(' '), 'Accept-Encoding');
  t.is(varyWithAcceptEncoding('Origin'), 'Origin, Accept-Encoding');
  t.is(varyWithAcceptEncoding('origin, ACCEPT-ENCODING'), 'origin, ACCEPT-ENCODING');
  t.is(varyWithAcceptEncoding('*'), '*');
});

test('weakenEtag prefixes W/ once', (t) => {
  t.is(weakenEtag('"a"'), 'W/"a"');
  t.is(weakenEtag('W/"a"'), 'W/"a"');
});

test('editFields copies, replaces case variants and removes', (t) => {
  const original = { 'Content-Length': 5, ETag: '"a"', 'x-keep': 'y' };
  const edited = editFields(original, { 'content-length': null, etag: 'W/"a"', 'content-encoding': 'gzip' });
  t.deepEqual(edited, { 'x-keep': 'y', etag: 'W/"a"', 'content-encoding': 'gzip' });
  t.deepEqual(original, { 'Content-Length': 5, ETag: '"a"', 'x-keep': 'y' });
});
