// Sends one Response by kind: bytes (head and small body in one corked write), a file (send + sendfile), a streamed
// Source framed by its declared length, chunked (HTTP/1.1) or by closing (HTTP/1.0), or the 101 head of an upgrade.
import type { Connection } from './connection.js';
import { ConnectionError } from './connection-error.js';
import { hasConnectionOption } from './connection-header.js';
import type { Engine } from './engine.js';
import { planFile, sendFile, SMALL_FILE_BYTES, smallFileBody } from './file-sender.js';
import type { RequestHead } from './request-head.js';
import { bodyWriter, engineHeaders, writeFramedHead, writeHead, type Framing } from './response-writer.js';
import type { Response, ResponseHeaders, UpgradeResponse } from './types.js';

const NOT_FOUND = Buffer.from('Not Found\n', 'latin1');
const UNAVAILABLE = Buffer.from('Service Unavailable: out of file descriptors, retry shortly\n', 'latin1');

/** Whether `x` is a Response the engine can send (checked before anything goes out). Four comparisons, not a Set:
 *  this runs per request, and a Set lookup is a builtin call with hashing. */
export function isResponse(x: unknown): x is Response {
  if (typeof x !== 'object' || x === null) return false;
  const kind = (x as { kind?: unknown }).kind;
  return kind === 'bytes' || kind === 'file' || kind === 'stream' || kind === 'upgrade';
}

/** Names what an app returned instead of a Response, for the error message. */
export function describeNonResponse(x: unknown): string {
  return x === null ? 'null' : typeof x === 'object' ? 'an object without a valid kind' : typeof x;
}

/** The app asked to close (RFC 9112 §9.6: a server that sends `close` must close after the response). */
export function appCloses(headers: ResponseHeaders): boolean {
  for (const name in headers) {
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    const v = headers[name];
    const values = typeof v === 'string' ? [v] : Array.isArray(v) ? (v as readonly string[]) : [];
    return values.some((value) => hasConnectionOption(value, 'close'));
  }
  return false;
}

/** Whether a streamed response must be framed by closing the connection (HTTP/1.0, unknown length; RFC 9112 §6.3). */
export function closeDelimited(res: Response, head: RequestHead): boolean {
  return res.kind === 'stream' && res.length === null && head.versionMinor === 0 && head.method !== 'HEAD' && hasBody(res.status);
}

/** Whether opening a file failed because the process (EMFILE) or the system (ENFILE) has no descriptor left. */
export function isOutOfDescriptors(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return code === 'EMFILE' || code === 'ENFILE';
}

/** RFC 9110 §6.4.1: 1xx, 204 and 304 responses have no content. */
function hasBody(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

/** Writes the response; resolves to the body bytes written. Synchronous when it could go out at once. */
export function sendResponse(engine: Engine, conn: Connection, head: RequestHead, res: Response, keepAlive: boolean): number | Promise<number> {
  const status = res.status;
  const bodiless = !hasBody(status);
  const noBody = bodiless || head.method === 'HEAD';
  const http10 = head.versionMinor === 0;
  if (res.kind === 'bytes') {
    const len = res.body.length;
    writeFramedHead(engine, conn, status, res.headers, bodiless ? -1 : len, false, !keepAlive, http10, noBody || len === 0 ? null : res.body);
    return noBody ? 0 : len;
  }
  if (res.kind === 'file') return sendFileResponse(engine, conn, res, keepAlive, noBody, http10);
  if (res.kind === 'upgrade') return sendSwitchingProtocols(engine, conn, res);
  // A streamed body: framed by its declared length, else chunked (HTTP/1.1), else ended by closing (HTTP/1.0).
  const framing: Framing = noBody ? { kind: 'length', length: 0 }
    : res.length !== null ? { kind: 'length', length: res.length }
      : !http10 ? { kind: 'chunked' } : { kind: 'close' };
  const close = !keepAlive || framing.kind === 'close';
  writeFramedHead(engine, conn, status, res.headers, bodiless ? -1 : res.length ?? -1, framing.kind === 'chunked', close, http10, null);
  // HEAD and bodiless statuses never run the body Source: nothing is acquired, so nothing needs releasing.
  if (noBody) return 0;
  return res.body.run(bodyWriter(engine, conn, framing), { signal: conn.signal });
}

function sendFileResponse(
  engine: Engine, conn: Connection, res: Extract<Response, { kind: 'file' }>, keepAlive: boolean, noBody: boolean, http10: boolean,
): number | Promise<number> {
  const status = res.status;
  let plan: ReturnType<typeof planFile>;
  try {
    plan = planFile(engine.files, res.path, res.range);
  } catch (e) {
    // Out of descriptors: nothing is committed yet, so answer 503 with Retry-After (as nginx does) and keep the
    // connection, rather than drop it; any other failure to open is the app's error.
    if (!isOutOfDescriptors(e)) throw e;
    const headers = { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' };
    writeHead(engine, conn, 503, headers, engineHeaders(engine, UNAVAILABLE.length, false, !keepAlive, http10), noBody ? null : UNAVAILABLE);
    return noBody ? 0 : UNAVAILABLE.length;
  }
  if (plan === null) {
    writeHead(engine, conn, 404, { 'content-type': 'text/plain; charset=utf-8' }, engineHeaders(engine, NOT_FOUND.length, false, !keepAlive, http10), noBody ? null : NOT_FOUND);
    return noBody ? 0 : NOT_FOUND.length;
  }
  if (plan.info.size <= SMALL_FILE_BYTES) {
    const small = noBody ? null : smallFileBody(plan);
    plan.lease.release();
    if (small !== null || noBody) {
      const len = plan.range.end - plan.range.start;
      writeFramedHead(engine, conn, status, res.headers, len, false, !keepAlive, http10, noBody || len === 0 ? null : small);
      return noBody ? 0 : len;
    }
    throw new ConnectionError('FILE_TRUNCATED', `${plan.info.path} shrank while being read`);
  }
  return sendFile(engine, conn, plan, status, res.headers, !keepAlive, noBody, http10);
}

/**
 * The 101 head: the app's fields (Upgrade among them) plus `connection: upgrade`, no framing fields (RFC 9110 §7.8,
 * §15.2.2). What follows on the connection belongs to the new protocol.
 */
function sendSwitchingProtocols(engine: Engine, conn: Connection, res: UpgradeResponse): number {
  const headers: Record<string, string | number | readonly string[]> = {};
  for (const name in res.headers) if (name.length !== 10 || name.toLowerCase() !== 'connection') headers[name] = res.headers[name]!;
  headers.connection = 'upgrade';
  writeHead(engine, conn, 101, headers, engineHeaders(engine, -1, false, false, false), null);
  return 0;
}
