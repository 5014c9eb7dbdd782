// Options of the static file app, with their defaults resolved once at construction (never per request).
// Key decision: option errors are OptionErrors (TypeErrors) naming the option, thrown when the app is built, and an
// unknown key is one of them (with the nearest known key), so a misspelling never silently leaves a default in force.

import { type EtagStrength, type FileCaches, checkKnownKeys, OptionError } from '../../server/index.js';
import { composeCacheControl, type CacheControlOptions } from './cache-control.js';

/** What a request for a dotfile gets: 404 ('ignore'), 403 ('deny'), or the file ('allow'). */
export type DotfilePolicy = 'ignore' | 'deny' | 'allow';

/** Which symlinks are followed: any ('follow'), those whose target stays under the root ('within'), none ('deny'). */
export type SymlinkPolicy = 'follow' | 'within' | 'deny';

/** What staticFiles() / serveStatic() accept; every field is optional. */
export interface StaticOptions extends CacheControlOptions {
  /** File served for a directory request ending in '/'; false serves none. Default 'index.html'. */
  index?: string | false;
  /** A path segment starting with '.': 'ignore' (default) answers 404, 'deny' 403, 'allow' serves it. /.well-known/ is always served (RFC 8615). */
  dotfiles?: DotfilePolicy;
  /** 'within' (default) follows a symlink only when its target stays under the root; 'follow' follows any; 'deny' none (404). */
  symlinks?: SymlinkPolicy;
  /** 'weak' W/"size-mtime" (default) or 'strong' "ino-size-mtime" ETags (RFC 9110 §8.8.3). */
  etag?: EtagStrength;
  /** Serve file.br / file.gz siblings when Accept-Encoding allows (adds Vary: Accept-Encoding). Default false. */
  precompressed?: boolean;
  /** A directory without an index gets an HTML listing (JSON for `Accept: application/json`). Default false: the not-found page. */
  listing?: boolean;
  /** SPA fallback: a GET/HEAD for a missing path that accepts HTML gets this file (true: the index file) with 200. Default off. */
  single?: boolean | string;
  /** `/about` serves about.html, and `/about.html` redirects (308) to `/about`. Default false. */
  cleanUrls?: boolean;
  /** The page sent with a 404 (a path under the root, or absolute); used when present. false: a plain-text 404. Default '404.html'. */
  notFound?: string | false;
  /** serveStatic only: pass 404s and non-GET/HEAD requests to the wrapped app. Default true. */
  fallthrough?: boolean;
  /** The stat and fd caches. Default: the process-wide ones, which the engine's sendfile path also uses; pass others only in tests (head and body would then come from different stats). */
  caches?: FileCaches;
}

/** StaticOptions with every default filled in. */
export interface ResolvedStaticOptions {
  readonly index: string | null;
  readonly dotfiles: DotfilePolicy;
  readonly symlinks: SymlinkPolicy;
  readonly etag: EtagStrength;
  readonly precompressed: boolean;
  /** Cache-Control for files, or null for none (revalidation with ETag and Last-Modified). */
  readonly cacheControl: string | null;
  /** Cache-Control for content-hashed names (immutableHashed), or null to treat them like any file. */
  readonly hashedCacheControl: string | null;
  readonly listing: boolean;
  /** The SPA fallback file, relative to the root, or null. */
  readonly single: string | null;
  readonly cleanUrls: boolean;
  /** The not-found page, relative to the root or absolute, or null. */
  readonly notFound: string | null;
  /** Whether `notFound` was named explicitly (it must then exist) rather than left at the default. */
  readonly notFoundExplicit: boolean;
  readonly fallthrough: boolean;
}

/** Every key StaticOptions has. */
export const STATIC_OPTION_KEYS: readonly string[] = [
  'index', 'dotfiles', 'symlinks', 'etag', 'precompressed', 'cacheControl', 'maxAge', 'immutable', 'immutableHashed',
  'listing', 'single', 'cleanUrls', 'notFound', 'fallthrough', 'caches',
];

/** The not-found page used when present, as `serve` does. */
export const DEFAULT_NOT_FOUND_PAGE = '404.html';

/** Fill in defaults and check keys and values; a bad one is an OptionError (a TypeError) naming the option. */
export function resolveStaticOptions(options: StaticOptions = {}): ResolvedStaticOptions {
  checkKnownKeys('static option', options, STATIC_OPTION_KEYS);
  const index = options.index ?? 'index.html';
  if (index !== false && !isPlainName(index)) throw invalid('index', `static option index must be a plain file name or false, got ${JSON.stringify(index)}`);
  const dotfiles = oneOf('dotfiles', options.dotfiles, ['ignore', 'deny', 'allow'] as const);
  const symlinks = oneOf('symlinks', options.symlinks, ['within', 'follow', 'deny'] as const);
  const etag = oneOf('etag', options.etag, ['weak', 'strong'] as const);
  const caching = composeCacheControl(options);
  const single = options.single ?? false;
  if (typeof single !== 'boolean' && !isRelativePath(single)) throw invalid('single', `static option single must be true, false or a path under the root, got ${JSON.stringify(single)}`);
  if (single === true && index === false) throw invalid('single', 'static option single: true needs an index file name (or name the fallback file)');
  const notFound = options.notFound ?? DEFAULT_NOT_FOUND_PAGE;
  if (notFound !== false && (typeof notFound !== 'string' || notFound === '' || /[\0\r\n]/.test(notFound))) {
    throw invalid('notFound', `static option notFound must be a file path or false, got ${JSON.stringify(notFound)}`);
  }
  return {
    index: index === false ? null : index,
    dotfiles,
    symlinks,
    etag,
    precompressed: flag('precompressed', options.precompressed),
    cacheControl: caching.normal,
    hashedCacheControl: caching.hashed,
    listing: flag('listing', options.listing),
    single: single === false ? null : single === true ? (index as string) : single,
    cleanUrls: flag('cleanUrls', options.cleanUrls),
    notFound: notFound === false ? null : notFound,
    notFoundExplicit: options.notFound !== undefined && options.notFound !== false,
    fallthrough: options.fallthrough === undefined ? true : flag('fallthrough', options.fallthrough),
  };
}

function isPlainName(name: unknown): boolean {
  return typeof name === 'string' && name !== '' && !/[/\\\0]/.test(name) && !name.startsWith('.');
}

// A path under the root: relative segments, no '.', '..' or empty ones (a leading '/' is allowed and ignored).
function isRelativePath(path: unknown): path is string {
  if (typeof path !== 'string' || /[\\\0]/.test(path)) return false;
  const segments = path.replace(/^\/+/, '').split('/');
  return segments.every((s) => s !== '' && s !== '.' && s !== '..');
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (value === undefined) return allowed[0]!;
  if (!allowed.includes(value as T)) throw invalid(key, `static option ${key} must be ${allowed.map((a) => `'${a}'`).join(', ')}; got ${JSON.stringify(value)}`);
  return value as T;
}

function flag(key: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(key, `static option ${key} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function invalid(key: string, message: string): OptionError {
  return new OptionError('INVALID_OPTION', key, message);
}
