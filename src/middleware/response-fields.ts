// Reading and editing a Response's header fields (names are lower-case by convention, but apps may not comply).
// Key decision: edits copy the record, never mutate it: an app may reuse one headers object for every response.
import type { ResponseHeaders } from '../server/index.js';

/** A field's value as one string (a list joined with ', ', RFC 9110 §5.3), or undefined when absent. */
export function fieldValue(headers: ResponseHeaders, name: string): string | undefined {
  const key = fieldKey(headers, name);
  if (key === undefined) return undefined;
  const v = headers[key]!;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v.join(', ');
}

/** The key under which `name` (lower-case) is stored, matched case-insensitively. */
export function fieldKey(headers: ResponseHeaders, name: string): string | undefined {
  if (Object.hasOwn(headers, name)) return name;
  for (const key in headers) if (key.length === name.length && key.toLowerCase() === name) return key;
  return undefined;
}

/** Whether a comma-separated field value lists `token` (case-insensitive), e.g. `no-transform` in Cache-Control. */
export function listsToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const member of value.split(',')) {
    const m = member.trim().toLowerCase();
    // Cache-Control members may carry `=value`; compare the name only.
    const eq = m.indexOf('=');
    if ((eq < 0 ? m : m.slice(0, eq).trimEnd()) === token) return true;
  }
  return false;
}

/** The Vary value with `accept-encoding` added unless it is already there or the value is `*` (RFC 9110 §12.5.5). */
export function varyWithAcceptEncoding(vary: string | undefined): string {
  if (vary === undefined || vary.trim() === '') return 'Accept-Encoding';
  if (listsToken(vary, 'accept-encoding') || listsToken(vary, '*')) return vary;
  return `${vary}, Accept-Encoding`;
}

/** A weak version of an entity-tag (RFC 9110 §8.8.3: the encoded bytes differ, so strong equality no longer holds). */
export function weakenEtag(etag: string): string {
  return etag.startsWith('W/') ? etag : `W/${etag}`;
}

/** Which fields to change: a value sets (replacing any case variant), null removes. */
export type FieldEdits = Readonly<Record<string, string | null>>;

/** A copy of `headers` with the edits applied (names in `edits` are lower-case). */
export function editFields(headers: ResponseHeaders, edits: FieldEdits): ResponseHeaders {
  const out: Record<string, string | number | readonly string[]> = {};
  for (const key in headers) {
    const lower = key.toLowerCase();
    if (!Object.hasOwn(edits, lower)) out[key] = headers[key]!;
  }
  for (const name in edits) {
    const v = edits[name]!;
    if (v !== null) out[name] = v;
  }
  return out;
}
