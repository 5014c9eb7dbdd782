// Options of the static file app, with their defaults resolved once at construction (never per request).
// Key decision: option errors are TypeErrors naming the option, thrown when the app is built, not when it serves.

import type { EtagStrength } from '../../server/file-info-cache.js';
import type { FileCaches } from '../../server/file-caches.js';

/** What staticFiles() / serveStatic() accept; every field is optional. */
export interface StaticOptions {
  /** File served for a directory request ending in '/'; false serves none (404). Default 'index.html'. */
  index?: string | false;
  /** 'deny' (default) answers 404 for any path segment starting with '.', except /.well-known/ (RFC 8615). */
  dotfiles?: 'deny' | 'allow';
  /** 'weak' W/"size-mtime" (default) or 'strong' "ino-size-mtime" ETags (RFC 9110 §8.8.3). */
  etag?: EtagStrength;
  /** Serve file.br / file.gz siblings when Accept-Encoding allows (adds Vary: Accept-Encoding). Default false. */
  precompressed?: boolean;
  /** Cache-Control: a number is `public, max-age=N` (seconds), a string is sent as is. Default: none. */
  cacheControl?: number | string;
  /** serveStatic only: pass 404s and non-GET/HEAD requests to the wrapped app. Default true. */
  fallthrough?: boolean;
  /** The stat and fd caches. Default: the process-wide ones, which the engine's sendfile path also uses; pass others only in tests (head and body would then come from different stats). */
  caches?: FileCaches;
}

/** StaticOptions with every default filled in. */
export interface ResolvedStaticOptions {
  readonly index: string | null;
  readonly hideDotfiles: boolean;
  readonly etag: EtagStrength;
  readonly precompressed: boolean;
  readonly cacheControl: string | null;
  readonly fallthrough: boolean;
}

/** Fill in defaults and check values; a bad value is a TypeError naming the option. */
export function resolveStaticOptions(options: StaticOptions = {}): ResolvedStaticOptions {
  const index = options.index ?? 'index.html';
  if (index !== false && (typeof index !== 'string' || index === '' || /[/\\\0]/.test(index) || index.startsWith('.'))) {
    throw new TypeError(`static option index must be a plain file name or false, got ${JSON.stringify(index)}`);
  }
  const dotfiles = options.dotfiles ?? 'deny';
  if (dotfiles !== 'deny' && dotfiles !== 'allow') throw new TypeError(`static option dotfiles must be 'deny' or 'allow', got ${String(dotfiles)}`);
  const etag = options.etag ?? 'weak';
  if (etag !== 'weak' && etag !== 'strong') throw new TypeError(`static option etag must be 'weak' or 'strong', got ${String(etag)}`);
  return {
    index: index === false ? null : index,
    hideDotfiles: dotfiles === 'deny',
    etag,
    precompressed: options.precompressed === true,
    cacheControl: formatCacheControl(options.cacheControl),
    fallthrough: options.fallthrough ?? true,
  };
}

/** The Cache-Control value for an option: a max-age in seconds, a literal directive list, or none. */
export function formatCacheControl(value: number | string | undefined): string | null {
  if (value === undefined) return null;
  if (typeof value === 'number') {
    // RFC 9111 §1.2.2: delta-seconds is a non-negative integer.
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`static option cacheControl must be a non-negative integer, got ${value}`);
    return `public, max-age=${value}`;
  }
  if (value === '' || /[\r\n\0]/.test(value)) throw new TypeError('static option cacheControl must be a non-empty header value');
  return value;
}
