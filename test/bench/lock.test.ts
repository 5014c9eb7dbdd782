import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseLock, tryLock } from '../../bench/lock.js';

const lockPath = (): string => join(mkdtempSync(join(tmpdir(), 'lock-test-')), 'bench.lock');

test('tryLock takes a free lock and writes the owner pid', (t) => {
  const p = lockPath();
  t.is(tryLock(p, 4242), null);
  t.is(readFileSync(p, 'utf8'), '4242');
});

test('tryLock reports a live holder and leaves its lock alone', (t) => {
  const p = lockPath();
  writeFileSync(p, String(process.pid));
  t.is(tryLock(p, 4242), process.pid);
  t.is(readFileSync(p, 'utf8'), String(process.pid));
});

test('tryLock takes over a lock whose owner is gone', (t) => {
  const p = lockPath();
  writeFileSync(p, '999999999');
  t.is(tryLock(p, 4242), null);
  t.is(readFileSync(p, 'utf8'), '4242');
});

test('tryLock takes over a lock file with garbage in it', (t) => {
  const p = lockPath();
  writeFileSync(p, 'not a pid');
  t.is(tryLock(p, 4242), null);
});

test('releaseLock removes only its own lock', (t) => {
  const p = lockPath();
  t.is(tryLock(p, 4242), null);
  releaseLock(p, 1);
  t.true(existsSync(p));
  releaseLock(p, 4242);
  t.false(existsSync(p));
});
