// Tests for Accept-Encoding parsing and content-coding negotiation (RFC 9110 §12.5.3, §12.4.2).
import test from 'ava';
import { createNegotiator, negotiateEncoding, NEGOTIATION_CACHE_SIZE, parseAcceptEncoding, weightOf, type EncodingChoice } from '../../src/middleware/accept-encoding.js';

const parse = test.macro((t, value: string, expected: Array<[string, number]>) => {
  t.deepEqual(parseAcceptEncoding(value).map((m) => [m.coding, m.q]), expected);
});

test('parseAcceptEncoding reads a plain list', parse, 'gzip, deflate, br', [['gzip', 1], ['deflate', 1], ['br', 1]]);
test('parseAcceptEncoding reads q-values', parse, 'gzip;q=0.5, br;q=1.0, *;q=0', [['gzip', 0.5], ['br', 1], ['*', 0]]);
test('parseAcceptEncoding tolerates whitespace around ; and =', parse, ' gzip ; q = 0.8 ,br', [['gzip', 0.8], ['br', 1]]);
test('parseAcceptEncoding lower-cases codings and Q', parse, 'GZip;Q=0.3', [['gzip', 0.3]]);
test('parseAcceptEncoding maps x-gzip to gzip', parse, 'x-gzip', [['gzip', 1]]);
test('parseAcceptEncoding skips empty list members', parse, ',, gzip ,,', [['gzip', 1]]);
test('parseAcceptEncoding drops a member with a malformed qvalue', parse, 'gzip;q=2, br;q=0.5555, deflate;q=abc, zstd;q=0.001', [['zstd', 0.001]]);
test('parseAcceptEncoding drops a member that is not a token', parse, 'g zip, "br", gzip', [['gzip', 1]]);
test('parseAcceptEncoding ignores parameters other than q', parse, 'gzip;level=9;q=0.2', [['gzip', 0.2]]);
test('parseAcceptEncoding accepts q=0. and q=1.000', parse, 'gzip;q=0., br;q=1.000', [['gzip', 0], ['br', 1]]);
test('parseAcceptEncoding gives an empty value no members', parse, '', []);

test('weightOf prefers the coding\'s own member, then *, then the fallback', (t) => {
  const members = parseAcceptEncoding('*;q=0.2, gzip;q=0.7');
  t.is(weightOf(members, 'gzip', 9), 0.7);
  t.is(weightOf(members, 'br', 9), 0.2);
  t.is(weightOf([], 'br', 9), 9);
});

const CODING = (coding: string): EncodingChoice => ({ kind: 'coding', coding });
const IDENTITY: EncodingChoice = { kind: 'identity' };
const NONE: EncodingChoice = { kind: 'none-acceptable' };

const negotiate = test.macro({
  exec(t, header: string | undefined, available: string[], expected: EncodingChoice) {
    t.deepEqual(negotiateEncoding(header, available), expected);
  },
  title: (provided = '', header: string | undefined, available: string[]) => `negotiateEncoding ${provided}: ${JSON.stringify(header)} over ${available.join(',')}`,
});

test('no header means identity', negotiate, undefined, ['gzip'], IDENTITY);
test('an empty header means identity only', negotiate, '', ['gzip', 'br'], IDENTITY);
test('picks the only acceptable coding', negotiate, 'gzip', ['gzip', 'br'], CODING('gzip'));
test('ties go to the server order', negotiate, 'gzip, deflate, br', ['gzip', 'br'], CODING('gzip'));
test('ties go to the server order (br first)', negotiate, 'gzip, deflate, br', ['br', 'gzip'], CODING('br'));
test('the higher q wins over server order', negotiate, 'gzip;q=0.5, br', ['gzip', 'br'], CODING('br'));
test('q=0 refuses a coding', negotiate, 'gzip;q=0, br;q=0.1', ['gzip', 'br'], CODING('br'));
test('gzip;q=0 with nothing else means identity', negotiate, 'gzip;q=0', ['gzip'], IDENTITY);
test('* covers unlisted codings', negotiate, '*', ['gzip'], CODING('gzip'));
test('*;q=0 with an explicit coding keeps that coding', negotiate, 'br, *;q=0', ['gzip', 'br'], CODING('br'));
test('*;q=0 alone refuses everything, identity too', negotiate, '*;q=0', ['gzip'], NONE);
test('*;q=0 with identity listed keeps identity', negotiate, '*;q=0, identity', ['gzip'], IDENTITY);
test('identity;q=0 with no usable coding is none-acceptable', negotiate, 'identity;q=0, zstd', ['gzip'], NONE);
test('identity;q=0 with gzip picks gzip', negotiate, 'identity;q=0, gzip', ['gzip'], CODING('gzip'));
test('a listed identity with a higher q beats gzip', negotiate, 'gzip;q=0.5, identity;q=1', ['gzip'], IDENTITY);
test('an unlisted identity never beats a low-q coding', negotiate, 'gzip;q=0.3', ['gzip'], CODING('gzip'));
test('an equal-q listed identity loses to the coding', negotiate, 'identity, gzip', ['gzip'], CODING('gzip'));
test('unknown codings are ignored', negotiate, 'zstd, compress', ['gzip'], IDENTITY);
test('x-gzip selects gzip', negotiate, 'x-gzip', ['gzip'], CODING('gzip'));
test('the first of duplicate members wins', negotiate, 'gzip;q=0, gzip', ['gzip'], IDENTITY);

test('createNegotiator answers like negotiateEncoding and remembers values', (t) => {
  const n = createNegotiator(['gzip', 'br']);
  for (const h of [undefined, null, '', 'gzip', 'br;q=1, gzip;q=0.9', '*;q=0', 'gzip']) {
    t.deepEqual(n(h), negotiateEncoding(h, ['gzip', 'br']));
  }
  t.is(n('gzip'), n('gzip')); // memoised: the same object
});

test('createNegotiator stays correct after its memo fills', (t) => {
  const n = createNegotiator(['gzip']);
  for (let i = 0; i <= NEGOTIATION_CACHE_SIZE + 5; i++) t.deepEqual(n(`gzip;q=0.${i % 10}, x${i}`), negotiateEncoding(`gzip;q=0.${i % 10}, x${i}`, ['gzip']));
});
