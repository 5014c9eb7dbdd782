// The response for one regular file: pick the representation (identity or a precompressed sibling), label it, then
// apply RFC 9110 preconditions (§13.2.2) and ranges (§14). Key decision: everything is computed synchronously from one
// cached FileInfo, the same object the engine's sendfile path looks up in the same tick, so head and bytes agree.

import {
  type FileCaches,
  makeEtag,
  type EtagStrength,
  type FileInfo,
  type Request,
  respond,
  type Response,
} from '../../server/index.js';
import { cacheControlFor } from './cache-control.js';
import { evaluateConditionals, type ConditionalOutcome } from './conditionals.js';
import { suffixEtag } from './etag.js';
import { contentTypeOf, selectPrecompressed } from './mime.js';
import { streamBodyParts } from './multipart.js';
import { composeByteranges, formatContentRange, formatUnsatisfiedRange, parseRange } from './ranges.js';
import type { ResolvedStaticOptions } from './static-options.js';

/** The bytes to send for a request: the file itself or an encoded sibling, with its validators. */
export interface Representation {
  readonly info: FileInfo;
  readonly etag: string;
  /** The Content-Encoding of a precompressed sibling, or null for the file itself. */
  readonly coding: string | null;
}

/** Choose the file or its best acceptable precompressed sibling (when enabled), with the ETag to send. */
export function selectRepresentation(req: Request, info: FileInfo, caches: FileCaches, options: ResolvedStaticOptions): Representation {
  if (options.precompressed) {
    // A sibling that is a symlink is skipped, except under symlinks: 'follow', where links are the user's choice.
    const files = options.symlinks === 'follow' ? { get: (p: string) => caches.info.get(p), realpath: (p: string) => p } : caches.info;
    const choice = selectPrecompressed(info.path, req.head.acceptEncoding ?? undefined, files);
    if (choice.kind === 'encoded') {
      const sibling = caches.info.get(choice.path);
      // selectPrecompressed just stat'ed it through the same cache, so this is a hit; re-check the kind regardless.
      if (sibling !== null && sibling.kind === 'file') {
        // RFC 9110 §8.8.3: an encoded variant needs its own tag, never the identity's.
        return { info: sibling, etag: suffixEtag(etagOf(sibling, options.etag), choice.coding), coding: choice.coding };
      }
    }
  }
  return { info, etag: etagOf(info, options.etag), coding: null };
}

/** The file's ETag in the wanted strength; the cache's precomputed tag when it already has that strength. */
export function etagOf(info: FileInfo, strength: EtagStrength): string {
  const cachedIsWeak = info.etag.startsWith('W/');
  if (cachedIsWeak === (strength === 'weak')) return info.etag;
  return makeEtag(info, strength);
}

/**
 * Make sure the fd cache holds an fd for exactly `info`, so a later sendfile of the same cached FileInfo finds it.
 * Returns `info`, or the file's current info when it was replaced since the stat (the stale entry is dropped), or
 * null when there is no longer a regular file there.
 */
export function pinFile(caches: FileCaches, info: FileInfo): FileInfo | null {
  let current = info;
  for (let attempt = 0; attempt < 2; attempt++) {
    const lease = caches.fds.acquire(current);
    if (lease !== null) {
      lease.release();
      return current;
    }
    const fresh = caches.info.get(current.path);
    if (fresh === null || fresh.kind !== 'file') return null;
    current = fresh;
  }
  return null;
}

const GONE = respond.text(404, 'Not Found\n');
/** Adds the fields a 200 and a 304 share (RFC 9110 §15.4.5) to `headers`, in the order they are sent. */
function validatorsOf(etag: string, file: FileInfo, path: string, options: ResolvedStaticOptions, headers: Record<string, string>): Record<string, string> {
  headers.etag = etag;
  headers['last-modified'] = file.lastModified;
  // The name asked for decides (a hashed asset name is immutable), not a precompressed sibling's.
  const cacheControl = cacheControlFor(path, options.cacheControl, options.hashedCacheControl);
  if (cacheControl !== null) headers['cache-control'] = cacheControl;
  // RFC 9110 §12.5.5: the answer depends on Accept-Encoding whenever siblings may be chosen, identity included.
  if (options.precompressed) headers.vary = 'Accept-Encoding';
  return headers;
}

/** What evaluateConditionals answers for a request without preconditions or Range (RFC 9110 §13.2.2). */
const PLAIN: ConditionalOutcome = { kind: 'proceed', honourRange: false };

/** The full response for a GET or HEAD of the regular file `info` (already path-checked). */
export function respondWithFile(req: Request, info: FileInfo, caches: FileCaches, options: ResolvedStaticOptions): Response {
  return respondWithVersion(req, info, caches, options, true);
}

// The caches are exact (a change is applied before the request after it is served), so HEAD, conditional and
// single-range requests use the FileInfo as it is and cost what a plain GET costs; the engine leases the fd of that
// very version when it sends. Only a multipart body, read after its head has gone out, pins its fd here.
function respondWithVersion(req: Request, info: FileInfo, caches: FileCaches, options: ResolvedStaticOptions, retry: boolean): Response {
  const head = req.head;
  const rep = selectRepresentation(req, info, caches, options);
  const file = rep.info;
  // A plain GET or HEAD has no precondition to evaluate: skip building the request's view of them.
  const conditional = head.ifMatch !== null || head.ifNoneMatch !== null || head.ifModifiedSince !== null
    || head.ifUnmodifiedSince !== null || head.range !== null;
  const outcome = !conditional ? PLAIN : evaluateConditionals({
    method: head.method,
    ifMatch: head.ifMatch ?? undefined,
    ifNoneMatch: head.ifNoneMatch ?? undefined,
    ifModifiedSince: head.ifModifiedSince ?? undefined,
    ifUnmodifiedSince: head.ifUnmodifiedSince ?? undefined,
    ifRange: head.ifRange ?? undefined,
    range: head.range ?? undefined,
  }, { etag: rep.etag, mtimeMs: file.mtimeMs });
  // RFC 9110 §15.4.5: a 304 carries the validators and caching fields a 200 would, and no representation body.
  if (outcome.kind === 'not-modified') return respond(304, validatorsOf(rep.etag, file, info.path, options, {}));
  if (outcome.kind === 'precondition-failed') return respond.text(412, 'Precondition Failed\n');

  // The type is that of the original name (file.css.gz is still text/css), RFC 9110 §8.4.
  const contentType = contentTypeOf(info.path);
  const headers = validatorsOf(rep.etag, file, info.path, options, { 'content-type': contentType });
  headers['accept-ranges'] = 'bytes';
  if (rep.coding !== null) headers['content-encoding'] = rep.coding;
  if (!outcome.honourRange) return respond.file(file.path, { headers });

  const ranges = parseRange(head.range ?? undefined, file.size);
  if (ranges.kind === 'none') return respond.file(file.path, { headers });
  if (ranges.kind === 'unsatisfiable') {
    // RFC 9110 §15.5.17: a 416 says the current length in Content-Range: bytes */length.
    return respond.text(416, 'Range Not Satisfiable\n', { 'content-range': formatUnsatisfiedRange(file.size), 'accept-ranges': 'bytes' });
  }
  if (ranges.ranges.length === 1) {
    const only = ranges.ranges[0]!;
    headers['content-range'] = formatContentRange(only, file.size);
    return respond.file(file.path, { status: 206, headers, range: { start: only.start, end: only.end + 1 } });
  }
  // The parts are read when the body runs, after the head went out: pin the fd of the version the head describes. A
  // file replaced since its stat (a change racing this request) is looked up again, once.
  if (pinFile(caches, file) !== file) {
    const current = caches.info.get(info.path);
    if (!retry || current === null || current.kind !== 'file') return GONE;
    return respondWithVersion(req, current, caches, options, false);
  }
  // RFC 9110 §14.6: several ranges go out as multipart/byteranges, each part labelled with the representation's type.
  const body = composeByteranges(ranges.ranges, file.size, contentType);
  headers['content-type'] = body.contentType;
  headers['content-length'] = String(body.length);
  return respond.stream(206, headers, streamBodyParts(file, body.parts, caches.fds));
}
