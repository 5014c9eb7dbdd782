// The process-wide caches over the real addon: their watch is wired to the shared reactor, so a change is applied on
// the next loop turn even with no server running, and closing them gives every watch back.
import test from 'ava';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeFileCaches, fileCaches } from '../../src/server/file-caches.js';
import { sharedReactor } from '../../src/server/reactor.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-file-caches-')));
test.after.always(() => {
  closeFileCaches();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once the loop has turned with the inotify poll in it (held open: every cache handle is unref'd). */
async function turns(n: number): Promise<void> {
  const hold = setInterval(() => {}, 1000);
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
  clearInterval(hold);
}

test.serial('fileCaches is one shared pair, and its entries follow changes without a server', async (t) => {
  const caches = fileCaches();
  t.is(fileCaches(), caches);
  const path = join(dir, 'f.txt');
  writeFileSync(path, 'one');
  const before = caches.info.get(path);
  t.is(before?.kind === 'file' ? before.size : -1, 3);
  t.is(caches.info.get(path), before, 'cached');
  writeFileSync(path, 'three');
  // Delivered by the reactor on a later turn (its inotify poll wakes the loop), before any request of that turn.
  for (let i = 0; i < 100 && caches.info.get(path) === before; i++) await turns(1);
  const after = caches.info.get(path);
  t.is(after?.kind === 'file' ? after.size : -1, 5);
});

test.serial('closeFileCaches unhooks the reactor and drops everything; the next fileCaches starts afresh', (t) => {
  const caches = fileCaches();
  caches.info.get(join(dir, 'f.txt'));
  t.not(sharedReactor().inotify, null);
  closeFileCaches();
  t.is(sharedReactor().inotify, null);
  t.is(caches.info.size, 0);
  closeFileCaches();
  const next = fileCaches();
  t.not(next, caches);
  t.is(next.info.get(join(dir, 'f.txt'))?.kind, 'file');
  t.is(next.info.size, 1);
});
