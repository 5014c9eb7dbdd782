// Tests for the stat/realpath cache: what it caches, and that a changed file is seen after one sweep.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  FileInfoCache, isMissingFileError, makeEtag, type FileInfo, type StatLike,
} from '../../src/server/file-info-cache.js';

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
// A stat that counts calls, over the real one.
function countingStat(): { stat: (p: string) => StatLike | undefined; calls: string[] } {
  const calls: string[] = [];
  return { calls, stat: (p) => (calls.push(p), statSync(p, { throwIfNoEntry: false })) };
}

test('get reports a file\'s identity, weak ETag and Last-Modified', (t) => {
  const path = fresh('0123456789');
  const cache = new FileInfoCache();
  const info = asFile(cache.get(path));
  const st = statSync(path);
  t.like(info, { kind: 'file', path, size: 10, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino });
  t.is(info.etag, `W/"a-${Math.round(st.mtimeMs * 1000).toString(16)}"`);
  t.is(info.lastModified, new Date(st.mtimeMs).toUTCString());
  t.regex(info.lastModified, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  cache.close();
});

test('get makes strong ETags from the inode when asked', (t) => {
  const path = fresh();
  const cache = new FileInfoCache({ etag: 'strong' });
  const st = statSync(path);
  t.is(asFile(cache.get(path)).etag, `"${st.ino.toString(16)}-5-${Math.round(st.mtimeMs * 1000).toString(16)}"`);
  cache.close();
});

test('makeEtag changes with size, mtime and (when strong) inode', (t) => {
  const base = { ino: 1, size: 2, mtimeMs: 3.5 };
  t.is(makeEtag(base, 'weak'), 'W/"2-dac"'); // 3.5 ms = 3500 µs = 0xdac
  t.not(makeEtag({ ...base, size: 3 }, 'weak'), makeEtag(base, 'weak'));
  t.not(makeEtag({ ...base, mtimeMs: 3.501 }, 'weak'), makeEtag(base, 'weak'));
  t.is(makeEtag({ ...base, ino: 9 }, 'weak'), makeEtag(base, 'weak'));
  t.not(makeEtag({ ...base, ino: 9 }, 'strong'), makeEtag(base, 'strong'));
});

test('get stats a hot path once per sweep', (t) => {
  const path = fresh();
  const { stat, calls } = countingStat();
  const cache = new FileInfoCache({ stat });
  const first = cache.get(path);
  t.is(cache.get(path), first);
  t.is(cache.get(path), first);
  t.is(calls.length, 1);
  cache.sweep();
  t.deepEqual(cache.get(path), first);
  t.is(calls.length, 2);
  cache.close();
});

test('get caches negative entries for missing paths', (t) => {
  const { stat, calls } = countingStat();
  const cache = new FileInfoCache({ stat });
  t.is(cache.get(join(dir, 'missing')), null);
  t.is(cache.get(join(dir, 'missing')), null);
  t.is(calls.length, 1);
  t.is(cache.size, 1);
  cache.close();
});

test('get reports ENOTDIR as missing', (t) => {
  const cache = new FileInfoCache();
  t.is(cache.get(join(fresh(), 'child')), null);
  cache.close();
});

test('get reports a directory as a directory', (t) => {
  const path = join(dir, `d${counter++}`);
  mkdirSync(path);
  const cache = new FileInfoCache();
  t.deepEqual(cache.get(path), { kind: 'directory', path, mtimeMs: statSync(path).mtimeMs });
  cache.close();
});

test('get never offers a FIFO (opening it would block)', (t) => {
  const path = join(dir, `fifo${counter++}`);
  execFileSync('mkfifo', [path]);
  const cache = new FileInfoCache();
  t.is(cache.get(path), null);
  cache.close();
});

test('get treats stat errors meaning "not servable" as missing and rethrows the rest', (t) => {
  const failing = (code: string) => (): StatLike => {
    throw Object.assign(new Error(code), { code });
  };
  for (const code of ['ENOENT', 'ENOTDIR', 'EACCES', 'ELOOP', 'ENAMETOOLONG']) {
    const cache = new FileInfoCache({ stat: failing(code) });
    t.is(cache.get('/x'), null, code);
    cache.close();
  }
  const cache = new FileInfoCache({ stat: failing('EIO') });
  t.throws(() => cache.get('/x'), { message: 'EIO' });
  t.is(cache.size, 0);
  cache.close();
});

test('isMissingFileError matches on code only', (t) => {
  t.true(isMissingFileError(Object.assign(new Error('x'), { code: 'ENOENT' })));
  t.false(isMissingFileError(new Error('ENOENT')));
  t.false(isMissingFileError(null));
  t.false(isMissingFileError({ code: 42 }));
});

test('a file renamed over is served as it was until the next sweep, then as the new file', (t) => {
  const path = fresh('old contents');
  const cache = new FileInfoCache();
  const before = asFile(cache.get(path));
  const replacement = fresh('new');
  renameSync(replacement, path);
  t.is(cache.get(path), before, 'within the ttl the cached identity stands');
  cache.sweep();
  const after = asFile(cache.get(path));
  t.not(after.ino, before.ino);
  t.is(after.size, 3);
  t.not(after.etag, before.etag);
  cache.close();
});

test('a truncated file is seen at its new size after the next sweep', (t) => {
  const path = fresh('0123456789');
  const cache = new FileInfoCache();
  const before = asFile(cache.get(path));
  truncateSync(path, 4);
  cache.sweep();
  const after = asFile(cache.get(path));
  t.is(after.ino, before.ino);
  t.is(after.size, 4);
  t.not(after.etag, before.etag);
  cache.close();
});

test('a deleted file becomes a negative entry after the next sweep', (t) => {
  const path = fresh();
  const cache = new FileInfoCache();
  t.truthy(cache.get(path));
  unlinkSync(path);
  cache.sweep();
  t.is(cache.get(path), null);
  cache.close();
});

test('a file replaced by a directory is seen as a directory after the next sweep', (t) => {
  const path = fresh();
  const cache = new FileInfoCache();
  t.is(cache.get(path)?.kind, 'file');
  unlinkSync(path);
  mkdirSync(path);
  cache.sweep();
  t.is(cache.get(path)?.kind, 'directory');
  cache.close();
});

test('realpath is cached, negative results included, until the next sweep', (t) => {
  const target = fresh();
  const link = join(dir, `link${counter++}`);
  symlinkSync(target, link);
  const calls: string[] = [];
  const cache = new FileInfoCache({ realpath: (p) => (calls.push(p), realpathSync.native(p)) });
  t.is(cache.realpath(link), target);
  t.is(cache.realpath(link), target);
  t.is(cache.realpath(join(dir, 'nope')), null);
  t.is(cache.realpath(join(dir, 'nope')), null);
  t.is(calls.length, 2);
  cache.sweep();
  t.is(cache.realpath(link), target);
  t.is(calls.length, 3);
  cache.close();
});

test('invalidate forgets one path', (t) => {
  const a = fresh();
  const b = fresh();
  const { stat, calls } = countingStat();
  const cache = new FileInfoCache({ stat });
  cache.get(a);
  cache.get(b);
  cache.realpath(a);
  cache.invalidate(a);
  cache.get(a);
  cache.get(b);
  t.deepEqual(calls, [a, b, a]);
  cache.close();
});

test('entries past maxEntries are answered but not remembered', (t) => {
  const a = fresh();
  const b = fresh();
  const { stat, calls } = countingStat();
  const cache = new FileInfoCache({ stat, maxEntries: 1 });
  cache.get(a);
  t.is(cache.get(b)?.kind, 'file');
  cache.get(b);
  t.is(cache.size, 1);
  t.deepEqual(calls, [a, b, b]);
  cache.close();
});

test('the timer is armed by the first entry and stops once a sweep leaves nothing held', (t) => {
  const cache = new FileInfoCache({ ttlMs: 60_000 });
  t.false(cache.timerArmed);
  cache.get(fresh());
  t.true(cache.timerArmed);
  cache.sweep();
  t.false(cache.timerArmed);
  cache.close();
});

test('a sweep subscriber that still holds entries keeps the timer running, until it unsubscribes', (t) => {
  const cache = new FileInfoCache({ ttlMs: 60_000 });
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
  cache.close();
});

test('the timer empties the cache on its own', async (t) => {
  const cache = new FileInfoCache({ ttlMs: 10 });
  cache.get(fresh());
  cache.get(join(dir, 'missing'));
  t.is(cache.size, 2);
  // Bounded wait for the unref'd interval to fire; no timing is asserted, only that it happens.
  for (let i = 0; i < 200 && (cache.size > 0 || cache.timerArmed); i++) await sleep(10);
  t.is(cache.size, 0);
  t.false(cache.timerArmed);
  cache.close();
});

test('close stops the timer and later lookups are not cached', (t) => {
  const path = fresh();
  const { stat, calls } = countingStat();
  const cache = new FileInfoCache({ stat });
  cache.get(path);
  cache.close();
  t.false(cache.timerArmed);
  t.is(cache.size, 0);
  t.is(cache.get(path)?.kind, 'file');
  t.is(cache.get(path)?.kind, 'file');
  cache.armTimer();
  t.false(cache.timerArmed);
  t.is(calls.length, 3);
});
