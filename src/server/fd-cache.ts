// File-descriptor cache (Warp's FdCache): one shared read-only fd per file, so a hot file costs no open()/close() per
// sendfile. Key decision: an fd is bound to the (dev, ino, size, mtime) it was verified against by fstat at open time,
// and is reused only for FileInfo with that identity; when the info cache drops a path (the file changed), its fd is
// retired at once. Leases are refcounted, so an fd under an in-flight sendfile is never closed.
//
// Engine contract: use the fd only with explicit offsets (sendfile with an offset, pread), never the shared file
// position. A file truncated in place while it is being sent makes sendfile return fewer bytes than FileInfo.size: the
// engine must then close the connection (the head has gone out with the old Content-Length), never pad or send other
// bytes.

import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { isMissingFileError, type FileInfo, type FileInfoCache, type StatLike } from './file-info-cache.js';

/** A borrowed fd; release it exactly once when the response is done (extra releases are ignored). */
export interface FdLease {
  readonly fd: number;
  release(): void;
  [Symbol.dispose](): void;
}

/** The fs calls the cache makes (injectable for tests). */
export interface FdSystem {
  openSync(path: string, flags: number): number;
  fstatSync(fd: number): StatLike;
  closeSync(fd: number): void;
}

/** Options: the info cache whose drops retire fds and whose timer drives sweeps, the cap on cached fds, the fs calls. */
export interface FdCacheOptions {
  infoCache: FileInfoCache;
  maxOpen?: number;
  fs?: FdSystem;
}

/** Default cap on cached fds; past it, acquire still works but the fd is closed on release. */
export const DEFAULT_MAX_OPEN = 512;

// O_NONBLOCK: if the path became a FIFO since the stat, open must not block the event loop (fstat then rejects it).
// libuv adds O_CLOEXEC to every open, so fds never leak into child processes.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
const NODE_FS: FdSystem = { openSync, fstatSync, closeSync };

class FdEntry {
  leases = 0;
  // Warp's reaper: a use marks Active, a sweep turns Active into Inactive and closes what was already Inactive.
  active = true;
  // False once the entry has left the map (retired, swept, over the cap or cache closed): close on last release.
  cached = true;

  constructor(readonly fd: number, readonly identity: FileInfo, readonly system: FdSystem) {}

  closeIfUnused(): void {
    if (this.leases === 0 && !this.cached) this.system.closeSync(this.fd);
  }
}

class Lease implements FdLease {
  readonly fd: number;
  #entry: FdEntry | null;

  constructor(entry: FdEntry) {
    entry.leases++;
    this.fd = entry.fd;
    this.#entry = entry;
  }

  release(): void {
    const entry = this.#entry;
    if (entry === null) return;
    this.#entry = null;
    entry.leases--;
    entry.closeIfUnused();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/** Open fds keyed by path, validated against FileInfo identity and swept on the FileInfoCache's timer. */
export class FdCache {
  readonly #info: FileInfoCache;
  readonly #maxOpen: number;
  readonly #fs: FdSystem;
  readonly #entries = new Map<string, FdEntry>();
  readonly #unsubscribe: Array<() => void>;
  #closed = false;

  constructor(options: FdCacheOptions) {
    this.#info = options.infoCache;
    this.#maxOpen = options.maxOpen ?? DEFAULT_MAX_OPEN;
    this.#fs = options.fs ?? NODE_FS;
    this.#unsubscribe = [
      this.#info.onSweep(() => this.sweep()),
      // The file changed (or its info left the cache): a rename-over or delete must not keep the old inode open.
      this.#info.onDrop((path) => {
        const entry = this.#entries.get(path);
        if (entry !== undefined) this.#drop(path, entry);
      }),
    ];
  }

  /**
   * Lease an fd for exactly the file `info` describes. Null means the file no longer matches `info` (or is gone); its
   * info entry has been invalidated, so the caller should get() the path again and retry once.
   */
  acquire(info: FileInfo): FdLease | null {
    const entry = this.#entries.get(info.path);
    if (entry !== undefined) {
      if (hasIdentity(entry.identity, info)) {
        entry.active = true;
        return new Lease(entry);
      }
      // The file changed since this fd was opened (wai#371, wai#210): retire the old fd.
      this.#drop(info.path, entry);
    }
    const fresh = this.#open(info);
    if (fresh === null) return null;
    if (this.#closed || this.#entries.size >= this.#maxOpen) {
      fresh.cached = false;
    } else {
      this.#entries.set(info.path, fresh);
      this.#info.armTimer();
    }
    return new Lease(fresh);
  }

  /** One reaper tick: Active -> Inactive, and close Inactive fds nobody holds. True while entries remain. */
  sweep(): boolean {
    for (const [path, entry] of this.#entries) {
      if (entry.active) entry.active = false;
      else if (entry.leases === 0) this.#drop(path, entry);
    }
    return this.#entries.size > 0;
  }

  /** Number of cached fds (leased or idle). */
  get size(): number {
    return this.#entries.size;
  }

  /** Close every idle fd now and stop caching; leased fds close on their last release. */
  close(): void {
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    for (const [path, entry] of this.#entries) this.#drop(path, entry);
  }

  #drop(path: string, entry: FdEntry): void {
    this.#entries.delete(path);
    entry.cached = false;
    entry.closeIfUnused();
  }

  #open(info: FileInfo): FdEntry | null {
    let fd: number;
    try {
      fd = this.#fs.openSync(info.path, OPEN_FLAGS);
    } catch (err) {
      if (!isMissingFileError(err)) throw err;
      this.#info.invalidate(info.path);
      return null;
    }
    let stat: StatLike;
    try {
      stat = this.#fs.fstatSync(fd);
    } catch (err) {
      this.#fs.closeSync(fd);
      throw err;
    }
    // Verified once per open, not per request: the fd must be the very file the info cache described.
    if (!stat.isFile() || !hasIdentity(stat, info)) {
      this.#fs.closeSync(fd);
      this.#info.invalidate(info.path);
      return null;
    }
    return new FdEntry(fd, info, this.#fs);
  }
}

// (dev, ino) names the file; size and mtime catch an in-place rewrite or truncation.
function hasIdentity(a: Pick<StatLike, 'dev' | 'ino' | 'size' | 'mtimeMs'>, b: FileInfo): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
