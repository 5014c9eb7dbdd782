// Exact file caches: an inotify watch on every directory a cached lookup walked through and on every cached file.
// Key decision: the watches form a tree keyed by name that mirrors the real paths walked, and each cache entry
// depends on the (directory, name) pairs it looked up, so one event drops exactly the entries that used its name.
// The native layer delivers the events before any request that arrived after them (src/native/inotify.cc).
// Nodes and dependent sets: file-watch-tree.ts.

import { statfsSync } from 'node:fs';
import { WatchNode, type IdleSink } from './file-watch-tree.js';
import {
  IN_ATTRIB, IN_CLOSE_WRITE, IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_DONT_FOLLOW, IN_IGNORED, IN_MODIFY, IN_MOVE_SELF,
  IN_MOVED_FROM, IN_MOVED_TO, IN_ONLYDIR, IN_Q_OVERFLOW, nameErrno, type NativeBinding,
} from '../native/index.js';

/** A directory: its names coming and going, its own metadata (permissions), and the directory itself going away. */
const DIR_MASK = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF
  | IN_ONLYDIR | IN_DONT_FOLLOW;
/** Events that bind or unbind a name in a directory. */
const NAME_MOVES = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
/** A file's bytes or metadata. A watch on the inode sees writes through every hard link, not only through this name. */
const FILE_MASK = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DONT_FOLLOW;

/**
 * statfs(2) f_type of filesystems whose files change behind the kernel's back (another client, the FUSE server, the
 * host of a VM share): inotify never hears of those changes, so nothing on them is watched, and so nothing is cached.
 */
const UNWATCHABLE_FS_TYPES: ReadonlySet<number> = new Set([
  0x6969, // NFS
  0x517b, // SMB
  0xff534d42, // CIFS
  0xfe534d42, // SMB2
  0x65735546, // FUSE (sshfs, virtiofs...)
  0x01021997, // 9p
  0x00c36400, // Ceph
  0x5346414f, // AFS
  0x6b414653, // kAFS
  0x73757245, // Coda
  0x01161970, // GFS2
  0x7461636f, // OCFS2
]);

// Errors that mean no new watch can be added anywhere (the limit, no inotify). Any other error concerns one path,
// which then goes uncached: a race (ENOENT, ENOTDIR, ELOOP) silently, anything else (EACCES: inotify needs read
// permission) with the process's one warning, since everything under that path is then looked up on every request.
const WATCHING_UNAVAILABLE = new Set(['ENOSPC', 'EMFILE', 'ENOSYS', 'EINVAL', 'ENOMEM']);
const RACES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

// Node decodes path strings as UTF-8, so a name decoded the same way matches the names lookups used.
const UTF8 = new TextDecoder();

/** The native calls the watcher makes (the real addon, or a fake in tests). */
export type WatchNative = Pick<NativeBinding, 'inotifyAddWatch' | 'inotifyRmWatch'>;

/** Options: where the one "caching is off" warning goes, and the filesystem-type probe (tests). */
export interface FileWatchOptions {
  warn?: (message: string) => void;
  fsType?: (path: string) => number;
}

/** The watch tree over one inotify instance; apply() takes its events, which the reactor delivers first in a batch. */
export class FileWatch implements IdleSink {
  readonly #native: WatchNative;
  readonly #warn: (message: string) => void;
  readonly #fsType: (path: string) => number;
  readonly #byWd = new Map<number, WatchNode[]>();
  readonly #idle = new Set<WatchNode>();
  #root: WatchNode | null = null;
  /** Called when the first node turns idle, so the owner can schedule a prune(). */
  onIdle: (() => void) | null = null;
  /** Why no new watch can be added ('ENOSPC'...), or null. ENOSPC clears when a watch is given back. */
  #unavailable: string | null = null;
  #warned = false;
  #closed = false;

  constructor(native: WatchNative, options: FileWatchOptions = {}) {
    this.#native = native;
    this.#warn = options.warn ?? ((message) => process.emitWarning(message, { code: 'SLUICE_FILE_WATCH' }));
    this.#fsType = options.fsType ?? ((path) => statfsSync(path).type);
  }

  /** The watch on '/', where every lookup starts; null when none can be added. */
  root(): WatchNode | null {
    if (this.#root !== null) return this.#root;
    const wd = this.#addWatch('/', 'dir');
    if (wd < 0) return null;
    this.#root = this.#adopt(new WatchNode(this, wd, '/', null, '', 'dir'));
    return this.#root;
  }

  /** The watch on `name` in dir as a directory or a file: the existing one, or a new one; null when it cannot be had. */
  enter(dir: WatchNode, name: string, kind: 'dir' | 'file'): WatchNode | null {
    const existing = dir.children.get(name);
    if (existing !== undefined) {
      if (existing.kind === kind) return existing;
      // The name now holds another kind of inode; the event saying so is still queued. Watch the new one.
      this.#detach(existing);
    }
    const path = dir.path === '/' ? `/${name}` : `${dir.path}/${name}`;
    const wd = this.#addWatch(path, kind);
    if (wd < 0) return null;
    const node = this.#adopt(new WatchNode(this, wd, path, dir, name, kind));
    dir.children.set(name, node);
    return node;
  }

  /**
   * Applies one inotify event: drops the entries that depended on what changed and forgets watches that no longer
   * stand for their path. wd -1 or IN_Q_OVERFLOW (events were lost) drops everything.
   */
  apply(wd: number, mask: number, name: string | null): void {
    if (wd < 0 || (mask & IN_Q_OVERFLOW) !== 0) {
      this.reset();
      return;
    }
    const nodes = this.#byWd.get(wd);
    if (nodes === undefined) return;
    for (const node of [...nodes]) {
      if (!node.attached) continue;
      if (name !== null) {
        node.names.get(name)?.dropAll();
        const child = node.children.get(name);
        // Only a name that now points elsewhere ends the child's watch; a chmod of the child (IN_ATTRIB) does not.
        if (child !== undefined && (mask & NAME_MOVES) !== 0) this.#detach(child);
        // A directory's own stat (its mtime) changes with its names.
        node.self.dropAll();
      } else {
        // The inode itself: a file's bytes or stat, or a directory's permissions, which every lookup through it used.
        node.dropDependents();
      }
      if ((mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) !== 0) this.#detach(node, (mask & IN_MOVE_SELF) !== 0);
    }
  }

  /** apply() for an EV_INOTIFY record: the name is NUL-terminated at nameAt in the batch's buffer (-1: none). */
  applyRecord(wd: number, mask: number, nameAt: number, names: Uint8Array): void {
    this.apply(wd, mask, nameAt < 0 ? null : UTF8.decode(names.subarray(nameAt, names.indexOf(0, nameAt))));
  }

  /** Marks a node that may have nothing left to watch for; prune() looks at it on the next sweep. */
  markIdle(node: WatchNode): void {
    if (this.#idle.size === 0) this.onIdle?.();
    this.#idle.add(node);
  }

  /** Gives back the watches no entry depends on any more (on the sweep timer, so a rewritten file keeps its watches). */
  prune(): void {
    // A Set iterates over what is added meanwhile, so a parent emptied by its child's removal goes in the same pass.
    for (const node of this.#idle) {
      this.#idle.delete(node);
      if (!node.attached) continue;
      for (const [name, set] of node.names) if (set.members.size === 0) node.names.delete(name);
      if (node.children.size === 0 && node.names.size === 0 && node.self.members.size === 0) this.#detach(node);
    }
  }

  /** Whether prune() has work. */
  get hasIdle(): boolean {
    return this.#idle.size > 0;
  }

  /** Number of watched inodes (a hard-linked file counts once per name). */
  get watches(): number {
    let n = 0;
    for (const nodes of this.#byWd.values()) n += nodes.length;
    return n;
  }

  /** Drops every dependent entry and gives back every watch (after lost events, or on close). */
  reset(): void {
    if (this.#root !== null) this.#detach(this.#root);
    this.#idle.clear();
  }

  /** Resets and refuses new watches: every later lookup goes uncached. */
  close(): void {
    this.#closed = true;
    this.reset();
  }

  #addWatch(path: string, kind: 'dir' | 'file'): number {
    if (this.#closed || this.#unavailable !== null) return -1;
    const unwatchable = kind === 'dir' ? this.#unwatchableFs(path) : null;
    if (unwatchable !== null) {
      this.#warnOnce(unwatchable);
      return -1;
    }
    const wd = this.#native.inotifyAddWatch(path, kind === 'dir' ? DIR_MASK : FILE_MASK);
    if (wd < 0) this.#refuse(wd, path);
    return wd;
  }

  // Why the directory's filesystem cannot be watched, or null when it can.
  #unwatchableFs(path: string): string | null {
    let type: number;
    try {
      type = this.#fsType(path);
    } catch (err) {
      return `${path} cannot be watched (statfs: ${(err as { code?: string }).code ?? 'failed'})`;
    }
    return UNWATCHABLE_FS_TYPES.has(type) ? `${path} is on a network or FUSE filesystem, where changes made elsewhere are never reported` : null;
  }

  #refuse(result: number, path: string): void {
    const code = nameErrno(result);
    if (RACES.has(code)) return;
    if (!WATCHING_UNAVAILABLE.has(code)) {
      this.#warnOnce(`${path} cannot be watched (inotify_add_watch: ${code})`);
      return;
    }
    this.#unavailable = code;
    this.#warnOnce(code === 'ENOSPC' ? 'fs.inotify.max_user_watches is reached; raise it with sysctl'
      : code === 'EMFILE' ? 'fs.inotify.max_user_instances is reached; raise it with sysctl'
        : `inotify is not available (${code})`);
  }

  // One warning per process: the first reason is enough to act on, and a warning per path would flood the log.
  #warnOnce(why: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#warn(`sluice: some files are not cached, because ${why}. They are looked up on every request (never stale).`);
  }

  #adopt(node: WatchNode): WatchNode {
    const nodes = this.#byWd.get(node.wd);
    if (nodes === undefined) this.#byWd.set(node.wd, [node]);
    else nodes.push(node);
    // Idle until an entry depends on it: a lookup that fails half-way leaves nothing watched for long.
    this.markIdle(node);
    return node;
  }

  // Forgets a node and everything under it, dropping their dependents. The kernel watch is removed unless the kernel
  // already did (IN_IGNORED, IN_DELETE_SELF) or another name (a hard link) still uses it.
  #detach(node: WatchNode, removeWatch = true): void {
    if (!node.attached) return;
    node.attached = false;
    for (const child of node.children.values()) this.#detach(child);
    node.children.clear();
    node.dropDependents();
    node.names.clear();
    if (node.parent !== null) {
      if (node.parent.children.get(node.name) === node) node.parent.children.delete(node.name);
      this.markIdle(node.parent);
    } else if (this.#root === node) this.#root = null;
    this.#idle.delete(node);
    const nodes = this.#byWd.get(node.wd)!;
    nodes.splice(nodes.indexOf(node), 1);
    if (nodes.length > 0) return;
    this.#byWd.delete(node.wd);
    if (!removeWatch) return;
    this.#native.inotifyRmWatch(node.wd);
    if (this.#unavailable === 'ENOSPC') this.#unavailable = null;
  }
}
