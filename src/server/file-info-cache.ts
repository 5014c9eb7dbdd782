// File-info cache (Warp's FileInfoCache): stat results, realpaths and negative entries kept for one sweep period, so a
// hot file costs no stat per request. Key decision: one unref'd timer clears everything every ttlMs, so a file that is
// replaced, truncated or deleted is seen at most ttlMs later (plus event-loop lag); the FdCache sweeps on the same tick.

import { realpathSync, statSync } from 'node:fs';

/** A regular file's identity and validators, as cached. `etag` and `lastModified` are ready to send. */
export interface FileInfo {
  kind: 'file';
  path: string;
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
  etag: string;
  lastModified: string;
}

/** A directory (the engine redirects to a trailing slash or serves index.html). */
export interface DirInfo {
  kind: 'directory';
  path: string;
  mtimeMs: number;
}

/** A cached stat: a file, a directory, or null for "nothing servable here" (missing, FIFO, device…). */
export type FileStat = FileInfo | DirInfo | null;

/** How a file's ETag is built: `weak` W/"size-mtime" (default) or `strong` "ino-size-mtime". */
export type EtagStrength = 'weak' | 'strong';

/** The subset of fs.Stats the caches read (injectable for tests). */
export interface StatLike {
  isFile(): boolean;
  isDirectory(): boolean;
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
}

/** Options: sweep period, ETag strength, entry cap, and injectable stat/realpath (undefined or a throw = missing). */
export interface FileInfoCacheOptions {
  ttlMs?: number;
  etag?: EtagStrength;
  maxEntries?: number;
  stat?: (path: string) => StatLike | undefined;
  realpath?: (path: string) => string;
}

/** Called on every sweep; returns true while the subscriber still holds entries (keeps the timer running). */
export type SweepListener = () => boolean;

/** Default sweep period: a changed file may be served as it was for at most this long. */
export const DEFAULT_FILE_INFO_TTL_MS = 1000;
/** Default cap on cached paths: past it lookups still work, they are just not remembered until the next sweep. */
export const DEFAULT_MAX_ENTRIES = 10_000;

// Errors meaning "there is no servable file at this path"; they become (cached) negative entries, i.e. 404s.
const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'ELOOP', 'ENAMETOOLONG']);

/** Is this a filesystem error meaning "no servable file here" (ENOENT, ENOTDIR, EACCES, ELOOP, ENAMETOOLONG)? */
export function isMissingFileError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && MISSING_CODES.has(code);
}

/** Build a file's ETag from (size, mtime in µs) and, when strong, its inode (RFC 9110 §8.8.3). */
export function makeEtag(stat: Pick<StatLike, 'ino' | 'size' | 'mtimeMs'>, strength: EtagStrength): string {
  // µs keeps sub-millisecond rewrites distinct where the filesystem records them. Weak is the honest default: a
  // same-size rewrite inside one coarse kernel mtime tick keeps the tag, which a strong validator must not do.
  const tag = `${stat.size.toString(16)}-${Math.round(stat.mtimeMs * 1000).toString(16)}`;
  return strength === 'weak' ? `W/"${tag}"` : `"${stat.ino.toString(16)}-${tag}"`;
}

/** A stat and realpath cache cleared wholesale by one timer every ttlMs; also the clock the FdCache sweeps on. */
export class FileInfoCache {
  readonly ttlMs: number;
  readonly #etag: EtagStrength;
  readonly #maxEntries: number;
  readonly #stat: (path: string) => StatLike | undefined;
  readonly #realpath: (path: string) => string;
  readonly #files = new Map<string, FileStat>();
  readonly #realpaths = new Map<string, string | null>();
  readonly #listeners = new Set<SweepListener>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: FileInfoCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_FILE_INFO_TTL_MS;
    this.#etag = options.etag ?? 'weak';
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    // throwIfNoEntry: false makes ENOENT (the common miss) a return value instead of a costly exception.
    this.#stat = options.stat ?? ((path) => statSync(path, { throwIfNoEntry: false }));
    this.#realpath = options.realpath ?? realpathSync.native;
  }

  /** The cached stat of `path` (synchronous: the hot path must not hop to the threadpool). */
  get(path: string): FileStat {
    const hit = this.#files.get(path);
    if (hit !== undefined) return hit;
    const info = this.#statPath(path);
    this.#remember(this.#files, path, info);
    return info;
  }

  /** The cached realpath of `path`, or null when it does not resolve. */
  realpath(path: string): string | null {
    const hit = this.#realpaths.get(path);
    if (hit !== undefined) return hit;
    let real: string | null;
    try {
      real = this.#realpath(path);
    } catch {
      real = null;
    }
    this.#remember(this.#realpaths, path, real);
    return real;
  }

  /** Forget one path's stat (the FdCache calls this when an open fd no longer matches it). */
  invalidate(path: string): void {
    this.#files.delete(path);
    this.#realpaths.delete(path);
  }

  /** Drop every entry and run the subscribers' sweeps; the timer calls this every ttlMs (tests may call it directly). */
  sweep(): void {
    this.#files.clear();
    this.#realpaths.clear();
    let busy = false;
    for (const listener of this.#listeners) if (listener()) busy = true;
    // An idle cache stops ticking; the next insert re-arms it.
    if (!busy) this.#disarm();
  }

  /** Subscribe to sweeps (the FdCache does, so one timer serves both caches); returns the unsubscribe function. */
  onSweep(listener: SweepListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Make sure the sweep timer runs (a subscriber calls this when it starts holding entries). */
  armTimer(): void {
    if (this.#timer !== null || this.#closed) return;
    // unref: a cache must never keep the process alive.
    this.#timer = setInterval(() => this.sweep(), this.ttlMs).unref();
  }

  /** Whether the sweep timer is currently armed. */
  get timerArmed(): boolean {
    return this.#timer !== null;
  }

  /** Number of cached stat entries, negative ones included. */
  get size(): number {
    return this.#files.size;
  }

  /** Stop the timer and drop all entries; later lookups are answered uncached. */
  close(): void {
    this.#closed = true;
    this.#disarm();
    this.#files.clear();
    this.#realpaths.clear();
  }

  #remember<V>(map: Map<string, V>, path: string, value: V): void {
    if (this.#closed || map.size >= this.#maxEntries) return;
    map.set(path, value);
    this.armTimer();
  }

  #disarm(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }

  #statPath(path: string): FileStat {
    let stat: StatLike | undefined;
    try {
      stat = this.#stat(path);
    } catch (err) {
      if (isMissingFileError(err)) return null;
      throw err;
    }
    if (stat === undefined) return null;
    if (stat.isFile()) {
      return {
        kind: 'file', path, size: stat.size, mtimeMs: stat.mtimeMs, dev: stat.dev, ino: stat.ino,
        etag: makeEtag(stat, this.#etag),
        // IMF-fixdate (RFC 9110 §5.6.7), formatted once per stat rather than per response.
        lastModified: new Date(stat.mtimeMs).toUTCString(),
      };
    }
    if (stat.isDirectory()) return { kind: 'directory', path, mtimeMs: stat.mtimeMs };
    // FIFOs, sockets and devices are never served: opening a FIFO would block the event loop.
    return null;
  }
}
