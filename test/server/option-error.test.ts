// Typed option errors: the nearest known key for a misspelling, and the edit distance behind it.
import test from 'ava';
import { checkKnownKeys, editDistance, nearestKey, OptionError } from '../../src/server/option-error.js';

const KNOWN = ['port', 'host', 'idleTimeoutMs', 'headerTimeoutMs', 'cleanUrls', 'maxAge'];

test('nearestKey finds case slips, transpositions, dropped letters and dashed spellings', (t) => {
  t.is(nearestKey('idleTimeoutMS', KNOWN), 'idleTimeoutMs');
  t.is(nearestKey('prot', KNOWN), 'port');
  t.is(nearestKey('hots', KNOWN), 'host');
  t.is(nearestKey('clean-urls', KNOWN), 'cleanUrls');
  t.is(nearestKey('max_age', KNOWN), 'maxAge');
  t.is(nearestKey('headerTimeout', KNOWN), 'headerTimeoutMs');
});

test('nearestKey suggests nothing for a key far from every known one', (t) => {
  t.is(nearestKey('compression', KNOWN), null);
  t.is(nearestKey('x', KNOWN), null);
});

test('editDistance counts insertions, deletions, substitutions and adjacent transpositions', (t) => {
  t.is(editDistance('', ''), 0);
  t.is(editDistance('abc', ''), 3);
  t.is(editDistance('kitten', 'sitting'), 3);
  t.is(editDistance('ab', 'ba'), 1);
  t.is(editDistance('port', 'prot'), 1);
});

test('checkKnownKeys throws UNKNOWN_OPTION for the first unknown key and passes known ones', (t) => {
  t.notThrows(() => checkKnownKeys('setting', { port: 1, host: '' }, KNOWN));
  const e = t.throws(() => checkKnownKeys('setting', { port: 1, prot: 2 }, KNOWN), { instanceOf: OptionError });
  t.like(e, { code: 'UNKNOWN_OPTION', key: 'prot', suggestion: 'port', name: 'OptionError' });
});
