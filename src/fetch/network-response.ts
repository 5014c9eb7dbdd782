// A Response that came from fetch() and is returned as the answer (`return fetch(upstream)`): Sluice forwards it, so
// it drops what described the upstream hop rather than this one. undici has decoded the content codings it knows
// while keeping the upstream's Content-Encoding and Content-Length (Fetch: headers stay as received), so the decoded
// bytes go out without them, chunked (Bun.serve does the same: oven-sh/bun#35546; @hono/node-server#121 is the bug
// this avoids). Connection and the fields it names, Keep-Alive, Proxy-Connection, TE and Upgrade belong to the
// upstream connection (RFC 9110 §7.6.1) and are not repeated on this one.
import * as zlib from 'node:zlib';
import type { ResponseHeaders } from '../server/index.js';

/** The codings undici's fetch decodes (lib/web/fetch onHeaders); zstd only where zlib has a decoder for it. */
const DECODED = new Set(['gzip', 'x-gzip', 'deflate', 'br']);
if (typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function') DECODED.add('zstd');

/** RFC 9110 §7.6.1: fields that only describe the connection they arrived on. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade'];

/** Whether a Response state is a network response (fetch()'s, or a clone of one): its URL list is not empty. */
export function isNetworkResponse(state: { readonly urlList?: readonly unknown[] }): boolean {
  return Array.isArray(state.urlList) && state.urlList.length > 0;
}

/** Whether undici decoded a body sent with this Content-Encoding: every listed coding is one it decodes. */
export function wasDecoded(contentEncoding: unknown): boolean {
  if (typeof contentEncoding !== 'string') return false;
  const codings = contentEncoding.toLowerCase().split(',');
  return codings.every((coding) => DECODED.has(coding.trim()));
}

/**
 * Drops from a fresh header record (`headers`, the adapter's own copy) what described the upstream hop: the hop-by-hop
 * fields, and Content-Encoding and Content-Length when undici decoded the body. True when the body was decoded.
 */
export function forwardNetworkHeaders(record: ResponseHeaders): boolean {
  const headers = record as Record<string, string | number | readonly string[]>;
  const connection = headers.connection;
  if (typeof connection === 'string') {
    for (const option of connection.toLowerCase().split(',')) delete headers[option.trim()];
  }
  for (const name of HOP_BY_HOP) delete headers[name];
  if (!wasDecoded(headers['content-encoding'])) return false;
  delete headers['content-encoding'];
  delete headers['content-length'];
  return true;
}
