// Conditional requests (RFC 9110 §13): evaluate If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and
// If-Range in the §13.2.2 order. Key decision: pure function of header strings and the file's validators, no I/O.

import { matchEtagList, matchStrong, matchWeak, parseEntityTag, parseEtagList, type EntityTag } from './etag.js';
import { parseHttpDate, truncateToSecond } from './http-date.js';

/** The request fields preconditions read; absent headers are undefined (repeated ones joined with ", "). */
export interface ConditionalRequest {
  method: string;
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
  ifRange?: string | undefined;
  range?: string | undefined;
}

/** The selected representation's validators: its ETag and modification time. */
export interface Validators {
  etag: string;
  mtimeMs: number;
}

/** What to do: serve (with or without honouring Range), 304, or 412. */
export type ConditionalOutcome =
  | { kind: 'proceed'; honourRange: boolean }
  | { kind: 'not-modified' }
  | { kind: 'precondition-failed' };

const NOT_MODIFIED: ConditionalOutcome = { kind: 'not-modified' };
const PRECONDITION_FAILED: ConditionalOutcome = { kind: 'precondition-failed' };
const PROCEED_WITH_RANGE: ConditionalOutcome = { kind: 'proceed', honourRange: true };
const PROCEED_WITHOUT_RANGE: ConditionalOutcome = { kind: 'proceed', honourRange: false };

/** Evaluate a request's preconditions against a file's validators in RFC 9110 §13.2.2 precedence. */
export function evaluateConditionals(req: ConditionalRequest, info: Validators): ConditionalOutcome {
  const isGetOrHead = req.method === 'GET' || req.method === 'HEAD';
  // Last-Modified is sent with whole seconds, so every date comparison uses that resolution.
  const lastModified = truncateToSecond(info.mtimeMs);
  let current: EntityTag | null = null;

  // §13.2.2 step 1: If-Match false -> 412.
  if (req.ifMatch !== undefined) {
    current = parseEntityTag(info.etag);
    // §13.1.1: `*` matches any current representation; tags compare strongly, so a weak current ETag never matches.
    if (!matchesList(req.ifMatch, current, matchStrong)) return PRECONDITION_FAILED;
  } else if (req.ifUnmodifiedSince !== undefined) {
    // §13.2.2 step 2, only without If-Match; §13.1.4: an invalid date is ignored.
    const since = parseHttpDate(req.ifUnmodifiedSince);
    if (since !== null && lastModified > since) return PRECONDITION_FAILED;
  }

  // §13.2.2 step 3: If-None-Match false -> 304 for GET/HEAD, else 412.
  if (req.ifNoneMatch !== undefined) {
    // Hot path: a revalidating client usually echoes exactly the ETag we sent.
    // §13.1.2: weak comparison; `*` matches any current representation.
    if (req.ifNoneMatch === info.etag || matchesList(req.ifNoneMatch, current ?? parseEntityTag(info.etag), matchWeak)) {
      return isGetOrHead ? NOT_MODIFIED : PRECONDITION_FAILED;
    }
  } else if (isGetOrHead && req.ifModifiedSince !== undefined) {
    // §13.2.2 step 4: only for GET/HEAD and only without If-None-Match; §13.1.3: an invalid date is ignored.
    const since = parseHttpDate(req.ifModifiedSince);
    if (since !== null && lastModified <= since) return NOT_MODIFIED;
  }

  // §13.2.2 step 5 and §14.2: Range is defined for GET only; If-Range is ignored without a Range.
  if (req.method !== 'GET' || req.range === undefined) return PROCEED_WITHOUT_RANGE;
  if (req.ifRange === undefined) return PROCEED_WITH_RANGE;
  return evaluateIfRange(req.ifRange, info.etag, lastModified) ? PROCEED_WITH_RANGE : PROCEED_WITHOUT_RANGE;
}

function matchesList(header: string, current: EntityTag | null, compare: (a: EntityTag, b: EntityTag) => boolean): boolean {
  const list = parseEtagList(header);
  return list.kind === 'any' || (current !== null && matchEtagList(list, current, compare));
}

// RFC 9110 §13.1.5: an entity-tag must match strongly; a date must equal Last-Modified exactly; anything else is false.
function evaluateIfRange(value: string, etag: string, lastModified: number): boolean {
  const trimmed = value.trim();
  // §13.1.5: a DQUOTE (or W/ prefix) in the first three characters marks an entity-tag rather than an HTTP-date.
  if (trimmed.startsWith('"') || trimmed.startsWith('W/"')) {
    const tag = parseEntityTag(trimmed);
    const current = parseEntityTag(etag);
    return tag !== null && current !== null && matchStrong(tag, current);
  }
  return parseHttpDate(trimmed) === lastModified;
}
