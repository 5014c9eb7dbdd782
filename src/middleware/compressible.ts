// Which media types are worth compressing. Key decision: a short allow-list by family (text/*, JSON, XML,
// JavaScript, SVG, wasm, a few uncompressed binary formats) rather than mime-db's table; anything unknown,
// images, audio, video and archives are left alone, since deflating compressed bytes costs CPU and saves nothing.

/** Media types (lower-case, no parameters) that compress well beyond the text/*, +json, +xml families. */
export const COMPRESSIBLE_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/x-ndjson',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/xml',
  'application/xhtml+xml',
  'application/wasm',
  'application/graphql',
  'application/x-www-form-urlencoded',
  'application/rtf',
  'application/x-sh',
  'application/x-tar',
  'application/vnd.ms-fontobject',
  'application/x-font-ttf',
  'application/postscript',
  'font/ttf',
  'font/otf',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
]);

/** Subtypes under text/ that are not worth it (or not text at all). */
const INCOMPRESSIBLE_TEXT: ReadonlySet<string> = new Set(['text/x-gzip']);

/**
 * Whether a Content-Type names a compressible format. `text/*` (including text/event-stream), `+json`, `+xml` and
 * `+text` suffixes (RFC 6839) and COMPRESSIBLE_TYPES count; a missing or unknown type does not.
 */
export function isCompressible(contentType: string | null | undefined): boolean {
  if (contentType === undefined || contentType === null) return false;
  const semi = contentType.indexOf(';');
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type.startsWith('text/')) return !INCOMPRESSIBLE_TEXT.has(type);
  if (COMPRESSIBLE_TYPES.has(type)) return true;
  return type.endsWith('+json') || type.endsWith('+xml') || type.endsWith('+text');
}
