// Access-log line formats: Combined Log Format (Apache/nginx `combined`) and JSON lines. Key decisions: times are
// UTC (one timestamp string per second, cached), and every request-controlled string is escaped, so a client can
// never forge a line (CR/LF, quotes and non-printables become \xHH, as Apache does).

/** What one access-log line says about one request. */
export interface LogEntry {
  /** When the request head was complete (ms since the epoch). */
  readonly time: number;
  /** Peer address 'ip:port' / '[ip6]:port', or null. */
  readonly remoteAddress: string | null;
  readonly method: string;
  readonly target: string;
  readonly httpVersion: string;
  readonly status: number;
  /** Body bytes sent (framing excluded). */
  readonly bytes: number;
  readonly durationMs: number;
  readonly referer: string | null;
  readonly userAgent: string | null;
}

/** A line format: a built-in name, or a function returning one line (without the newline). */
export type LogFormat = 'combined' | 'json' | ((entry: LogEntry) => string);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let cachedSecond = -1;
let cachedClfTime = '';

/** CLF's `%t` in UTC: `10/Oct/2000:13:55:36 +0000` (hot path: rendered once per second). */
export function formatClfTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === cachedSecond) return cachedClfTime;
  const d = new Date(second * 1000);
  const text = `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]!}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:` +
    `${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
  cachedSecond = second;
  cachedClfTime = text;
  return text;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The host part of 'ip:port' / '[ip6]:port' ('-' when unknown). */
export function hostOf(remoteAddress: string | null): string {
  if (remoteAddress === null || remoteAddress === '') return '-';
  if (remoteAddress.startsWith('[')) {
    const close = remoteAddress.indexOf(']');
    return close < 0 ? remoteAddress : remoteAddress.slice(1, close);
  }
  const colon = remoteAddress.lastIndexOf(':');
  // More than one colon without brackets is a bare IPv6 address.
  return colon < 0 || remoteAddress.indexOf(':') !== colon ? remoteAddress : remoteAddress.slice(0, colon);
}

// Printable ASCII other than '"' and '\\' passes; everything else (controls, DEL, non-ASCII) is \xHH per UTF-16 unit
// below 0x100 and \uHHHH above, so the line stays one line of ASCII.
const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\uffff]/;
const ESCAPES = /["\\\x00-\x1f\x7f-\uffff]/g;

/** A request-controlled string made safe for a quoted CLF field. */
export function escapeClf(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPES, (c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** One Combined Log Format line: `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`. */
export function formatCombined(e: LogEntry): string {
  const request = escapeClf(`${e.method} ${e.target} HTTP/${e.httpVersion}`);
  const bytes = e.bytes === 0 ? '-' : String(e.bytes);
  return `${hostOf(e.remoteAddress)} - - [${formatClfTime(e.time)}] "${request}" ${e.status} ${bytes} ` +
    `"${e.referer === null ? '-' : escapeClf(e.referer)}" "${e.userAgent === null ? '-' : escapeClf(e.userAgent)}"`;
}

/** One JSON line (JSON.stringify escapes everything a client could inject). */
export function formatJson(e: LogEntry): string {
  return JSON.stringify({
    time: new Date(e.time).toISOString(),
    remote: hostOf(e.remoteAddress),
    method: e.method,
    target: e.target,
    version: e.httpVersion,
    status: e.status,
    bytes: e.bytes,
    durationMs: e.durationMs,
    referer: e.referer,
    userAgent: e.userAgent,
  });
}

/** The line function for a format. */
export function formatterOf(format: LogFormat): (entry: LogEntry) => string {
  return format === 'combined' ? formatCombined : format === 'json' ? formatJson : format;
}
