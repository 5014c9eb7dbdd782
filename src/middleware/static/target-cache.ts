// Request path -> safe target, memoized while the file caches drop nothing: a hot path costs one Map lookup instead of
// a decode, a split and a join per request. Key decision: only answers made entirely from cached (watched) lookups are
// kept, and the memo is emptied whenever the file caches drop any entry (their generation moves), so it is as exact as
// they are.

import type { FileInfoCache } from '../../server/index.js';
import type { SafePath } from './safe-path.js';

/** Default cap on memoized request paths; past it the memo starts over. */
export const DEFAULT_MAX_TARGETS = 10_000;

/** Resolves a raw request path with the given realpath (resolveSafePath bound to a root and options). */
export type ResolveTarget = (rawPath: string, realpath: (path: string) => string | null) => SafePath;

/** The memo for one static root. */
export class TargetCache {
  readonly #info: FileInfoCache;
  readonly #resolve: ResolveTarget;
  readonly #max: number;
  readonly #targets = new Map<string, SafePath>();
  #generation = -1;

  constructor(info: FileInfoCache, resolve: ResolveTarget, max = DEFAULT_MAX_TARGETS) {
    this.#info = info;
    this.#resolve = resolve;
    this.#max = max;
  }

  /** The target of a raw request path (a shared, read-only result). */
  lookup(rawPath: string): SafePath {
    const generation = this.#info.generation;
    if (generation !== this.#generation) {
      this.#targets.clear();
      this.#generation = generation;
    }
    const hit = this.#targets.get(rawPath);
    if (hit !== undefined) return hit;
    let cacheable = true;
    const info = this.#info;
    const target = this.#resolve(rawPath, (path) => {
      const real = info.realpath(path);
      if (!info.has(path)) cacheable = false;
      return real;
    });
    if (!cacheable || info.generation !== generation) return target;
    if (this.#targets.size >= this.#max) this.#targets.clear();
    this.#targets.set(rawPath, target);
    return target;
  }

  /** Number of memoized paths. */
  get size(): number {
    return this.#targets.size;
  }
}
