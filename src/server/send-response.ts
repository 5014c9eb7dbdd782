// Sends one Response: bytes (head and small body in one corked write), a file (send + sendfile), or a streamed Source
// framed by its declared length, chunked (HTTP/1.1) or by closing (HTTP/1.0).
import type { Connection } from './connection.js';
import { hasConnectionOption } from './connection-header.js';
import type { Engine } from './http1.js';
import { planFile, sendFile, SMALL_FILE_BYTES, smallFileBody } from './file-sender.js';
import type { RequestHead } from './request-head.js';
import { bodyWriter, engineHeaders, writeHead, type Framing } from './response-writer.js';
import type { Response, ResponseHeaders } from './types.js';

const NOT_FOUND = Buffer.from('Not Found\n', 'latin1');

/** What sending a response did: body bytes written, and whether the connection may stay open. */
export interface Sent {
  readonly bytes: number;
  readonly keepAlive: boolean;
}


const RESPONSE_KINDS: ReadonlySet<unknown> = new Set(['bytes', 'stream', 'file']);

export function isResponse(x: unknown): x is Response {
  return typeof x === 'object' && x !== null && RESPONSE_KINDS.has((x as { kind?: unknown }).kind);
}

export function describe(x: unknown): string {
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

/** Writes the response; synchronous when it could go out at once, else a promise. */
export function sendResponse(engine: Engine, conn: Connection, head: RequestHead, res: Response, keepAlive: boolean): Sent | Promise<Sent> {
  const status = res.status;
  // RFC 9110 §6.4.1: no content in responses to HEAD, or with 1xx, 204 or 304.
  const bodiless = status < 200 || status === 204 || status === 304;
  const noBody = bodiless || head.method === 'HEAD';
  if (res.kind === 'bytes') {
    const len = res.body.length;
    writeHead(engine, conn, status, res.headers, engineHeaders(engine, bodiless ? -1 : len, false, !keepAlive, head.versionMinor === 0), noBody || len === 0 ? null : res.body);
    return { bytes: noBody ? 0 : len, keepAlive };
  }
  if (res.kind === 'file') {
    const plan = planFile(engine.files, res.path, res.range);
    if (plan === null) {
      writeHead(engine, conn, 404, { 'content-type': 'text/plain; charset=utf-8' }, engineHeaders(engine, NOT_FOUND.length, false, !keepAlive, head.versionMinor === 0), noBody ? null : NOT_FOUND);
      return { bytes: noBody ? 0 : NOT_FOUND.length, keepAlive };
    }
    if (plan.info.size <= SMALL_FILE_BYTES) {
      const small = noBody ? null : smallFileBody(plan);
      plan.lease.release();
      if (small !== null || noBody) {
        const len = plan.range.end - plan.range.start;
        writeHead(engine, conn, status, res.headers, engineHeaders(engine, len, false, !keepAlive, head.versionMinor === 0), noBody || len === 0 ? null : small);
        return { bytes: noBody ? 0 : len, keepAlive };
      }
      throw Object.assign(new Error(`${plan.info.path} shrank while being read`), { code: 'FILE_TRUNCATED' });
    }
    return sendFile(engine, conn, plan, status, res.headers, !keepAlive, noBody, head.versionMinor === 0).then((bytes) => ({ bytes, keepAlive }));
  }
  // A streamed body: framed by its declared length, else chunked (HTTP/1.1), else ended by closing (HTTP/1.0).
  const framing: Framing = noBody ? { kind: 'length', length: 0 }
    : res.length !== null ? { kind: 'length', length: res.length }
      : head.versionMinor === 1 ? { kind: 'chunked' } : { kind: 'close' };
  const close = !keepAlive || framing.kind === 'close';
  writeHead(engine, conn, status, res.headers,
    engineHeaders(engine, bodiless ? -1 : res.length ?? -1, framing.kind === 'chunked', close, head.versionMinor === 0), null);
  // HEAD and bodiless statuses never run the body Source: nothing is acquired, so nothing needs releasing.
  if (noBody) return { bytes: 0, keepAlive: !close };
  const r = res.body.run(bodyWriter(engine, conn, framing), { signal: conn.signal });
  if (typeof r === 'number') return { bytes: r, keepAlive: !close };
  return r.then((bytes) => ({ bytes, keepAlive: !close }));
}
