// The CLI's access log: one line per completed request from the engine's Settings.logger hook (exact status and body
// bytes, after sending), in the Combined Log Format or as JSON lines. Key decision: lines are buffered and appended
// (O_APPEND), so several worker processes can share one file without tearing each other's lines.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { RequestLog } from '../server/settings.js';

/** Where access log lines go: an open sink with a close that flushes. */
export interface AccessLog {
  readonly log: (entry: RequestLog) => void;
  close(): Promise<void>;
}

/** How one line is written. */
export type AccessLogFormat = 'combined' | 'json';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Open an access log on a file (appending) or on stdout ('-'). */
export function openAccessLog(destination: string, format: AccessLogFormat): AccessLog {
  const render = format === 'json' ? formatJsonLine : formatCombinedLine;
  if (destination === '-') {
    return { log: (entry) => void process.stdout.write(render(entry, new Date())), close: () => Promise.resolve() };
  }
  const stream: WriteStream = createWriteStream(destination, { flags: 'a' });
  // An unwritable log must not crash the server; report once and keep serving.
  let failed = false;
  stream.on('error', (err) => {
    if (!failed) console.error(`sluice: access log ${destination}: ${err.message}`);
    failed = true;
  });
  return {
    log: (entry) => {
      if (!failed) stream.write(render(entry, new Date()));
    },
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}

/** One Combined Log Format line: `host - - [time] "request" status bytes "referer" "user-agent"`. */
export function formatCombinedLine(entry: RequestLog, now: Date): string {
  const req = entry.request;
  const host = stripPort(req.remoteAddress) ?? '-';
  const line = `${req.method} ${req.target} HTTP/${req.httpVersion}`;
  // Apache logs "-" for a zero-byte body in %b.
  const bytes = entry.bytes === 0 ? '-' : String(entry.bytes);
  return `${host} - - [${formatClfTime(now)}] "${escapeField(line)}" ${entry.status} ${bytes} ` +
    `"${escapeField(req.head.referer ?? '-')}" "${escapeField(req.head.userAgent ?? '-')}"\n`;
}

/** One JSON line with the same facts plus the duration. */
export function formatJsonLine(entry: RequestLog, now: Date): string {
  const req = entry.request;
  return JSON.stringify({
    time: now.toISOString(),
    remote: stripPort(req.remoteAddress),
    method: req.method,
    target: req.target,
    version: req.httpVersion,
    status: entry.status,
    bytes: entry.bytes,
    durationMs: entry.durationMs,
    referer: req.head.referer,
    userAgent: req.head.userAgent,
  }) + '\n';
}

/** `10/Oct/2000:13:55:36 +0000` (the CLF %t, in UTC). */
export function formatClfTime(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** 'ip:port' -> 'ip', '[ip6]:port' -> 'ip6'. */
export function stripPort(address: string | null): string | null {
  if (address === null) return null;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    return close === -1 ? address : address.slice(1, close);
  }
  const colon = address.lastIndexOf(':');
  return colon === -1 ? address : address.slice(0, colon);
}

// Header values are latin1 and may hold '"' or obs-text: escape them as Apache does, so a line stays one parseable line.
function escapeField(value: string): string {
  return value.replace(/["\\\x00-\x1f\x7f-\xff]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
