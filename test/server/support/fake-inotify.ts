// A scriptable inotify for the file-watch unit tests: hands out watch descriptors per path (one per inode, as the
// kernel does for two names of one file), records removals, and can be told to fail; tests fire events with apply().
import { statSync } from 'node:fs';
import type { WatchNative } from '../../../src/server/file-watch.js';

/** The fake: add/rm calls as the kernel would answer them, plus what the test needs to look at. */
export class FakeInotify implements WatchNative {
  /** Every add, in order: [path, mask]. */
  readonly adds: Array<[string, number]> = [];
  /** Every rm, in order. */
  readonly removed: number[] = [];
  /** When set, add returns this (a -errno) instead of watching. */
  failWith: ((path: string) => number | null) | null = null;
  private next = 1;
  private readonly byInode = new Map<string, number>();
  private readonly live = new Map<number, string>();

  inotifyAddWatch(path: string, mask: number): number {
    const failed = this.failWith?.(path) ?? null;
    if (failed !== null) return failed;
    this.adds.push([path, mask]);
    let inode: string;
    try {
      const st = statSync(path);
      inode = `${st.dev}:${st.ino}`;
    } catch {
      return -2; // ENOENT
    }
    let wd = this.byInode.get(inode);
    if (wd === undefined || !this.live.has(wd)) {
      wd = this.next++;
      this.byInode.set(inode, wd);
    }
    this.live.set(wd, path);
    return wd;
  }

  inotifyRmWatch(wd: number): number {
    if (!this.live.delete(wd)) return -22; // EINVAL
    this.removed.push(wd);
    return 0;
  }

  /** The live watch descriptor of the inode at path (throws when it is not watched). */
  wdOf(path: string): number {
    for (const [wd, p] of this.live) if (p === path) return wd;
    throw new Error(`${path} is not watched`);
  }

  /** The paths currently watched, sorted. */
  get watched(): string[] {
    return [...this.live.values()].sort();
  }
}
