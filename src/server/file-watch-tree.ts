// The watch tree's nodes: one per watched inode, reached by a real path, with the cache entries that depend on each
// name looked up in it (and on the inode itself). Key decision: a name's set stays in its directory until a prune, so a
// lookup that holds it while other entries come and go still joins the set that events reach.

/** A cache entry that depends on watched names; the watcher calls drop() when any of them changes. */
export interface WatchDependent {
  drop(): void;
}

/** The entries that depend on one name in a watched directory, or on a watched inode itself. */
export class DepSet {
  readonly members = new Set<WatchDependent>();

  constructor(readonly node: WatchNode, readonly name: string | null) {}

  /** Drops every member (each removes itself from all of its sets). */
  dropAll(): void {
    if (this.members.size === 0) return;
    const members = [...this.members];
    this.members.clear();
    for (const member of members) member.drop();
    this.release();
  }

  /** Removes one member that is being dropped for another reason. */
  remove(member: WatchDependent): void {
    if (this.members.delete(member) && this.members.size === 0) this.release();
  }

  /** Tells the watcher this set may be empty for good. It stays in its directory until prune(), so a lookup that holds
   *  it while other entries come and go still joins the set that events reach. */
  release(): void {
    if (this.members.size === 0) this.node.watch.markIdle(this.node);
  }

  /** Adds an entry; false when the set's inode is no longer watched (a lookup raced a change: do not cache it). */
  add(member: WatchDependent): boolean {
    if (!this.node.attached) return false;
    this.members.add(member);
    return true;
  }
}

/** Where a node reports that it may have nothing left to watch for (the FileWatch, which prunes it later). */
export interface IdleSink {
  markIdle(node: WatchNode): void;
}

/** One watched inode, reached by the real path `path`. */
export class WatchNode {
  attached = true;
  readonly children = new Map<string, WatchNode>();
  readonly names = new Map<string, DepSet>();
  readonly self: DepSet = new DepSet(this, null);

  constructor(
    readonly watch: IdleSink, readonly wd: number, readonly path: string, readonly parent: WatchNode | null,
    readonly name: string, readonly kind: 'dir' | 'file',
  ) {}

  /** The set of entries that looked `name` up in this directory (made on first use). */
  dependents(name: string): DepSet {
    let set = this.names.get(name);
    if (set === undefined) {
      set = new DepSet(this, name);
      this.names.set(name, set);
    }
    return set;
  }

  /** Drops every entry that depends on this inode or looked a name up in it. */
  dropDependents(): void {
    this.self.dropAll();
    for (const set of [...this.names.values()]) set.dropAll();
  }
}
