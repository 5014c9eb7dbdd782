// Cached Date header value (RFC 9110 §6.6.1): rendered lazily, at most once per second. A one-shot unref'd timer
// marks it stale at the next second boundary, so the hot path reads one field and calls no clock; idle costs nothing.

/** Bytes in an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`. */
export const DATE_VALUE_LENGTH = 29;

/** Runs `fn` once after `ms`; must not keep the process alive. */
export type ScheduleOnce = (fn: () => void, ms: number) => void;

const scheduleUnref: ScheduleOnce = (fn, ms) => {
  setTimeout(fn, ms).unref();
};

/** Holds the current Date value as a string and as latin1 bytes; both are replaced, never mutated, on re-render. */
export class DateCache {
  private value = '';
  private data: Uint8Array = new Uint8Array(0);
  private stale = true;
  private readonly markStale = (): void => {
    this.stale = true;
  };

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly schedule: ScheduleOnce = scheduleUnref,
  ) {}

  /** The current IMF-fixdate string. */
  now(): string {
    if (this.stale) this.render();
    return this.value;
  }

  /** The current value as 29 latin1 bytes; safe to keep (a new array is made each second). */
  bytes(): Uint8Array {
    if (this.stale) this.render();
    return this.data;
  }

  private render(): void {
    const t = this.clock();
    this.value = formatHttpDate(t);
    this.data = Buffer.from(this.value, 'latin1');
    this.stale = false;
    this.schedule(this.markStale, 1000 - (((t % 1000) + 1000) % 1000));
  }
}

/** Formats epoch milliseconds as an IMF-fixdate (RFC 9110 §5.6.7); V8's toUTCString already is one for years 0-9999. */
export function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)';
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d\\d) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d\\d)-${MONTH}-(\\d\\d) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Parses an HTTP-date in any of the three RFC 9110 §5.6.7 formats to epoch ms; null when invalid.
 * Not on the per-request hot path (conditional requests only), so clarity wins over speed here.
 */
export function parseHttpDate(value: string, nowMs: number = Date.now()): number | null {
  let m = IMF_FIXDATE.exec(value);
  if (m !== null) return toEpoch(+m[3]!, m[2]!, +m[1]!, m[4]!, m[5]!, m[6]!);
  m = RFC850_DATE.exec(value);
  if (m !== null) {
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future means the most recent past such year.
    let year = 2000 + +m[3]!;
    if (year > new Date(nowMs).getUTCFullYear() + 50) year -= 100;
    return toEpoch(year, m[2]!, +m[1]!, m[4]!, m[5]!, m[6]!);
  }
  m = ASCTIME_DATE.exec(value);
  if (m !== null) return toEpoch(+m[6]!, m[1]!, +m[2]!.trim(), m[3]!, m[4]!, m[5]!);
  return null;
}

function toEpoch(year: number, month: string, day: number, h: string, min: string, sec: string): number | null {
  // RFC 9110 §5.6.7 allows second 60 (a leap second); Date cannot hold it, so it rolls into the next minute.
  if (sec === '60') {
    const before = toEpoch(year, month, day, h, min, '59');
    return before === null ? null : before + 1000;
  }
  const mon = MONTHS.indexOf(month) / 3;
  const d = new Date(0);
  d.setUTCFullYear(year, mon, day); // not Date.UTC: it maps years 0-99 to 1900-1999
  d.setUTCHours(+h, +min, +sec, 0);
  const ms = d.getTime();
  // Rejects impossible calendar values (Feb 30, 25:00) that Date.UTC would silently roll over; 60 s leap seconds too.
  if (d.getUTCDate() !== day || d.getUTCHours() !== +h || d.getUTCMinutes() !== +min || d.getUTCSeconds() !== +sec) return null;
  return ms;
}
