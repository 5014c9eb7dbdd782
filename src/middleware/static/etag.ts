// Entity tags (RFC 9110 §8.8.3): parse If-Match/If-None-Match/If-Range values and compare them strong or weak.
// Key decision: opaque-tags keep their quotes, so every comparison is one string compare. Files' ETags are made by
// makeEtag in src/server/file-info-cache.ts (the server layer must not import middleware).

/** One parsed entity-tag: `opaque` keeps its quotes, so comparing opaque tags is a string compare. */
export interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** A parsed If-Match / If-None-Match value: `*`, or a list of tags (malformed members dropped). */
export type EtagList = { kind: 'any' } | { kind: 'tags'; tags: EntityTag[] };

/** Derive the ETag of an encoded variant (e.g. the .br sibling) so it never equals the identity's (RFC 9110 §8.8.3). */
export function suffixEtag(etag: string, suffix: string): string {
  return `${etag.slice(0, -1)}-${suffix}"`;
}

/** Parse one entity-tag; null unless it is exactly `[W/]"etagc*"`. */
export function parseEntityTag(value: string): EntityTag | null {
  const weak = value.startsWith('W/');
  const opaque = weak ? value.slice(2) : value;
  if (opaque.length < 2 || opaque.charCodeAt(0) !== 0x22 || opaque.charCodeAt(opaque.length - 1) !== 0x22) return null;
  for (let i = 1; i < opaque.length - 1; i++) {
    // etagc = %x21 / %x23-7E / obs-text
    const c = opaque.charCodeAt(i);
    if (c === 0x22 || c < 0x21 || c === 0x7f || c > 0xff) return null;
  }
  return { weak, opaque };
}

/** Parse `*` or a comma-separated entity-tag list (RFC 9110 §13.1.1; empty members allowed by §5.6.1). */
export function parseEtagList(value: string): EtagList {
  if (value.trim() === '*') return { kind: 'any' };
  const tags: EntityTag[] = [];
  // Scan rather than split: etagc includes ',' so a comma may sit inside an opaque-tag.
  let i = 0;
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x2c) { i++; continue; }
    const open = value.startsWith('W/', i) ? i + 2 : i;
    const close = value.charCodeAt(open) === 0x22 ? value.indexOf('"', open + 1) : -1;
    const tag = close === -1 ? null : parseEntityTag(value.slice(i, close + 1));
    let next = close === -1 ? i : close + 1;
    while (value.charCodeAt(next) === 0x20 || value.charCodeAt(next) === 0x09) next++;
    if (tag !== null && (next === value.length || value.charCodeAt(next) === 0x2c)) tags.push(tag);
    // A malformed member is dropped up to the next comma.
    else if (next < value.length && value.charCodeAt(next) !== 0x2c) next = skipMember(value, next);
    i = next;
  }
  return { kind: 'tags', tags };
}

function skipMember(value: string, from: number): number {
  const comma = value.indexOf(',', from);
  return comma === -1 ? value.length : comma;
}

/** Strong comparison (RFC 9110 §8.8.3.2): neither weak and the opaque tags are identical. */
export function matchStrong(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque;
}

/** Weak comparison (RFC 9110 §8.8.3.2): the opaque tags are identical, weakness ignored. */
export function matchWeak(a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque;
}

/** Does a parsed list match the current ETag under the given comparison? `*` matches any current representation. */
export function matchEtagList(list: EtagList, current: EntityTag, compare: (a: EntityTag, b: EntityTag) => boolean): boolean {
  if (list.kind === 'any') return true;
  for (const tag of list.tags) if (compare(tag, current)) return true;
  return false;
}
