// Tests for HTTP-date formatting and parsing (RFC 9110 §5.6.7).
import test from 'ava';
import { HTTP_DATE_LENGTH, formatHttpDate, parseHttpDate, truncateToSecond } from '../../../src/middleware/static/http-date.js';

const SUNDAY = Date.UTC(1994, 10, 6, 8, 49, 37);
const NOW = Date.UTC(2025, 0, 1);

test('formatHttpDate writes an IMF-fixdate and drops milliseconds', (t) => {
  const value = formatHttpDate(SUNDAY + 999);
  t.is(value, 'Sun, 06 Nov 1994 08:49:37 GMT');
  t.is(value.length, HTTP_DATE_LENGTH);
});

const parses = test.macro({
  exec(t, value: string, expected: number | null) {
    t.is(parseHttpDate(value, NOW), expected);
  },
  title: (provided, value) => `parseHttpDate ${provided ?? ''} (${JSON.stringify(value)})`,
});

test('reads IMF-fixdate', parses, 'Sun, 06 Nov 1994 08:49:37 GMT', SUNDAY);
test('reads obsolete RFC 850 dates', parses, 'Sunday, 06-Nov-94 08:49:37 GMT', SUNDAY);
test('reads asctime dates with a space-padded day', parses, 'Sun Nov  6 08:49:37 1994', SUNDAY);
test('reads asctime dates with a two-digit day', parses, 'Thu Nov 10 08:49:37 1994', Date.UTC(1994, 10, 10, 8, 49, 37));
test('reads RFC 850 years within 50 years ahead as this century', parses, 'Monday, 01-Jan-60 00:00:00 GMT', Date.UTC(2060, 0, 1));
test('reads RFC 850 years beyond 50 years ahead as last century', parses, 'Saturday, 01-Jan-76 00:00:00 GMT', Date.UTC(1976, 0, 1));
test('rolls a leap second into the next minute', parses, 'Sat, 31 Dec 2016 23:59:60 GMT', Date.UTC(2017, 0, 1));
test('keeps four-digit years below 100 literal', parses, 'Sun, 06 Nov 0094 08:49:37 GMT', (() => {
  const d = new Date(0);
  d.setUTCFullYear(94, 10, 6);
  return d.setUTCHours(8, 49, 37, 0);
})());
test('rejects an empty string', parses, '', null);
test('rejects a list of dates', parses, 'Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT', null);
test('rejects a zone other than GMT', parses, 'Sun, 06 Nov 1994 08:49:37 UTC', null);
test('rejects lower-case month names', parses, 'Sun, 06 nov 1994 08:49:37 GMT', null);
test('rejects a single-digit IMF day', parses, 'Sun, 6 Nov 1994 08:49:37 GMT', null);
test('rejects an hour of 24', parses, 'Sun, 06 Nov 1994 24:00:00 GMT', null);
test('rejects minute 60', parses, 'Sun, 06 Nov 1994 08:60:00 GMT', null);
test('rejects second 61', parses, 'Sun, 06 Nov 1994 08:49:61 GMT', null);
test('rejects day 0', parses, 'Sun, 00 Nov 1994 08:49:37 GMT', null);
test('rejects 31 February', parses, 'Sun, 31 Feb 1994 08:49:37 GMT', null);
test('rejects trailing garbage', parses, 'Sun, 06 Nov 1994 08:49:37 GMTx', null);
test('rejects a bare number', parses, '784111777', null);

test('parseHttpDate defaults the RFC 850 century to the current clock', (t) => {
  const year = new Date().getUTCFullYear() % 100;
  const two = String(year).padStart(2, '0');
  const parsed = parseHttpDate(`Monday, 01-Jan-${two} 00:00:00 GMT`);
  t.is(parsed === null ? null : new Date(parsed).getUTCFullYear(), new Date().getUTCFullYear());
});

test('parseHttpDate inverts formatHttpDate at second resolution', (t) => {
  for (const ms of [0, SUNDAY, NOW + 123_456_789, Date.UTC(2038, 0, 19, 3, 14, 8)]) {
    t.is(parseHttpDate(formatHttpDate(ms)), truncateToSecond(ms));
  }
});

test('truncateToSecond floors to a whole second', (t) => {
  t.is(truncateToSecond(1999), 1000);
  t.is(truncateToSecond(2000), 2000);
});
