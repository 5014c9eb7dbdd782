// The request-path memo of the static app: kept while the file caches drop nothing, and only for answers made from
// cached (watched) lookups; over a real FileInfoCache on a fake inotify.
import test from 'ava';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IN_MODIFY } from '../../../src/native/index.js';
import { resolveSafePath, type SafePath } from '../../../src/middleware/static/safe-path.js';
import { TargetCache } from '../../../src/middleware/static/target-cache.js';
import { FileInfoCache } from '../../../src/server/file-info-cache.js';
import { FileWatch } from '../../../src/server/file-watch.js';
import { FakeInotify } from '../../server/support/fake-inotify.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-targets-')));
writeFileSync(join(root, 'a.txt'), 'a');
writeFileSync(join(root, 'b.txt'), 'b');
test.after.always(() => rmSync(root, { recursive: true, force: true }));

function setup(t: { teardown(fn: () => void): void }, max?: number): { info: FileInfoCache; fake: FakeInotify; watch: FileWatch; targets: TargetCache; resolved: string[] } {
  const fake = new FakeInotify();
  const watch = new FileWatch(fake, { warn: () => {} });
  const info = new FileInfoCache({ watch });
  t.teardown(() => (info.close(), watch.close()));
  const resolved: string[] = [];
  const targets = new TargetCache(info, (path, realpath) => (resolved.push(path), resolveSafePath(root, path, { realpath })), max);
  return { info, fake, watch, targets, resolved };
}

const okPath = (target: SafePath): string | null => (target.kind === 'ok' ? target.path : null);

test('a hot path is resolved once, while the file caches drop nothing', (t) => {
  const { targets, resolved } = setup(t);
  const first = targets.lookup('/a.txt');
  t.is(okPath(first), join(root, 'a.txt'));
  t.is(targets.lookup('/a.txt'), first);
  t.is(targets.lookup('/a.txt'), first);
  t.deepEqual(resolved, ['/a.txt']);
  t.is(targets.lookup('/../x').kind, 'reject', 'refusals are kept too');
  targets.lookup('/../x');
  t.deepEqual(resolved, ['/a.txt', '/../x']);
});

test('any entry leaving the file caches empties the memo', (t) => {
  const { targets, resolved, watch, fake } = setup(t);
  targets.lookup('/a.txt');
  targets.lookup('/b.txt');
  watch.apply(fake.wdOf(join(root, 'b.txt')), IN_MODIFY, null);
  targets.lookup('/a.txt');
  t.deepEqual(resolved, ['/a.txt', '/b.txt', '/a.txt']);
  t.is(targets.size, 1);
});

test('an answer that used an uncached realpath is not kept', (t) => {
  const { targets, resolved, fake } = setup(t);
  fake.failWith = () => -28;
  t.is(okPath(targets.lookup('/a.txt')), join(root, 'a.txt'));
  targets.lookup('/a.txt');
  t.deepEqual(resolved, ['/a.txt', '/a.txt']);
  t.is(targets.size, 0);
});

test('an answer made while an entry left the caches is not kept', (t) => {
  const fake = new FakeInotify();
  const watch = new FileWatch(fake, { warn: () => {} });
  const info = new FileInfoCache({ watch });
  t.teardown(() => (info.close(), watch.close()));
  info.get(join(root, 'b.txt'));
  const targets = new TargetCache(info, (path, realpath) => {
    const target = resolveSafePath(root, path, { realpath });
    watch.apply(fake.wdOf(join(root, 'b.txt')), IN_MODIFY, null);
    return target;
  });
  targets.lookup('/a.txt');
  t.is(targets.size, 0);
});

test('past its cap the memo starts over', (t) => {
  const { targets } = setup(t, 2);
  targets.lookup('/a.txt');
  targets.lookup('/b.txt');
  t.is(targets.size, 2);
  targets.lookup('/c.txt');
  t.is(targets.size, 1);
});
