// File responses under gzip(): Warp's four gzip-files settings. Key decision: the default keeps sendfile (no
// compression); 'cache-folder' compresses each file version once, in the background (threadpool zlib), and streams
// a compressed copy meanwhile, so no request waits for a whole file to be compressed.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import {
  fromReadable,
  Source,
  compressConduit,
  specOf,
  type Coding,
  type CompressOptions,
  type CompressSpec,
} from '../conduit/index.js';
import { fileCaches, type Response, type ResponseHeaders } from '../server/index.js';
import { editFields, fieldValue, varyWithAcceptEncoding } from './response-fields.js';

/** What gzip() does with a file response it would compress (Warp: GzipIgnore / GzipCompress / ...). */
export type FileCompression =
  /** Send the file as it is, with sendfile (the default). */
  | { readonly kind: 'ignore' }
  /** Compress on the fly, streamed (gives up sendfile). */
  | { readonly kind: 'compress' }
  /** Send `file.gz` / `file.br` when that sibling exists (a regular file, not a symlink), else do `fallback`. */
  | { readonly kind: 'precompressed'; readonly fallback?: FileCompression }
  /** Compress each file version (keyed by its ETag) once into `dir`, then sendfile the compressed copy. */
  | { readonly kind: 'cache-folder'; readonly dir: string };

type FileResponse = Extract<Response, { kind: 'file' }>;

const SUFFIX: Readonly<Record<Coding, string>> = { gzip: '.gz', br: '.br' };

/** The file response as gzip() sends it: `encoded` are the headers of the encoded representation. */
export function compressFile(res: FileResponse, coding: Coding, encoded: ResponseHeaders, mode: FileCompression,
  options: CompressOptions & { readonly threshold?: number }): Response {
  const caches = fileCaches().info;
  const info = caches.get(res.path);
  // Missing or a directory: the engine answers it (404, redirect); nothing to encode.
  if (info === null || info.kind !== 'file') return res;
  switch (mode.kind) {
    case 'ignore':
      return withVary(res);
    case 'compress':
      if (info.size < (options.threshold ?? 0)) return withVary(res);
      return { kind: 'stream', status: res.status, headers: encoded, body: compressedFile(res.path, coding, options), length: null };
    case 'precompressed': {
      const sibling = res.path + SUFFIX[coding];
      const found = caches.get(sibling);
      // The sibling must be a regular file of its own, not a symlink leading elsewhere.
      if (found !== null && found.kind === 'file' && caches.realpath(sibling) === `${caches.realpath(res.path)}${SUFFIX[coding]}`) {
        return { kind: 'file', status: res.status, headers: encoded, path: sibling, range: null };
      }
      return compressFile(res, coding, encoded, mode.fallback ?? { kind: 'ignore' }, options);
    }
    default: {
      const key = cacheKey(info.path, info.etag, coding, options);
      if (info.size < (options.threshold ?? 0)) return withVary(res);
      const cached = join(mode.dir, key + SUFFIX[coding]);
      if (ready.has(cached) || existsSync(cached)) {
        remember(cached);
        return { kind: 'file', status: res.status, headers: encoded, path: cached, range: null };
      }
      startCaching(res.path, cached, coding, options);
      return compressFile(res, coding, encoded, { kind: 'compress' }, options);
    }
  }
}

function withVary(res: FileResponse): FileResponse {
  return { ...res, headers: editFields(res.headers, { vary: varyWithAcceptEncoding(fieldValue(res.headers, 'vary')) }) };
}

/** A Source of a file's bytes compressed on the fly; the file is opened only when the body is run. */
export function compressedFile(path: string, coding: Coding, options: CompressOptions): Source<Uint8Array> {
  const raw = new Source<Uint8Array>(() => fromReadable<Uint8Array>(createReadStream(path)).build());
  return raw.pipe(compressConduit(coding, options)) as Source<Uint8Array>;
}

/** Cache files known to exist (bounded: cleared when full, then re-found with one stat each). */
const ready = new Set<string>();
/** Cache files being written now. */
const inFlight = new Map<string, Promise<void>>();
const MAX_READY = 10_000;

function remember(path: string): void {
  if (ready.size >= MAX_READY) ready.clear();
  ready.add(path);
}

// The name of a cached copy: file identity (path + ETag) and compression parameters, hashed.
function cacheKey(path: string, etag: string, coding: Coding, options: CompressOptions): string {
  return createHash('sha256').update(`${resolve(path)}\0${etag}\0${JSON.stringify(specOf(coding, options))}`).digest('hex').slice(0, 32);
}

/** Compresses `path` into `cached` unless that is already under way; written to a temp name, then renamed. */
export function startCaching(path: string, cached: string, coding: Coding, options: CompressOptions): Promise<void> {
  const running = inFlight.get(cached);
  if (running !== undefined) return running;
  const tmp = `${cached}.${process.pid}.tmp`;
  const spec = specOf(coding, options);
  const job = (async () => {
    try {
      mkdirSync(join(cached, '..'), { recursive: true });
      await pipeline(createReadStream(path), createCompressor(spec), createWriteStream(tmp));
      await rename(tmp, cached);
      remember(cached);
    } catch {
      // A failed copy is not fatal: requests keep being compressed on the fly, and the next one retries.
      await rm(tmp, { force: true });
    } finally {
      inFlight.delete(cached);
    }
  })();
  inFlight.set(cached, job);
  return job;
}

// The background copy uses node's streaming (threadpool) zlib: it runs beside requests, not inside one.
function createCompressor(spec: CompressSpec): zlib.Gzip | zlib.BrotliCompress {
  if (spec.kind === 'gzip') return zlib.createGzip({ level: spec.level });
  return zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: spec.quality } });
}
