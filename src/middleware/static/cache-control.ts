// Cache-Control for static files (RFC 9111 §5.2.2): none by default (revalidation with ETag and Last-Modified), a
// max-age, `immutable` (RFC 8246), and `immutable` for content-hashed names only. Key decision: the values are composed
// once at construction; per request the only work is a name test, and only when immutableHashed is on.
import { OptionError } from '../../server/index.js';

/** The caching options of staticFiles(). */
export interface CacheControlOptions {
  /** Cache-Control: a number is `public, max-age=N` (seconds), a string is sent as is. Prefer maxAge/immutable. Default: none. */
  cacheControl?: number | string;
  /** `public, max-age=N` on every file (seconds). Default: no Cache-Control, so caches revalidate with ETag / Last-Modified. */
  maxAge?: number;
  /** Add `immutable` (RFC 8246): the file never changes at this URL. Without maxAge it implies a year. Default false. */
  immutable?: boolean;
  /** Content-hashed names (app.3f9a1c2b.js, index-B2x9Lk0q.js) get `public, max-age=31536000, immutable`; others keep the default. Default false. */
  immutableHashed?: boolean;
}

/** One year, the longest max-age caches are asked to honour (RFC 9111 §1.2.2 suggests at most 2^31 s; a year is the convention). */
export const ONE_YEAR_SECONDS = 31_536_000;

/** The Cache-Control sent for a content-hashed file name. */
export const IMMUTABLE_CACHE_CONTROL = `public, max-age=${ONE_YEAR_SECONDS}, immutable`;

/** The composed values: for every file, and for hashed names (null: like every file). */
export interface ComposedCacheControl {
  readonly normal: string | null;
  readonly hashed: string | null;
}

/** Compose the Cache-Control values once; throws OptionError for a bad or contradictory combination. */
export function composeCacheControl(options: CacheControlOptions): ComposedCacheControl {
  const { cacheControl, maxAge, immutable, immutableHashed } = options;
  for (const [key, value] of [['immutable', immutable], ['immutableHashed', immutableHashed]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw invalid(key, `static option ${key} must be true or false, got ${JSON.stringify(value)}`);
  }
  const hashed = immutableHashed === true ? IMMUTABLE_CACHE_CONTROL : null;
  if (cacheControl !== undefined) {
    if (maxAge !== undefined || immutable === true) throw invalid('cacheControl', 'static option cacheControl cannot be combined with maxAge or immutable: pick one');
    return { normal: formatCacheControl(cacheControl), hashed };
  }
  if (maxAge !== undefined) checkSeconds('maxAge', maxAge);
  if (maxAge === undefined && immutable !== true) return { normal: null, hashed };
  const seconds = maxAge ?? ONE_YEAR_SECONDS;
  return { normal: `public, max-age=${seconds}${immutable === true ? ', immutable' : ''}`, hashed };
}

/** The Cache-Control value for the cacheControl option: a max-age in seconds, a literal directive list, or none. */
export function formatCacheControl(value: number | string | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value === 'number') {
    checkSeconds('cacheControl', value);
    return `public, max-age=${value}`;
  }
  if (typeof value !== 'string' || value === '' || /[\r\n\0]/.test(value)) throw invalid('cacheControl', 'static option cacheControl must be a non-empty header value');
  return value;
}

// A hash segment before the extension, after '.', '-' or '_': 8-32 letters and digits with at least one of each (hex
// from webpack/esbuild, base64url from Rollup/Vite). Requiring a digit keeps `index-homepage.js` and `myWidget.js` out;
// a hash without one is missed, which only costs a revalidation.
const HASHED_NAME = /[._-]([A-Za-z0-9]{8,32})\.[A-Za-z0-9]{1,10}(?:\.(?:br|gz))?$/;

/** Whether a file name carries a content hash (app.3f9a1c2b.js, chunk-B2x9LK0Q.css). */
export function isHashedName(path: string): boolean {
  const m = HASHED_NAME.exec(path.slice(path.lastIndexOf('/') + 1));
  if (m === null) return false;
  const token = m[1]!;
  return /[0-9]/.test(token) && /[A-Za-z]/.test(token);
}

/** The Cache-Control for one file under resolved options. */
export function cacheControlFor(path: string, normal: string | null, hashed: string | null): string | null {
  return hashed !== null && isHashedName(path) ? hashed : normal;
}

// RFC 9111 §1.2.2: delta-seconds is a non-negative integer.
function checkSeconds(key: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(key, `static option ${key} must be a non-negative integer (seconds), got ${JSON.stringify(value)}`);
  }
}

function invalid(key: string, message: string): OptionError {
  return new OptionError('INVALID_OPTION', key, message);
}
