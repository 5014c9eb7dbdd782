// The watch tree over a fake inotify and real directories: which watches exist, what each event drops, and how
// watches are given back (prune, hard links, IN_IGNORED) or refused (the watch limit, unwatchable filesystems).
import test from 'ava';
import { linkSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  IN_ATTRIB, IN_CREATE, IN_DELETE_SELF, IN_IGNORED, IN_MODIFY, IN_MOVE_SELF, IN_MOVED_FROM, IN_Q_OVERFLOW,
} from '../../src/native/index.js';
import { FileWatch } from '../../src/server/file-watch.js';
import type { WatchDependent, WatchNode } from '../../src/server/file-watch-tree.js';
import { FakeInotify } from './support/fake-inotify.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-file-watch-')));
test.after.always(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;

/** A fresh directory under the test root with files a.txt and sub/b.txt. */
function tree(): string {
  const dir = join(base, `t${counter++}`);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.txt'), 'a');
  writeFileSync(join(dir, 'sub', 'b.txt'), 'b');
  return dir;
}

/** A dependent that records when it is dropped. */
function dependent(log: string[], name: string): WatchDependent {
  return { drop: () => log.push(name) };
}

/** Walks real directory names from '/' with enter(), as a lookup does; the node of the last one. */
function enterPath(watch: FileWatch, path: string, last: 'dir' | 'file' = 'dir'): WatchNode {
  const names = path.split('/').filter((n) => n !== '');
  let node = watch.root()!;
  names.forEach((name, i) => {
    node = watch.enter(node, name, i === names.length - 1 ? last : 'dir')!;
  });
  return node;
}

function setup(options: ConstructorParameters<typeof FileWatch>[1] = {}): { fake: FakeInotify; watch: FileWatch; warnings: string[] } {
  const fake = new FakeInotify();
  const warnings: string[] = [];
  const watch = new FileWatch(fake, { warn: (m) => warnings.push(m), ...options });
  return { fake, watch, warnings };
}

test('enter watches each directory once, from / down, and the file itself', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const file = enterPath(watch, join(dir, 'sub', 'b.txt'), 'file');
  t.is(file.path, join(dir, 'sub', 'b.txt'));
  t.is(file.kind, 'file');
  const again = enterPath(watch, join(dir, 'sub', 'b.txt'), 'file');
  t.is(again, file);
  t.is(fake.adds.length, dir.split('/').length + 2, 'no second add for names already watched');
  t.true(fake.watched.includes('/'));
});

test('a name event drops the entries that looked that name up, and only those', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const node = enterPath(watch, dir);
  const log: string[] = [];
  node.dependents('a.txt').add(dependent(log, 'a'));
  node.dependents('sub').add(dependent(log, 'sub'));
  node.self.add(dependent(log, 'dir itself'));
  watch.apply(fake.wdOf(dir), IN_CREATE, 'a.txt');
  t.deepEqual(log, ['a', 'dir itself'], "a directory's own stat changes with its names");
  watch.apply(fake.wdOf(dir), IN_CREATE, 'unrelated');
  t.deepEqual(log, ['a', 'dir itself']);
});

test('a name event for a watched child forgets its whole subtree and gives its watches back', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const file = enterPath(watch, join(dir, 'sub', 'b.txt'), 'file');
  const log: string[] = [];
  file.self.add(dependent(log, 'b'));
  const subWd = fake.wdOf(join(dir, 'sub'));
  const fileWd = fake.wdOf(join(dir, 'sub', 'b.txt'));
  watch.apply(fake.wdOf(dir), IN_MOVED_FROM, 'sub');
  t.deepEqual(log, ['b']);
  t.false(file.attached);
  t.deepEqual(fake.removed.sort(), [subWd, fileWd].sort());
  // Entering again watches the directory now at that name.
  t.not(enterPath(watch, join(dir, 'sub')), file.parent);
});

test('a chmod of a child (IN_ATTRIB with its name) drops lookups of that name but keeps the child\'s watch', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const sub = enterPath(watch, join(dir, 'sub'));
  const log: string[] = [];
  sub.parent!.dependents('sub').add(dependent(log, 'through sub'));
  watch.apply(fake.wdOf(dir), IN_ATTRIB, 'sub');
  t.deepEqual(log, ['through sub']);
  t.true(sub.attached);
  t.deepEqual(fake.removed, []);
});

test('an event without a name drops everything that depended on the inode, names in it included', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const node = enterPath(watch, dir);
  const log: string[] = [];
  node.dependents('a.txt').add(dependent(log, 'through a.txt'));
  node.self.add(dependent(log, 'the dir'));
  // chmod of the directory: every lookup through it may now fail or succeed.
  watch.apply(fake.wdOf(dir), IN_ATTRIB, null);
  t.deepEqual(log.sort(), ['the dir', 'through a.txt']);
  t.true(node.attached, 'an attribute change does not end the watch');
});

test('IN_IGNORED and IN_DELETE_SELF forget a node without removing the watch; IN_MOVE_SELF removes it', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const a = enterPath(watch, join(dir, 'a.txt'), 'file');
  const sub = enterPath(watch, join(dir, 'sub'));
  watch.apply(fake.wdOf(join(dir, 'a.txt')), IN_IGNORED, null);
  t.false(a.attached);
  t.deepEqual(fake.removed, []);
  const subWd = fake.wdOf(join(dir, 'sub'));
  watch.apply(subWd, IN_MOVE_SELF, null);
  t.false(sub.attached);
  t.deepEqual(fake.removed, [subWd]);
  const again = enterPath(watch, join(dir, 'sub'));
  watch.apply(fake.wdOf(join(dir, 'sub')), IN_DELETE_SELF, null);
  t.false(again.attached);
  t.deepEqual(fake.removed, [subWd]);
});

test('two names of one file share its watch: an event reaches both, and the watch goes only with the last', (t) => {
  const dir = tree();
  linkSync(join(dir, 'a.txt'), join(dir, 'sub', 'hard.txt'));
  const { fake, watch } = setup();
  const one = enterPath(watch, join(dir, 'a.txt'), 'file');
  const two = enterPath(watch, join(dir, 'sub', 'hard.txt'), 'file');
  t.is(one.wd, two.wd);
  const log: string[] = [];
  one.self.add(dependent(log, 'one'));
  two.self.add(dependent(log, 'two'));
  watch.apply(one.wd, IN_MODIFY, null);
  t.deepEqual(log, ['one', 'two']);
  t.is(watch.watches, 4 + dir.split('/').length - 1);
  watch.apply(fake.wdOf(dir), IN_MOVED_FROM, 'a.txt');
  t.false(one.attached);
  t.true(two.attached);
  t.false(fake.removed.includes(one.wd), 'the other name still uses the watch');
  watch.apply(fake.wdOf(join(dir, 'sub')), IN_MOVED_FROM, 'hard.txt');
  t.true(fake.removed.includes(one.wd));
});

test('a name that now holds another kind of inode is watched afresh', (t) => {
  const dir = tree();
  const { watch } = setup();
  const parent = enterPath(watch, dir);
  const asFile = watch.enter(parent, 'sub', 'file');
  t.false(enterPath(watch, join(dir, 'sub')) === asFile);
  t.false(asFile!.attached);
});

test('prune gives back watches nothing depends on, children before parents, and keeps the rest', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const a = enterPath(watch, join(dir, 'a.txt'), 'file');
  const b = enterPath(watch, join(dir, 'sub', 'b.txt'), 'file');
  const member = dependent([], 'a');
  a.self.add(member);
  t.true(watch.hasIdle);
  watch.prune();
  t.false(b.attached);
  t.false(b.parent!.attached);
  t.true(a.attached);
  t.true(a.parent!.attached);
  t.false(watch.hasIdle);
  t.deepEqual(fake.watched, [...ancestors(dir), dir, join(dir, 'a.txt')].sort());
  a.self.remove(member);
  watch.prune();
  t.deepEqual(fake.watched, []);
});

test('a name set emptied by drops stays until prune, so a lookup holding it still joins the set events reach', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const node = enterPath(watch, dir);
  const held = node.dependents('a.txt');
  const log: string[] = [];
  const first = dependent(log, 'first');
  held.add(first);
  held.remove(first);
  t.is(node.dependents('a.txt'), held);
  held.add(dependent(log, 'second'));
  watch.apply(fake.wdOf(dir), IN_CREATE, 'a.txt');
  t.deepEqual(log, ['second']);
});

test('add on a set of a forgotten node is refused', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const sub = enterPath(watch, join(dir, 'sub'));
  const set = sub.dependents('b.txt');
  watch.apply(fake.wdOf(dir), IN_MOVED_FROM, 'sub');
  t.false(set.add(dependent([], 'late')));
});

test('an overflow (wd -1 or IN_Q_OVERFLOW) drops every entry and every watch', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const log: string[] = [];
  enterPath(watch, join(dir, 'a.txt'), 'file').self.add(dependent(log, 'a'));
  watch.apply(-1, IN_Q_OVERFLOW, null);
  t.deepEqual(log, ['a']);
  t.deepEqual(fake.watched, []);
  t.is(watch.watches, 0);
  enterPath(watch, join(dir, 'a.txt'), 'file').self.add(dependent(log, 'a again'));
  watch.apply(5, IN_Q_OVERFLOW, null);
  t.deepEqual(log, ['a', 'a again']);
});

test('events for watches it does not know are ignored', (t) => {
  const { watch } = setup();
  t.notThrows(() => watch.apply(12345, IN_MODIFY, null));
});

test('applyRecord reads the NUL-terminated UTF-8 name at its offset, or none', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const node = enterPath(watch, dir);
  const log: string[] = [];
  node.dependents('é.txt').add(dependent(log, 'named'));
  node.self.add(dependent(log, 'self'));
  const names = Buffer.from('xxé.txt\0yy', 'utf8');
  watch.applyRecord(fake.wdOf(dir), IN_CREATE, 2, names);
  t.deepEqual(log, ['named', 'self']);
  node.self.add(dependent(log, 'self again'));
  node.dependents('other').add(dependent(log, 'other'));
  watch.applyRecord(fake.wdOf(dir), IN_ATTRIB, -1, names);
  t.deepEqual(log.slice(2).sort(), ['other', 'self again']);
});

test('the watch limit: one warning, no further add until a watch is given back', (t) => {
  const dir = tree();
  const { fake, watch, warnings } = setup();
  const parent = enterPath(watch, dir);
  const idle = watch.enter(parent, 'sub', 'dir')!;
  fake.failWith = () => -28; // ENOSPC
  t.is(watch.enter(parent, 'a.txt', 'file'), null);
  t.is(watch.enter(parent, 'a.txt', 'file'), null);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /max_user_watches/);
  fake.failWith = null;
  const adds = fake.adds.length;
  t.is(watch.enter(parent, 'a.txt', 'file'), null, 'still refused: nothing was given back');
  t.is(fake.adds.length, adds);
  watch.apply(fake.wdOf(dir), IN_MOVED_FROM, 'sub');
  t.false(idle.attached);
  t.not(watch.enter(parent, 'a.txt', 'file'), null);
  t.is(warnings.length, 1);
});

test('no inotify at all (EMFILE, ENOSYS...): one warning and no watch ever', (t) => {
  const { fake, watch, warnings } = setup();
  fake.failWith = () => -24; // EMFILE
  t.is(watch.root(), null);
  t.is(watch.root(), null);
  t.deepEqual(warnings.length, 1);
  t.regex(warnings[0]!, /max_user_instances/);
  const other = setup();
  other.fake.failWith = () => -38; // ENOSYS
  t.is(other.watch.root(), null);
  t.regex(other.warnings[0]!, /not available \(ENOSYS\)/);
});

test('a path-specific failure refuses that name only: a race (ENOENT) silently, EACCES with the one warning', (t) => {
  const dir = tree();
  const { fake, watch, warnings } = setup();
  const parent = enterPath(watch, dir);
  fake.failWith = (path) => (path.endsWith('a.txt') ? -2 : null);
  t.is(watch.enter(parent, 'a.txt', 'file'), null);
  t.deepEqual(warnings, []);
  fake.failWith = (path) => (path.endsWith('a.txt') ? -13 : null);
  t.is(watch.enter(parent, 'a.txt', 'file'), null);
  t.not(watch.enter(parent, 'sub', 'dir'), null, 'other names are still watched');
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /a\.txt cannot be watched \(inotify_add_watch: EACCES\)/);
  t.is(watch.enter(parent, 'a.txt', 'file'), null);
  t.is(warnings.length, 1, 'one warning per process');
});

test('directories on network and FUSE filesystems are never watched', (t) => {
  const dir = tree();
  const { fake, watch, warnings } = setup({ fsType: (path) => (path === join(dir, 'sub') ? 0x6969 : 0xef53) });
  const parent = enterPath(watch, dir);
  t.is(watch.enter(parent, 'sub', 'dir'), null);
  t.false(fake.watched.includes(join(dir, 'sub')));
  t.regex(warnings[0] ?? '', /sub is on a network or FUSE filesystem/);
  const broken = setup({ fsType: () => { throw new Error('statfs failed'); } });
  t.is(broken.watch.root(), null);
  // The default probe reads the real filesystem type.
  t.not(setup().watch.root(), null);
});

test('close drops everything and refuses new watches', (t) => {
  const dir = tree();
  const { fake, watch } = setup();
  const log: string[] = [];
  enterPath(watch, join(dir, 'a.txt'), 'file').self.add(dependent(log, 'a'));
  watch.close();
  t.deepEqual(log, ['a']);
  t.deepEqual(fake.watched, []);
  t.is(watch.root(), null);
});

test('onIdle is called when the first node turns idle', (t) => {
  const { watch } = setup();
  let calls = 0;
  watch.onIdle = () => calls++;
  watch.root();
  t.is(calls, 1);
  watch.prune();
  watch.root();
  t.is(calls, 2);
});

function ancestors(path: string): string[] {
  const out = ['/'];
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = 1; i < parts.length; i++) out.push('/' + parts.slice(0, i).join('/'));
  return out;
}
