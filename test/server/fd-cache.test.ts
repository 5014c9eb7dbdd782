// Tests for the fd cache: reuse, identity validation against rewritten files, refcounted leases, and no fd leaks.
// Serial: the tests count this process's open fds (/proc/self/fd).
import test from 'ava';
import {
  closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, renameSync,
  rmSync, truncateSync, unlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IN_DELETE, IN_MODIFY, IN_MOVED_TO } from '../../src/native/index.js';
import { FdCache, type FdLease, type FdSystem } from '../../src/server/fd-cache.js';
import { FileInfoCache, type FileInfo } from '../../src/server/file-info-cache.js';
import { FileWatch } from '../../src/server/file-watch.js';
import { FakeInotify } from './support/fake-inotify.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-fd-cache-')));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const fresh = (content: string): string => {
  const path = join(dir, `f${counter++}.txt`);
  writeFileSync(path, content);
  return path;
};

function infoOf(cache: FileInfoCache, path: string): FileInfo {
  const info = cache.get(path);
  if (info === null || info.kind !== 'file') throw new Error(`expected a file at ${path}`);
  return info;
}

function leaseOf(fds: FdCache, info: FileInfo): FdLease {
  const lease = fds.acquire(info);
  if (lease === null) throw new Error(`acquire(${info.path}) returned null`);
  return lease;
}

// Read with an explicit position, as sendfile/pread do: the shared fd's file position is never used.
function readAll(fd: number, length: number): string {
  const buffer = Buffer.alloc(length);
  const n = readSync(fd, buffer, 0, length, 0);
  return buffer.toString('latin1', 0, n);
}

// The fds this process holds open on files under the test directory (deleted ones included).
function fdsIntoDir(): number[] {
  const fds: number[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`).startsWith(dir)) fds.push(Number(name));
    } catch {
      // The fd readdir itself used is gone by now.
    }
  }
  return fds;
}

const openFdCount = (): number => readdirSync('/proc/self/fd').length;

// The node fs calls, counting opens (to tell a reopen from fd-number reuse).
function countingFs(): FdSystem & { opens: string[] } {
  const opens: string[] = [];
  return { opens, openSync: (p, flags) => (opens.push(p), openSync(p, flags)), fstatSync, closeSync };
}

type Caches = { info: FileInfoCache; fds: FdCache; opens: string[]; close(): void; changed(path: string, mask: number, name?: string): void };

// Caches kept exact by a fake inotify: changed() applies the event the kernel would send for a change.
function caches(t: { teardown(fn: () => void): void }, options: { maxOpen?: number; fs?: FdSystem } = {}): Caches {
  const fake = new FakeInotify();
  const watch = new FileWatch(fake, { warn: () => {} });
  const info = new FileInfoCache({ watch, sweepMs: 60_000 });
  const fs = countingFs();
  const fds = new FdCache({ infoCache: info, fs, ...options });
  const close = (): void => (fds.close(), info.close(), watch.close());
  t.teardown(close);
  const changed = (path: string, mask: number, name?: string): void => watch.apply(fake.wdOf(path), mask, name ?? null);
  return { info, fds, opens: fs.opens, close, changed };
}

test.serial('acquire opens the file once and reuses the fd while its identity holds', (t) => {
  const path = fresh('hello world');
  const { info, fds, close } = caches(t);
  const a = leaseOf(fds, infoOf(info, path));
  const b = leaseOf(fds, infoOf(info, path));
  t.is(a.fd, b.fd);
  t.is(readAll(a.fd, 64), 'hello world');
  t.deepEqual(fdsIntoDir(), [a.fd]);
  a.release();
  b.release();
  t.is(fds.size, 1);
  close();
});

test.serial('fd count returns to its baseline after two sweeps (Active -> Inactive -> closed)', (t) => {
  const paths = Array.from({ length: 20 }, (_, i) => fresh(`file ${i}`));
  const { info, fds, close } = caches(t);
  const baseline = openFdCount();
  for (let round = 0; round < 3; round++) {
    for (const path of paths) leaseOf(fds, infoOf(info, path)).release();
  }
  t.is(openFdCount(), baseline + paths.length);
  info.sweep();
  t.is(openFdCount(), baseline + paths.length, 'first sweep only marks entries inactive');
  info.sweep();
  t.is(openFdCount(), baseline);
  t.is(fds.size, 0);
  t.false(info.timerArmed);
  close();
});

test.serial('a used fd survives sweeps; an unused one is closed on the second', (t) => {
  const hot = fresh('hot');
  const cold = fresh('cold');
  const { info, fds, close } = caches(t);
  const hotFd = leaseOf(fds, infoOf(info, hot));
  hotFd.release();
  leaseOf(fds, infoOf(info, cold)).release();
  for (let i = 0; i < 3; i++) {
    info.sweep();
    leaseOf(fds, infoOf(info, hot)).release();
  }
  t.deepEqual(fdsIntoDir(), [hotFd.fd]);
  close();
});

test.serial('a file renamed over: its event retires the old fd (open while leased), and the next acquire opens the new file', (t) => {
  const path = fresh('old contents');
  const { info, fds, close, changed } = caches(t);
  const old = leaseOf(fds, infoOf(info, path));
  writeFileSync(join(dir, 'replacement'), 'new');
  renameSync(join(dir, 'replacement'), path);
  changed(dir, IN_MOVED_TO, path.slice(dir.length + 1));
  t.is(fds.size, 0, 'the old fd left the cache with its info');
  const current = infoOf(info, path);
  const renewed = leaseOf(fds, current);
  t.not(renewed.fd, old.fd);
  t.is(readAll(renewed.fd, 64), 'new');
  t.is(fstatSync(renewed.fd).size, current.size);
  // The in-flight response on the old fd is not cut off.
  t.is(readAll(old.fd, 64), 'old contents');
  t.is(fdsIntoDir().length, 2);
  old.release();
  t.deepEqual(fdsIntoDir(), [renewed.fd], 'the retired fd closes on its last release');
  renewed.release();
  close();
  t.deepEqual(fdsIntoDir(), []);
});

test.serial('a file truncated in place reads short under a lease, and is reopened at its new size after its event', (t) => {
  const path = fresh('0123456789');
  const { info, fds, opens, close, changed } = caches(t);
  const before = infoOf(info, path);
  const lease = leaseOf(fds, before);
  truncateSync(path, 4);
  // The engine's contract: sendfile returns fewer than info.size bytes, so it closes the connection.
  t.is(readAll(lease.fd, before.size).length, 4);
  lease.release();
  changed(path, IN_MODIFY);
  const after = infoOf(info, path);
  t.is(after.size, 4);
  const renewed = leaseOf(fds, after);
  // The kernel may hand back the same fd number, so count opens instead.
  t.deepEqual(opens, [path, path]);
  t.is(readAll(renewed.fd, 64), '0123');
  renewed.release();
  t.deepEqual(fdsIntoDir(), [renewed.fd]);
  close();
});

test.serial('a deleted file\'s fd is closed as soon as its event is applied', (t) => {
  const path = fresh('doomed');
  const { info, fds, close, changed } = caches(t);
  leaseOf(fds, infoOf(info, path)).release();
  unlinkSync(path);
  t.is(fdsIntoDir().length, 1);
  changed(dir, IN_DELETE, path.slice(dir.length + 1));
  t.deepEqual(fdsIntoDir(), []);
  t.is(info.get(path), null);
  close();
});

test.serial('a leased fd is never closed, even after its file is deleted; it closes on release', (t) => {
  const path = fresh('in flight');
  const { info, fds, close, changed } = caches(t);
  const lease = leaseOf(fds, infoOf(info, path));
  unlinkSync(path);
  changed(dir, IN_DELETE, path.slice(dir.length + 1));
  for (let i = 0; i < 4; i++) info.sweep();
  t.is(readAll(lease.fd, 64), 'in flight');
  lease.release();
  t.deepEqual(fdsIntoDir(), []);
  close();
});

test.serial('acquire with stale info refuses a file replaced before it was opened, and invalidates the info', (t) => {
  const path = fresh('first');
  const { info, fds, close } = caches(t);
  const stale = infoOf(info, path);
  writeFileSync(join(dir, 'next'), 'second!');
  renameSync(join(dir, 'next'), path);
  t.is(fds.acquire(stale), null);
  t.deepEqual(fdsIntoDir(), [], 'the mismatching fd was closed');
  const current = infoOf(info, path);
  t.not(current.ino, stale.ino);
  const lease = leaseOf(fds, current);
  t.is(readAll(lease.fd, 64), 'second!');
  lease.release();
  close();
});

test.serial('acquire refuses a file that became a directory or vanished', (t) => {
  const path = fresh('x');
  const gone = fresh('y');
  const { info, fds, close } = caches(t);
  const stale = infoOf(info, path);
  const staleGone = infoOf(info, gone);
  unlinkSync(path);
  mkdirSync(path);
  unlinkSync(gone);
  t.is(fds.acquire(stale), null);
  t.is(fds.acquire(staleGone), null);
  t.is(info.get(path)?.kind, 'directory');
  t.is(info.get(gone), null);
  t.deepEqual(fdsIntoDir(), []);
  close();
});

test.serial('concurrent leases share one fd, and a retired fd closes only after the last of them', (t) => {
  const path = fresh('shared');
  const { info, fds, close, changed } = caches(t);
  const leases = Array.from({ length: 5 }, () => leaseOf(fds, infoOf(info, path)));
  t.is(new Set(leases.map((l) => l.fd)).size, 1);
  const fd = leases[0]!.fd;
  writeFileSync(path, 'changed in place, longer');
  changed(path, IN_MODIFY);
  const renewed = leaseOf(fds, infoOf(info, path));
  for (const lease of leases.slice(0, 4)) {
    lease.release();
    t.true(fdsIntoDir().includes(fd), 'still open while any lease holds it');
  }
  // Extra releases of a released lease must not steal the last holder's reference.
  leases[0]!.release();
  leases[0]!.release();
  t.true(fdsIntoDir().includes(fd));
  leases[4]!.release();
  t.deepEqual(fdsIntoDir(), [renewed.fd]);
  renewed.release();
  close();
});

test.serial('a lease is disposable', (t) => {
  const path = fresh('disposable');
  const { info, fds, close } = caches(t);
  fds.close();
  const lease = leaseOf(fds, infoOf(info, path));
  t.deepEqual(fdsIntoDir(), [lease.fd]);
  lease[Symbol.dispose]();
  t.deepEqual(fdsIntoDir(), []);
  close();
});

test.serial('past maxOpen, acquire hands out uncached fds closed on release', (t) => {
  const a = fresh('a');
  const b = fresh('b');
  const { info, fds, close } = caches(t, { maxOpen: 1 });
  const la = leaseOf(fds, infoOf(info, a));
  const lb = leaseOf(fds, infoOf(info, b));
  t.is(fds.size, 1);
  lb.release();
  t.deepEqual(fdsIntoDir(), [la.fd]);
  la.release();
  close();
});

test.serial('close closes idle fds now and leased ones on release; later leases are uncached', (t) => {
  const idle = fresh('idle');
  const busy = fresh('busy');
  const { info, fds, close } = caches(t);
  leaseOf(fds, infoOf(info, idle)).release();
  const held = leaseOf(fds, infoOf(info, busy));
  fds.close();
  t.deepEqual(fdsIntoDir(), [held.fd]);
  held.release();
  t.deepEqual(fdsIntoDir(), []);
  const late = leaseOf(fds, infoOf(info, idle));
  t.is(fds.size, 0);
  late.release();
  t.deepEqual(fdsIntoDir(), []);
  close();
});

test.serial('the shared timer closes every fd on its own', async (t) => {
  const paths = Array.from({ length: 5 }, (_, i) => fresh(`timed ${i}`));
  const info = new FileInfoCache({ sweepMs: 10 });
  const fds = new FdCache({ infoCache: info });
  for (const path of paths) leaseOf(fds, infoOf(info, path)).release();
  t.is(fdsIntoDir().length, 5);
  // Bounded wait; only the outcome is asserted, never how long it took.
  for (let i = 0; i < 300 && (fds.size > 0 || info.timerArmed); i++) await sleep(10);
  t.is(fds.size, 0);
  t.false(info.timerArmed);
  t.deepEqual(fdsIntoDir(), []);
  fds.close();
  info.close();
});

test.serial('open errors other than "missing" propagate; an fstat failure closes the fd first', (t) => {
  const path = fresh('x');
  const info = new FileInfoCache();
  const closed: number[] = [];
  const emfile: FdSystem = {
    openSync: () => { throw Object.assign(new Error('EMFILE'), { code: 'EMFILE' }); },
    fstatSync,
    closeSync,
  };
  t.throws(() => new FdCache({ infoCache: info, fs: emfile }).acquire(infoOf(info, path)), { message: 'EMFILE' });
  const badStat: FdSystem = {
    openSync,
    fstatSync: () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }); },
    closeSync: (fd) => (closed.push(fd), closeSync(fd)),
  };
  t.throws(() => new FdCache({ infoCache: info, fs: badStat }).acquire(infoOf(info, path)), { message: 'EIO' });
  t.is(closed.length, 1);
  t.deepEqual(fdsIntoDir(), []);
  info.close();
});

test.serial('acquire never blocks on a path that became a FIFO', (t) => {
  const path = fresh('x');
  const { info, fds } = caches(t);
  const stale = infoOf(info, path);
  unlinkSync(path);
  execFileSync('mkfifo', [path]);
  // Without O_NONBLOCK this open would wait forever for a writer.
  t.is(fds.acquire(stale), null);
  t.deepEqual(fdsIntoDir(), []);
});

test.serial('a same-size rewrite with a new mtime is reopened after its event', (t) => {
  const path = fresh('aaaa');
  const { info, fds, opens, changed } = caches(t);
  leaseOf(fds, infoOf(info, path)).release();
  writeFileSync(path, 'bbbb');
  utimesSync(path, 1_000_000, 1_000_000);
  changed(path, IN_MODIFY);
  const lease = leaseOf(fds, infoOf(info, path));
  t.deepEqual(opens, [path, path]);
  t.is(readAll(lease.fd, 64), 'bbbb');
  lease.release();
});
