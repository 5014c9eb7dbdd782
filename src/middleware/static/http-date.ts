// HTTP-date (RFC 9110 §5.6.7): format IMF-fixdate, parse all three accepted forms strictly.
// Key decision: a value that is not exactly one valid HTTP-date parses to null, so callers can "ignore" it as §13.1 requires.

/** Length of an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. */
export const HTTP_DATE_LENGTH = 29;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// RFC 9110 §5.6.7: IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
// obsolete rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT, date2 = day "-" month "-" 2DIGIT
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
// obsolete asctime-date = day-name SP date3 SP time-of-day SP year, date3 = month SP ( 2DIGIT / ( SP DIGIT ) )
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** Render epoch milliseconds as an IMF-fixdate (sub-second part dropped). */
export function formatHttpDate(ms: number): string {
  // ECMA-262 pins toUTCString to exactly the IMF-fixdate layout.
  return new Date(ms).toUTCString();
}

/** Parse an HTTP-date in any of the three RFC 9110 forms to epoch ms; null when it is not exactly one valid date. */
export function parseHttpDate(value: string, nowMs: number = Date.now()): number | null {
  let m = IMF_FIXDATE.exec(value);
  if (m !== null) return composeDate(Number(m[3]), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  m = RFC850_DATE.exec(value);
  if (m !== null) return composeDate(expandTwoDigitYear(Number(m[3]), nowMs), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  m = ASCTIME_DATE.exec(value);
  if (m !== null) return composeDate(Number(m[6]), m[1]!, m[2]!.trim(), m[3]!, m[4]!, m[5]!);
  return null;
}

/** Truncate epoch ms to whole seconds, the resolution Last-Modified can carry. */
export function truncateToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

// RFC 9110 §5.6.7: a two-digit year more than 50 years in the future means the most recent past year with those digits.
function expandTwoDigitYear(twoDigits: number, nowMs: number): number {
  const thisYear = new Date(nowMs).getUTCFullYear();
  let year = thisYear - (thisYear % 100) + twoDigits;
  if (year > thisYear + 50) year -= 100;
  return year;
}

function composeDate(year: number, month: string, day: string, h: string, mi: string, s: string): number | null {
  const monthIndex = MONTHS.indexOf(month);
  const d = Number(day);
  const hours = Number(h);
  const minutes = Number(mi);
  // RFC 9110 §5.6.7 allows second 60 (leap second); Date cannot represent it, so it rolls into the next minute.
  const seconds = Number(s);
  if (hours > 23 || minutes > 59 || seconds > 60 || d < 1) return null;
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 onto 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, d);
  // It silently rolls 31 Feb into March; reject days past the month's end.
  if (date.getUTCDate() !== d) return null;
  return date.setUTCHours(hours, minutes, seconds, 0);
}
