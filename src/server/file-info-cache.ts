// File-info cache (Warp's FileInfoCache, made exact): stat results, realpaths and negative entries, each kept until
// something its lookup depended on changes. Key decision: a path is cached only when every name its lookup went
// through is watched (file-watch.ts); a path that cannot be watched is looked up afresh on every call, never stale.

import { realpathSync, statSync } from 'node:fs';
import type { FileWatch } from './file-watch.js';
import type { DepSet, WatchDependent } from './file-watch-tree.js';
import {
  isMissingFileError, lookupWatched, NODE_LOOKUP_SYSTEM, type LookupSystem, type StatLike,
} from './file-watch-lookup.js';

export { isMissingFileError };
export type { StatLike, LookupSystem } from './file-watch-lookup.js';

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

/** Options: the watch that keeps entries exact (none: nothing is cached), ETag strength, entry cap, how often idle
 *  watches and fds are given back, and injectable fs calls (`fs` under watch; `stat`/`realpath` when uncached). */
export interface FileInfoCacheOptions {
  watch?: FileWatch | null;
  etag?: EtagStrength;
  maxEntries?: number;
  sweepMs?: number;
  fs?: LookupSystem;
  stat?: (path: string) => StatLike | undefined;
  realpath?: (path: string) => string;
}

/** Called on every sweep; returns true while the subscriber still holds entries (keeps the timer running). */
export type SweepListener = () => boolean;

/** Default sweep period: how often watches and fds nothing uses any more are given back. */
export const DEFAULT_SWEEP_MS = 1000;
/** Default cap on cached paths: past it the oldest entry makes room. */
export const DEFAULT_MAX_ENTRIES = 10_000;

/** Build a file's ETag from (size, mtime in µs) and, when strong, its inode (RFC 9110 §8.8.3). */
export function makeEtag(stat: Pick<StatLike, 'ino' | 'size' | 'mtimeMs'>, strength: EtagStrength): string {
  // µs keeps sub-millisecond rewrites distinct where the filesystem records them. Weak is the honest default: a
  // same-size rewrite inside one coarse kernel mtime tick keeps the tag, which a strong validator must not do.
  const tag = `${stat.size.toString(16)}-${Math.round(stat.mtimeMs * 1000).toString(16)}`;
  return strength === 'weak' ? `W/"${tag}"` : `"${stat.ino.toString(16)}-${tag}"`;
}

// One looked-up path: its stat and its realpath, from one walk, valid until any name the walk used changes.
class PathEntry implements WatchDependent {
  deps: DepSet[] = [];

  constructor(
    readonly key: string,
    /** The working directory a relative key was resolved against (null for an absolute key). */
    readonly base: string | null,
    readonly stat: FileStat,
    readonly real: string | null,
    readonly forget: (entry: PathEntry) => void,
  ) {}

  drop(): void {
    const deps = this.deps;
    this.deps = [];
    for (const set of deps) set.remove(this);
    this.forget(this);
  }
}

/** Stat and realpath results kept exact by a FileWatch; the owner of the sweep timer the FdCache also runs on. */
export class FileInfoCache {
  readonly sweepMs: number;
  readonly #watch: FileWatch | null;
  readonly #etag: EtagStrength;
  readonly #maxEntries: number;
  readonly #fs: LookupSystem;
  readonly #stat: (path: string) => StatLike | undefined;
  readonly #realpath: (path: string) => string;
  readonly #entries = new Map<string, PathEntry>();
  readonly #listeners = new Set<SweepListener>();
  readonly #dropListeners = new Set<(path: string) => void>();
  readonly #forget = (entry: PathEntry): void => {
    if (this.#entries.get(entry.key) !== entry) return;
    this.#entries.delete(entry.key);
    this.#generation++;
    for (const listener of this.#dropListeners) listener(entry.key);
  };
  #generation = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: FileInfoCacheOptions = {}) {
    this.sweepMs = options.sweepMs ?? DEFAULT_SWEEP_MS;
    this.#watch = options.watch ?? null;
    this.#etag = options.etag ?? 'weak';
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#fs = options.fs ?? NODE_LOOKUP_SYSTEM;
    this.#stat = options.stat ?? ((path) => statSync(path, { throwIfNoEntry: false }));
    this.#realpath = options.realpath ?? realpathSync.native;
    if (this.#watch !== null) this.#watch.onIdle = () => this.armTimer();
  }

  /** The stat of `path` (synchronous: the hot path must not hop to the threadpool). A hit is one Map lookup. */
  get(path: string): FileStat {
    const hit = this.#entries.get(path);
    if (hit !== undefined && (hit.base === null || hit.base === process.cwd())) return hit.stat;
    const entry = this.#lookup(path);
    return entry !== null ? entry.stat : this.#statUncached(path);
  }

  /** The realpath of `path`, or null when it does not resolve. */
  realpath(path: string): string | null {
    const hit = this.#entries.get(path);
    if (hit !== undefined && (hit.base === null || hit.base === process.cwd())) return hit.real;
    const entry = this.#lookup(path);
    if (entry !== null) return entry.real;
    try {
      return this.#realpath(path);
    } catch {
      return null;
    }
  }

  /** Whether `path` is answered from a cached (watched) entry; false means it is looked up afresh on every call. */
  has(path: string): boolean {
    const hit = this.#entries.get(path);
    return hit !== undefined && (hit.base === null || hit.base === process.cwd());
  }

  /** How many entries have left the cache so far: a memo of answers made from cached entries is exact while this holds. */
  get generation(): number {
    return this.#generation;
  }

  /** Forget one path (the FdCache calls this when an open fd no longer matches it). */
  invalidate(path: string): void {
    this.#entries.get(path)?.drop();
  }

  /** Subscribe to entries leaving the cache (a change, the cap, close); returns the unsubscribe function. */
  onDrop(listener: (path: string) => void): () => void {
    this.#dropListeners.add(listener);
    return () => this.#dropListeners.delete(listener);
  }

  /** Give back unused watches and run the subscribers' sweeps; the timer calls this every sweepMs (tests may too). */
  sweep(): void {
    this.#watch?.prune();
    let busy = false;
    for (const listener of this.#listeners) if (listener()) busy = true;
    // An idle cache stops ticking; an entry dropped or an fd cached re-arms it.
    if (!busy && this.#watch?.hasIdle !== true) this.#disarm();
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
    this.#timer = setInterval(() => this.sweep(), this.sweepMs).unref();
  }

  /** Whether the sweep timer is currently armed. */
  get timerArmed(): boolean {
    return this.#timer !== null;
  }

  /** Number of cached paths, negative ones included. */
  get size(): number {
    return this.#entries.size;
  }

  /** Stop the timer and drop all entries; later lookups are answered uncached. */
  close(): void {
    this.#closed = true;
    this.#disarm();
    for (const entry of [...this.#entries.values()]) entry.drop();
  }

  // A walk under watches, remembered; null when the path cannot be watched (then it is answered uncached).
  #lookup(key: string): PathEntry | null {
    if (this.#watch === null || this.#closed) return null;
    // Room first: dropping an entry may empty sets this lookup is about to join.
    this.#entries.get(key)?.drop();
    if (this.#entries.size >= this.#maxEntries) this.#entries.values().next().value?.drop();
    const base = key.charCodeAt(0) === 0x2f ? null : process.cwd();
    const found = lookupWatched(this.#watch, base === null ? key : `${base}/${key}`, this.#fs);
    if (found === null) return null;
    const entry = new PathEntry(key, base, this.#toFileStat(key, found.stat), found.real, this.#forget);
    entry.deps = found.deps;
    for (const set of found.deps) {
      if (set.add(entry)) continue;
      // A watch it used was dropped during the walk (a racing change): answer this once, uncached.
      entry.drop();
      return entry;
    }
    this.#entries.set(key, entry);
    return entry;
  }

  #statUncached(path: string): FileStat {
    let stat: StatLike | undefined;
    try {
      stat = this.#stat(path);
    } catch (err) {
      if (isMissingFileError(err)) return null;
      throw err;
    }
    return this.#toFileStat(path, stat);
  }

  #toFileStat(path: string, stat: StatLike | undefined): FileStat {
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

  #disarm(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }
}
