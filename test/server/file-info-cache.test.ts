// The stat/realpath cache over real files and a fake inotify: what it caches, that the event for each kind of change
// drops exactly the entries it should, and that a path it cannot watch is answered afresh every time.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  lstatSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IN_ATTRIB, IN_CREATE, IN_DELETE, IN_MODIFY, IN_MOVED_FROM, IN_MOVED_TO, IN_Q_OVERFLOW } from '../../src/native/index.js';
import {
  FileInfoCache, isMissingFileError, makeEtag, type FileInfo, type FileInfoCacheOptions, type LookupSystem,
} from '../../src/server/file-info-cache.js';
import { FileWatch } from '../../src/server/file-watch.js';
import { FakeInotify } from './support/fake-inotify.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-file-info-')));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const fresh = (content: string | Buffer = 'hello'): string => {
  const path = join(dir, `f${counter++}.txt`);
  writeFileSync(path, content);
  return path;
};
const asFile = (info: ReturnType<FileInfoCache['get']>): FileInfo => {
  if (info === null || info.kind !== 'file') throw new Error(`expected a file, got ${JSON.stringify(info)}`);
  return info;
};

interface Setup {
  cache: FileInfoCache;
  fake: FakeInotify;
  watch: FileWatch;
  lstats: string[];
  warnings: string[];
  /** Delivers an event the way the kernel would name it: on the watch of `watched`, about `name` in it (or itself). */
  event(watched: string, mask: number, name?: string): void;
}

// A cache over a fake inotify, counting lstat calls.
function setup(t: { teardown(fn: () => void): void }, options: FileInfoCacheOptions = {}): Setup {
  const fake = new FakeInotify();
  const warnings: string[] = [];
  const watch = new FileWatch(fake, { warn: (m) => warnings.push(m) });
  const lstats: string[] = [];
  const fs: LookupSystem = {
    lstat: (p) => (lstats.push(p), lstatSync(p, { throwIfNoEntry: false })),
    readlink: (p) => readlinkSync(p),
  };
  const cache = new FileInfoCache({ watch, fs, ...options });
  t.teardown(() => (cache.close(), watch.close()));
  const event = (watched: string, mask: number, name?: string): void => watch.apply(fake.wdOf(watched), mask, name ?? null);
  return { cache, fake, watch, lstats, warnings, event };
}

test('get reports a file\'s identity, weak ETag and Last-Modified', (t) => {
  const path = fresh('0123456789');
  const { cache } = setup(t);
  const info = asFile(cache.get(path));
  const st = statSync(path);
  t.like(info, { kind: 'file', path, size: 10, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino });
  t.is(info.etag, `W/"a-${Math.round(st.mtimeMs * 1000).toString(16)}"`);
  t.is(info.lastModified, new Date(st.mtimeMs).toUTCString());
  t.regex(info.lastModified, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
});

test('get makes strong ETags from the inode when asked', (t) => {
  const path = fresh();
  const { cache } = setup(t, { etag: 'strong' });
  const st = statSync(path);
  t.is(asFile(cache.get(path)).etag, `"${st.ino.toString(16)}-5-${Math.round(st.mtimeMs * 1000).toString(16)}"`);
});

test('makeEtag changes with size, mtime and (when strong) inode', (t) => {
  const base = { ino: 1, size: 2, mtimeMs: 3.5 };
  t.is(makeEtag(base, 'weak'), 'W/"2-dac"'); // 3.5 ms = 3500 µs = 0xdac
  t.not(makeEtag({ ...base, size: 3 }, 'weak'), makeEtag(base, 'weak'));
  t.not(makeEtag({ ...base, mtimeMs: 3.501 }, 'weak'), makeEtag(base, 'weak'));
  t.is(makeEtag({ ...base, ino: 9 }, 'weak'), makeEtag(base, 'weak'));
  t.not(makeEtag({ ...base, ino: 9 }, 'strong'), makeEtag(base, 'strong'));
});

test('a path is looked up once; then get and realpath cost no fs call until something changes', (t) => {
  const path = fresh();
  const { cache, lstats } = setup(t);
  const first = cache.get(path);
  const calls = lstats.length;
  t.true(calls > 0);
  for (let i = 0; i < 5; i++) {
    t.is(cache.get(path), first);
    t.is(cache.realpath(path), path);
  }
  t.is(lstats.length, calls);
  t.is(cache.size, 1);
});

test('a write in place (IN_MODIFY on the file) drops its entry, and the next get sees the new size', (t) => {
  const path = fresh('short');
  const { cache, event } = setup(t);
  const before = asFile(cache.get(path));
  writeFileSync(path, 'a longer body');
  t.is(cache.get(path), before, 'until the event is applied, the entry stands');
  event(path, IN_MODIFY);
  const after = asFile(cache.get(path));
  t.is(after.ino, before.ino);
  t.is(after.size, 13);
  t.not(after, before);
});

test('a rename over the file (a name event in its directory) drops its entry', (t) => {
  const path = fresh('old');
  const { cache, event } = setup(t);
  const before = asFile(cache.get(path));
  const replacement = fresh('newer');
  renameSync(replacement, path);
  event(dir, IN_MOVED_TO, basename(path));
  const after = asFile(cache.get(path));
  t.not(after.ino, before.ino);
  t.is(after.size, 5);
});

test('a negative entry is kept until the name is created', (t) => {
  const path = join(dir, `later${counter++}.txt`);
  const { cache, lstats, event } = setup(t);
  t.is(cache.get(path), null);
  const calls = lstats.length;
  t.is(cache.get(path), null);
  t.is(lstats.length, calls);
  writeFileSync(path, 'here now');
  event(dir, IN_CREATE, basename(path));
  t.is(asFile(cache.get(path)).size, 8);
});

test('a change to another name in the directory drops nothing', (t) => {
  const path = fresh();
  const { cache, lstats, event } = setup(t);
  cache.get(path);
  const calls = lstats.length;
  event(dir, IN_DELETE, 'some-other-file');
  cache.get(path);
  t.is(lstats.length, calls);
});

test('a directory renamed or deleted drops every entry under it; its permissions changing too', (t) => {
  const sub = join(dir, `sub${counter++}`);
  mkdirSync(join(sub, 'deep'), { recursive: true });
  writeFileSync(join(sub, 'deep', 'x'), 'x');
  const { cache, event } = setup(t);
  t.is(cache.get(join(sub, 'deep', 'x'))?.kind, 'file');
  t.is(cache.get(join(sub, 'deep', 'y')), null);
  renameSync(sub, sub + '-moved');
  event(dir, IN_MOVED_FROM, basename(sub));
  t.is(cache.size, 0);
  t.is(cache.get(join(sub, 'deep', 'x')), null);
  renameSync(sub + '-moved', sub);
  event(dir, IN_MOVED_TO, basename(sub));
  t.is(cache.get(join(sub, 'deep', 'x'))?.kind, 'file');
  event(join(sub, 'deep'), IN_ATTRIB);
  t.is(cache.size, 0, 'a chmod of a directory on the way drops what was looked up through it');
});

test('realpath follows symlinks, caches the answer with the stat, and a swap of the link drops it', (t) => {
  const a = fresh('a');
  const b = fresh('bb');
  const link = join(dir, `link${counter++}`);
  symlinkSync(basename(a), link);
  const { cache, lstats, event } = setup(t);
  t.is(cache.realpath(link), a);
  t.is(asFile(cache.get(link)).size, 1);
  const calls = lstats.length;
  t.is(cache.realpath(link), a);
  t.is(lstats.length, calls, 'get and realpath share one lookup');
  symlinkSync(basename(b), link + '.tmp');
  renameSync(link + '.tmp', link);
  event(dir, IN_MOVED_TO, basename(link));
  t.is(cache.realpath(link), b);
  t.is(asFile(cache.get(link)).size, 2);
  t.is(cache.realpath(join(dir, 'nope')), null);
});

test('missing, ENOTDIR, a directory and a FIFO are answered as the stat cache always did', (t) => {
  const sub = join(dir, `d${counter++}`);
  mkdirSync(sub);
  const fifo = join(dir, `fifo${counter++}`);
  execFileSync('mkfifo', [fifo]);
  const { cache } = setup(t);
  t.is(cache.get(join(dir, 'missing')), null);
  t.is(cache.get(join(fresh(), 'child')), null);
  t.deepEqual(cache.get(sub), { kind: 'directory', path: sub, mtimeMs: statSync(sub).mtimeMs });
  t.is(cache.get(fifo), null, 'never offered: opening a FIFO would block');
});

test('stat errors meaning "not servable" are missing; the rest are rethrown and nothing is cached', (t) => {
  const failing = (code: string): LookupSystem => ({
    lstat: (p) => (p.endsWith('/x') ? (() => { throw Object.assign(new Error(code), { code }); })() : lstatSync(p)),
    readlink: () => '',
  });
  for (const code of ['ENOENT', 'ENOTDIR', 'EACCES', 'ELOOP', 'ENAMETOOLONG']) {
    t.is(setup(t, { fs: failing(code) }).cache.get(join(dir, 'x')), null, code);
  }
  const { cache } = setup(t, { fs: failing('EIO') });
  t.throws(() => cache.get(join(dir, 'x')), { message: 'EIO' });
  t.is(cache.size, 0);
  t.true(isMissingFileError(Object.assign(new Error('x'), { code: 'ENOENT' })));
});

test('without a watch nothing is cached: every call asks the filesystem', (t) => {
  const path = fresh();
  const calls: string[] = [];
  const cache = new FileInfoCache({
    stat: (p) => (calls.push(p), statSync(p, { throwIfNoEntry: false })),
    realpath: (p) => (calls.push(`real ${p}`), realpathSync.native(p)),
  });
  t.is(cache.get(path)?.kind, 'file');
  t.is(cache.get(path)?.kind, 'file');
  t.is(cache.realpath(path), path);
  t.is(cache.realpath(join(dir, 'nope')), null);
  t.deepEqual(calls, [path, path, `real ${path}`, `real ${join(dir, 'nope')}`]);
  t.is(cache.size, 0);
  const failing = new FileInfoCache({ stat: () => { throw Object.assign(new Error('EACCES'), { code: 'EACCES' }); } });
  t.is(failing.get(path), null);
  const broken = new FileInfoCache({ stat: () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }); } });
  t.throws(() => broken.get(path), { message: 'EIO' });
});

test('when the watch limit is reached, the paths not yet watched are answered uncached (one warning)', (t) => {
  const cached = fresh();
  const later = fresh();
  const { cache, fake, warnings } = setup(t);
  cache.get(cached);
  fake.failWith = () => -28;
  t.is(cache.get(later)?.kind, 'file');
  t.is(cache.get(later)?.kind, 'file');
  t.is(cache.realpath(later), later);
  t.is(cache.size, 1, 'only the path watched before the limit is cached');
  t.is(warnings.length, 1);
});

test('past maxEntries the oldest entry makes room', (t) => {
  const [a, b, c] = [fresh(), fresh(), fresh()];
  const { cache, lstats } = setup(t, { maxEntries: 2 });
  cache.get(a);
  cache.get(b);
  cache.get(c);
  t.is(cache.size, 2);
  const calls = lstats.length;
  cache.get(c);
  cache.get(b);
  t.is(lstats.length, calls);
  cache.get(a);
  t.true(lstats.length > calls, 'a was evicted');
});

test.serial('a relative path is resolved against the working directory, and looked up again after a chdir', (t) => {
  const one = join(dir, `cwd${counter++}`);
  const two = join(dir, `cwd${counter++}`);
  mkdirSync(one);
  mkdirSync(two);
  writeFileSync(join(one, 'r.txt'), '1');
  writeFileSync(join(two, 'r.txt'), '22');
  const { cache } = setup(t);
  const cwd = process.cwd();
  try {
    process.chdir(one);
    t.is(asFile(cache.get('r.txt')).size, 1);
    t.is(cache.realpath('r.txt'), join(one, 'r.txt'));
    process.chdir(two);
    t.is(asFile(cache.get('r.txt')).size, 2);
    t.is(cache.realpath('r.txt'), join(two, 'r.txt'));
  } finally {
    process.chdir(cwd);
  }
});

test('invalidate forgets one path, and drop listeners hear every path that leaves', (t) => {
  const a = fresh();
  const b = fresh();
  const { cache, event } = setup(t);
  const dropped: string[] = [];
  const stop = cache.onDrop((p) => dropped.push(p));
  cache.get(a);
  cache.get(b);
  cache.invalidate(a);
  cache.invalidate(join(dir, 'never-cached'));
  event(b, IN_MODIFY);
  t.deepEqual(dropped, [a, b]);
  stop();
  cache.get(a);
  cache.invalidate(a);
  t.is(dropped.length, 2);
});

test('an overflow drops every entry', (t) => {
  const { cache, watch } = setup(t);
  cache.get(fresh());
  cache.get(join(dir, 'missing'));
  watch.apply(-1, IN_Q_OVERFLOW, null);
  t.is(cache.size, 0);
});

test('a lookup that raced a change is answered once but not cached', (t) => {
  const sub = join(dir, `race${counter++}`);
  mkdirSync(sub);
  writeFileSync(join(sub, 'f'), 'x');
  const fake = new FakeInotify();
  const watch = new FileWatch(fake, { warn: () => {} });
  let fired = false;
  const fs: LookupSystem = {
    lstat: (p) => {
      // The directory is renamed away (its event applied) while the lookup is inside it.
      if (p === join(sub, 'f') && !fired) {
        fired = true;
        watch.apply(fake.wdOf(dir), IN_MOVED_FROM, basename(sub));
      }
      return lstatSync(p, { throwIfNoEntry: false });
    },
    readlink: () => '',
  };
  const cache = new FileInfoCache({ watch, fs });
  t.is(cache.get(join(sub, 'f'))?.kind, 'file');
  t.is(cache.size, 0);
  t.is(cache.get(join(sub, 'f'))?.kind, 'file');
  t.is(cache.size, 1);
  cache.close();
  watch.close();
});

test('sweeps give back the watches nothing uses; the timer runs only while there is something to give back', (t) => {
  const path = fresh();
  const { cache, fake, event } = setup(t, { sweepMs: 60_000 });
  t.false(cache.timerArmed);
  cache.get(path);
  t.true(cache.timerArmed, 'the lookup left watches to look at');
  cache.sweep();
  t.false(cache.timerArmed);
  t.true(fake.watched.includes(path), 'a cached file keeps its watch');
  event(path, IN_MODIFY);
  t.true(cache.timerArmed);
  cache.sweep();
  t.deepEqual(fake.watched, []);
});

test('a sweep subscriber that still holds entries keeps the timer running, until it unsubscribes', (t) => {
  const { cache } = setup(t, { sweepMs: 60_000 });
  let held = true;
  const ticks: string[] = [];
  const unsubscribe = cache.onSweep(() => (ticks.push('tick'), held));
  cache.armTimer();
  cache.sweep();
  t.true(cache.timerArmed);
  held = false;
  cache.sweep();
  t.false(cache.timerArmed);
  unsubscribe();
  cache.sweep();
  t.deepEqual(ticks, ['tick', 'tick']);
});

test('the timer sweeps on its own', async (t) => {
  const { cache, fake, event } = setup(t, { sweepMs: 10 });
  const path = fresh();
  cache.get(path);
  event(path, IN_MODIFY);
  // Bounded wait for the unref'd interval to fire; no timing is asserted, only that it happens.
  for (let i = 0; i < 200 && (fake.watched.length > 0 || cache.timerArmed); i++) await sleep(10);
  t.deepEqual(fake.watched, []);
  t.false(cache.timerArmed);
});

test('close drops every entry, stops the timer, and later lookups are not cached', (t) => {
  const path = fresh();
  const { cache, lstats } = setup(t);
  cache.get(path);
  cache.close();
  t.false(cache.timerArmed);
  t.is(cache.size, 0);
  const calls = lstats.length;
  t.is(cache.get(path)?.kind, 'file');
  t.is(cache.get(path)?.kind, 'file');
  cache.armTimer();
  t.false(cache.timerArmed);
  t.is(lstats.length, calls, 'answered by the uncached stat, not a watched lookup');
  t.is(cache.size, 0);
});

test('a directory entry is dropped when a name in it changes (its mtime moved)', (t) => {
  const sub = join(dir, `dm${counter++}`);
  mkdirSync(sub);
  const { cache, event } = setup(t);
  const before = cache.get(sub);
  writeFileSync(join(sub, 'new'), '');
  event(sub, IN_CREATE, 'new');
  t.not(cache.get(sub), before);
});

test('has tells a cached entry from an uncached answer, and generation counts the entries that left', (t) => {
  const path = fresh();
  const { cache, fake, event } = setup(t);
  t.false(cache.has(path));
  cache.get(path);
  t.true(cache.has(path));
  const before = cache.generation;
  event(path, IN_MODIFY);
  t.false(cache.has(path));
  t.is(cache.generation, before + 1);
  // A new file needs a watch of its own, which the limit now refuses.
  const unwatched = fresh();
  fake.failWith = () => -28;
  t.is(cache.get(unwatched)?.kind, 'file');
  t.false(cache.has(unwatched));
});
