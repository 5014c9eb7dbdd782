// Accept header reading for the static app: HTML named, taken through a wildcard, or refused; JSON preferred or not.
import test from 'ava';
import { htmlAcceptance, parseAccept, prefersJson, weightOf } from '../../../src/middleware/static/accept.js';

test('parseAccept reads ranges and weights, dropping malformed members and bad qvalues', (t) => {
  t.deepEqual(parseAccept('text/html;level=1;q=0.5, */*;Q=0.1, bogus, /x, text/ , application/json;q=2'), [
    { type: 'text', subtype: 'html', q: 0.5 },
    { type: '*', subtype: '*', q: 0.1 },
    { type: 'application', subtype: 'json', q: 0 },
  ]);
});

test('weightOf uses the most specific matching range (RFC 9110 §12.5.1)', (t) => {
  const ranges = parseAccept('text/*;q=0.3, text/html;q=0.7, */*;q=0.5');
  t.is(weightOf(ranges, 'text', 'html'), 0.7);
  t.is(weightOf(ranges, 'text', 'plain'), 0.3);
  t.is(weightOf(ranges, 'image', 'png'), 0.5);
  t.is(weightOf(parseAccept('text/html'), 'image', 'png'), 0);
});

const acceptance = test.macro({
  exec(t, accept: string | undefined, expected: string) {
    t.is(htmlAcceptance(accept) as string, expected);
  },
  title: (_, accept: string | undefined, expected: string) => `htmlAcceptance(${JSON.stringify(accept)}) is ${expected}`,
});
test(acceptance, 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'explicit');
test(acceptance, '*/*', 'wildcard');
test(acceptance, undefined, 'wildcard');
test(acceptance, 'text/*', 'wildcard');
test(acceptance, 'image/avif,image/webp,*/*;q=0.8', 'wildcard');
test(acceptance, 'application/json', 'none');
test(acceptance, 'text/html;q=0, */*', 'none');

test('prefersJson only when JSON outweighs HTML', (t) => {
  t.true(prefersJson('application/json'));
  t.true(prefersJson('application/json, text/html;q=0.5'));
  t.false(prefersJson('text/html, application/json'));
  t.false(prefersJson('*/*'));
  t.false(prefersJson(undefined));
  t.false(prefersJson('application/json;q=0'));
});
