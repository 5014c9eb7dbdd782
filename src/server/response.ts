// Response constructors: the small public surface apps use to answer. Bodies are bytes, strings, Sources or files.
import { Source } from '../conduit/index.js';
import type { BodySource, FileRange, Response, ResponseHeaders, UpgradedIO } from './types.js';

const EMPTY = new Uint8Array(0);

/** A body as the app may give it. */
export type BodyInit = string | Uint8Array | BodySource | null | undefined;

/**
 * A response: `respond(200, { 'content-type': 'text/plain' }, 'Hello')`. A Source body is streamed (framed by a
 * `content-length` header when the app sets one, else chunked); strings are sent as UTF-8.
 */
export function respond(status: number, headers: ResponseHeaders = {}, body?: BodyInit): Response {
  if (body instanceof Source) return { kind: 'stream', status, headers, body, length: declaredLength(headers) };
  if (body === undefined || body === null) return { kind: 'bytes', status, headers, body: EMPTY };
  if (typeof body === 'string') return { kind: 'bytes', status, headers, body: Buffer.from(body, 'utf8') };
  return { kind: 'bytes', status, headers, body };
}

/** A streamed response from a Source of chunks and Flush markers. */
respond.stream = function stream(status: number, headers: ResponseHeaders, body: BodySource): Response {
  return { kind: 'stream', status, headers, body, length: declaredLength(headers) };
};

/** A file response, sent with sendfile (optionally a byte range, end exclusive; the app sets status 206 itself). */
respond.file = function file(path: string, options: { status?: number; headers?: ResponseHeaders; range?: FileRange } = {}): Response {
  return { kind: 'file', status: options.status ?? 200, headers: options.headers ?? {}, path, range: options.range ?? null };
};

/**
 * A 101 that hands the connection to another protocol (RFC 9110 §7.8): the head carries `headers` (Upgrade among
 * them) and `connection: upgrade`; then `run(io)` gets the rest of the connection. It closes when run settles.
 */
respond.upgrade = function upgrade(headers: ResponseHeaders, run: (io: UpgradedIO) => void | Promise<void>): Response {
  return { kind: 'upgrade', status: 101, headers, run };
};

/** A plain-text response (`text/plain; charset=utf-8`). */
respond.text = function text(status: number, body: string, headers: ResponseHeaders = {}): Response {
  return respond(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }, body);
};

/** A JSON response (`application/json`). */
respond.json = function json(status: number, value: unknown, headers: ResponseHeaders = {}): Response {
  return respond(status, { 'content-type': 'application/json', ...headers }, JSON.stringify(value));
};

/** The app-declared Content-Length of a streamed body, or null (then the engine frames it). */
export function declaredLength(headers: ResponseHeaders): number | null {
  for (const name in headers) {
    if (name.length !== 14 || name.toLowerCase() !== 'content-length') continue;
    const v = headers[name];
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`content-length must be a non-negative integer, got ${String(v)}`);
    return n;
  }
  return null;
}
