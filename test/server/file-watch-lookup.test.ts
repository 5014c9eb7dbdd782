// The watched lookup over real files and a fake inotify: it resolves like the kernel (symlinks, '..', trailing
// slashes, ELOOP), and records every (directory, name) it consulted, symlinks' own directories included.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileWatch } from '../../src/server/file-watch.js';
import { isMissingFileError, lookupWatched, NODE_LOOKUP_SYSTEM, type LookupSystem } from '../../src/server/file-watch-lookup.js';
import { FakeInotify } from './support/fake-inotify.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-lookup-')));
test.after.always(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;

function fresh(): string {
  const dir = join(base, `t${counter++}`);
  mkdirSync(join(dir, 'real', 'deep'), { recursive: true });
  writeFileSync(join(dir, 'real', 'deep', 'f.txt'), 'hello');
  mkdirSync(join(dir, 'links'));
  return dir;
}

function setup(): { fake: FakeInotify; watch: FileWatch } {
  const fake = new FakeInotify();
  return { fake, watch: new FileWatch(fake, { warn: () => {} }) };
}

/** The (directory, name) pairs a lookup depends on, as 'dir :: name' (or 'path :: self'). */
function depsOf(result: ReturnType<typeof lookupWatched>): string[] {
  return (result?.deps ?? []).map((set) => `${set.node.path} :: ${set.name ?? 'self'}`);
}

function namesOn(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.map((name, i) => `${i === 0 ? '/' : '/' + parts.slice(0, i).join('/')} :: ${name}`);
}

test('a plain file: every name from / down, then the file itself, stat and real path', (t) => {
  const dir = fresh();
  const { fake, watch } = setup();
  const path = join(dir, 'real', 'deep', 'f.txt');
  const found = lookupWatched(watch, path, NODE_LOOKUP_SYSTEM);
  t.is(found?.real, path);
  t.is(found?.stat?.size, 5);
  t.deepEqual(depsOf(found), [...namesOn(path), `${path} :: self`]);
  t.true(fake.watched.includes(path));
});

test('a directory ends on its own stat; a trailing slash on it is fine', (t) => {
  const dir = fresh();
  const { watch } = setup();
  const found = lookupWatched(watch, join(dir, 'real') + '/', NODE_LOOKUP_SYSTEM);
  t.is(found?.real, join(dir, 'real'));
  t.true(found?.stat?.isDirectory());
  t.is(depsOf(found).at(-1), `${join(dir, 'real')} :: self`);
  t.is(lookupWatched(watch, '/', NODE_LOOKUP_SYSTEM)?.real, '/');
});

test('a missing name, or more path after a file (a trailing slash too), is missing but still depends on the names', (t) => {
  const dir = fresh();
  const { watch } = setup();
  const missing = lookupWatched(watch, join(dir, 'real', 'nope', 'x'), NODE_LOOKUP_SYSTEM);
  t.deepEqual(missing && { stat: missing.stat, real: missing.real }, { stat: undefined, real: null });
  t.is(depsOf(missing).at(-1), `${join(dir, 'real')} :: nope`, 'creating "nope" must drop it');
  const file = join(dir, 'real', 'deep', 'f.txt');
  t.is(lookupWatched(watch, file + '/', NODE_LOOKUP_SYSTEM)?.real, null);
  t.is(lookupWatched(watch, file + '/x', NODE_LOOKUP_SYSTEM)?.real, null);
});

test('a symlink chain depends on each link\'s name and on the target\'s names', (t) => {
  const dir = fresh();
  const { watch } = setup();
  // links/a -> b (relative), links/b -> <dir>/real/deep (absolute)
  symlinkSync('b', join(dir, 'links', 'a'));
  symlinkSync(join(dir, 'real', 'deep'), join(dir, 'links', 'b'));
  const found = lookupWatched(watch, join(dir, 'links', 'a', 'f.txt'), NODE_LOOKUP_SYSTEM);
  t.is(found?.real, join(dir, 'real', 'deep', 'f.txt'));
  const deps = depsOf(found);
  t.true(deps.includes(`${join(dir, 'links')} :: a`));
  t.true(deps.includes(`${join(dir, 'links')} :: b`));
  t.true(deps.includes(`${join(dir, 'real')} :: deep`));
  t.true(deps.includes(`${join(dir, 'real', 'deep')} :: f.txt`));
});

test('".." after a symlink is the physical parent, as the kernel resolves it', (t) => {
  const dir = fresh();
  const { watch } = setup();
  symlinkSync(join(dir, 'real', 'deep'), join(dir, 'links', 'd'));
  writeFileSync(join(dir, 'real', 'top.txt'), 'top');
  // Not join(): it would fold the '..' by text.
  const path = `${dir}/links/d/../top.txt`;
  const found = lookupWatched(watch, path, NODE_LOOKUP_SYSTEM);
  t.is(found?.real, join(dir, 'real', 'top.txt'));
  t.is(found?.real, realpathSync.native(path));
  t.is(lookupWatched(watch, `/../..${dir}/real`, NODE_LOOKUP_SYSTEM)?.real, join(dir, 'real'));
});

test('a link to "dir/." or "dir/" must end at a directory', (t) => {
  const dir = fresh();
  const { watch } = setup();
  symlinkSync('../real/deep/f.txt/', join(dir, 'links', 'slash'));
  symlinkSync('../real/deep/.', join(dir, 'links', 'dot'));
  t.is(lookupWatched(watch, join(dir, 'links', 'slash'), NODE_LOOKUP_SYSTEM)?.real, null);
  t.is(lookupWatched(watch, join(dir, 'links', 'dot'), NODE_LOOKUP_SYSTEM)?.real, join(dir, 'real', 'deep'));
});

test('a symlink loop is missing (ELOOP) after 40 links', (t) => {
  const dir = fresh();
  const { watch } = setup();
  symlinkSync('loop2', join(dir, 'links', 'loop1'));
  symlinkSync('loop1', join(dir, 'links', 'loop2'));
  const found = lookupWatched(watch, join(dir, 'links', 'loop1'), NODE_LOOKUP_SYSTEM);
  t.deepEqual(found && { stat: found.stat, real: found.real }, { stat: undefined, real: null });
  // 40 hops are still fine.
  for (let i = 0; i < 40; i++) symlinkSync(i === 39 ? '../real/deep/f.txt' : `c${i + 1}`, join(dir, 'links', `c${i}`));
  t.is(lookupWatched(watch, join(dir, 'links', 'c0'), NODE_LOOKUP_SYSTEM)?.real, join(dir, 'real', 'deep', 'f.txt'));
});

test('a FIFO resolves but is not a file, and is not watched itself', (t) => {
  const dir = fresh();
  const { fake, watch } = setup();
  const fifo = join(dir, 'real', 'fifo');
  execFileSync('mkfifo', [fifo]);
  const found = lookupWatched(watch, fifo, NODE_LOOKUP_SYSTEM);
  t.is(found?.real, fifo);
  t.false(found?.stat?.isFile());
  t.false(fake.watched.includes(fifo));
});

test('a file is stat\'ed again after its watch is added, and that second stat is the answer', (t) => {
  const dir = fresh();
  const { watch } = setup();
  const path = join(dir, 'real', 'deep', 'f.txt');
  let calls = 0;
  const fs: LookupSystem = {
    lstat: (p) => {
      if (p === path && ++calls === 2) writeFileSync(path, 'changed between');
      return lstatSync(p, { throwIfNoEntry: false });
    },
    readlink: NODE_LOOKUP_SYSTEM.readlink,
  };
  // The write happens inside the second lstat, i.e. after the watch: the answer is the new size either way.
  const found = lookupWatched(watch, path, fs);
  t.is(calls, 2);
  t.is(found?.stat?.size, 'changed between'.length);
});

test('a name that cannot be watched abandons the lookup (null); other fs errors propagate', (t) => {
  const dir = fresh();
  const { fake, watch } = setup();
  fake.failWith = (path) => (path.endsWith('deep') ? -13 : null);
  t.is(lookupWatched(watch, join(dir, 'real', 'deep', 'f.txt'), NODE_LOOKUP_SYSTEM), null);
  fake.failWith = (path) => (path.endsWith('f.txt') ? -13 : null);
  t.is(lookupWatched(watch, join(dir, 'real', 'deep', 'f.txt'), NODE_LOOKUP_SYSTEM), null);
  const eio: LookupSystem = { lstat: () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }); }, readlink: NODE_LOOKUP_SYSTEM.readlink };
  t.throws(() => lookupWatched(watch, join(dir, 'real'), eio), { message: 'EIO' });
  const badLink: LookupSystem = {
    lstat: (p) => ({ ...lstatSync(p), isSymbolicLink: () => true }),
    readlink: () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }); },
  };
  t.throws(() => lookupWatched(watch, join(dir, 'real'), badLink), { message: 'EIO' });
  const root = setup();
  root.fake.failWith = () => -24;
  t.is(lookupWatched(root.watch, join(dir, 'real'), NODE_LOOKUP_SYSTEM), null);
});

test('lstat and readlink errors meaning "not there" make a missing answer (a link swapped for a file mid-lookup too)', (t) => {
  const dir = fresh();
  const { watch } = setup();
  const missing = (code: string): LookupSystem => ({
    lstat: (p) => (p.endsWith('real') ? (() => { throw Object.assign(new Error(code), { code }); })() : lstatSync(p)),
    readlink: NODE_LOOKUP_SYSTEM.readlink,
  });
  for (const code of ['ENOENT', 'ENOTDIR', 'EACCES', 'ELOOP', 'ENAMETOOLONG']) {
    t.is(lookupWatched(watch, join(dir, 'real', 'x'), missing(code))?.real, null, code);
  }
  const swapped: LookupSystem = {
    lstat: (p) => (p.endsWith('real') ? { ...lstatSync(p), isSymbolicLink: () => true } : lstatSync(p)),
    readlink: () => { throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' }); },
  };
  t.is(lookupWatched(watch, join(dir, 'real', 'x'), swapped)?.real, null);
});

test('isMissingFileError matches on code only', (t) => {
  t.true(isMissingFileError(Object.assign(new Error('x'), { code: 'ENOENT' })));
  t.false(isMissingFileError(new Error('ENOENT')));
  t.false(isMissingFileError(null));
  t.false(isMissingFileError({ code: 42 }));
});
