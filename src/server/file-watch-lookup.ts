// Path lookup for the exact caches: resolves a path the way the kernel does, one name at a time with lstat, watching
// each directory before looking into it. Key decision: the lookup records every (directory, name) it consulted,
// symlinks and their targets included, so its cache entry is dropped by any change that could alter the answer.

import { lstatSync, readlinkSync } from 'node:fs';
import type { FileWatch } from './file-watch.js';
import type { DepSet, WatchNode } from './file-watch-tree.js';

/** The subset of fs.Stats the caches read (injectable for tests). */
export interface StatLike {
  isFile(): boolean;
  isDirectory(): boolean;
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
}

/** An lstat result: a StatLike that also tells a symlink. */
export interface LstatLike extends StatLike {
  isSymbolicLink(): boolean;
}

/** The fs calls a lookup makes (injectable for tests): lstat (undefined or a "missing" error: nothing there), readlink. */
export interface LookupSystem {
  lstat(path: string): LstatLike | undefined;
  readlink(path: string): string;
}

/** What a watched lookup found: the stat at the end (undefined: nothing), the real path (null: does not resolve), and
 *  the dependent sets the cache entry must join. */
export interface WatchedLookup {
  readonly stat: LstatLike | undefined;
  readonly real: string | null;
  readonly deps: DepSet[];
}

// Errors meaning "there is no servable file at this path"; they become (cached) negative entries, i.e. 404s.
const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'ELOOP', 'ENAMETOOLONG']);
/** Linux follows at most 40 symlinks in one lookup (ELOOP past it). */
const MAX_SYMLINKS = 40;

/** The real fs calls. throwIfNoEntry: false makes ENOENT (the common miss) a return value instead of an exception. */
export const NODE_LOOKUP_SYSTEM: LookupSystem = {
  lstat: (path) => lstatSync(path, { throwIfNoEntry: false }),
  readlink: (path) => readlinkSync(path),
};

/** Is this a filesystem error meaning "no servable file here" (ENOENT, ENOTDIR, EACCES, ELOOP, ENAMETOOLONG)? */
export function isMissingFileError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && MISSING_CODES.has(code);
}

/**
 * Looks an absolute path up under watches. Null when some name on the way could not be watched (the watch limit, an
 * unwatchable filesystem, a race with a rename): the caller then looks it up uncached. Other fs errors propagate.
 */
export function lookupWatched(watch: FileWatch, absolutePath: string, fs: LookupSystem): WatchedLookup | null {
  const root = watch.root();
  if (root === null) return null;
  const deps: DepSet[] = [];
  try {
    return walk(watch, root, absolutePath, fs, deps);
  } catch (err) {
    release(deps);
    throw err;
  }
}

function walk(watch: FileWatch, root: WatchNode, absolutePath: string, fs: LookupSystem, deps: DepSet[]): WatchedLookup | null {
  // A stack of the names still to resolve, next on top; a symlink pushes its target's names.
  const todo = absolutePath.split('/').reverse();
  let dir = root;
  let links = 0;
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (name === '' || name === '.') continue;
    // `dir` is a real directory, so its parent in the tree is its physical parent, as the kernel resolves '..'.
    if (name === '..') {
      dir = dir.parent ?? dir;
      continue;
    }
    deps.push(dir.dependents(name));
    const path = dir.path === '/' ? `/${name}` : `${dir.path}/${name}`;
    const st = lstatOf(fs, path);
    if (st === undefined) return missing(deps);
    if (st.isSymbolicLink()) {
      const target = links++ < MAX_SYMLINKS ? readlinkOf(fs, path) : null;
      if (target === null) return missing(deps);
      todo.push(...target.split('/').reverse());
      if (target.startsWith('/')) dir = root;
      continue;
    }
    if (st.isDirectory()) {
      const node = watch.enter(dir, name, 'dir');
      if (node === null) return abandon(deps);
      dir = node;
      continue;
    }
    // ENOTDIR: more names, or a trailing slash, after something that is not a directory.
    if (todo.length > 0) return missing(deps);
    // A FIFO, socket or device is never served; only its name matters, and the name is watched already.
    if (!st.isFile()) return { stat: st, real: path, deps };
    const file = watch.enter(dir, name, 'file');
    if (file === null) return abandon(deps);
    deps.push(file.self);
    // Stat again now that the inode is watched: a write between the first lstat and the watch would go unseen.
    const now = lstatOf(fs, path);
    return { stat: now, real: now === undefined ? null : path, deps };
  }
  // The path ends at a directory, watched before this stat of it.
  deps.push(dir.self);
  const st = lstatOf(fs, dir.path);
  return { stat: st, real: st === undefined ? null : dir.path, deps };
}

function lstatOf(fs: LookupSystem, path: string): LstatLike | undefined {
  try {
    return fs.lstat(path);
  } catch (err) {
    if (isMissingFileError(err)) return undefined;
    throw err;
  }
}

function readlinkOf(fs: LookupSystem, path: string): string | null {
  try {
    return fs.readlink(path);
  } catch (err) {
    // EINVAL: no longer a symlink. The name was swapped since the lstat, and that event will drop this entry.
    if (isMissingFileError(err) || (err as { code?: unknown }).code === 'EINVAL') return null;
    throw err;
  }
}

function missing(deps: DepSet[]): WatchedLookup {
  return { stat: undefined, real: null, deps };
}

function abandon(deps: DepSet[]): null {
  release(deps);
  return null;
}

// Sets made for a lookup that is not cached after all: empty ones leave their directories.
function release(deps: DepSet[]): void {
  for (const set of deps) set.release();
}
