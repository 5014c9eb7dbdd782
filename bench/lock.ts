// One bench at a time per machine: two runs pinned to the same cores would each measure the other.
// A lock file holds the owner's pid; a lock left by a dead process is taken over.
import { existsSync, openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The machine's bench lock, in the bench work dir (bench/setup.ts), shared by every pinned bench. */
export const BENCH_LOCK = join(process.env.SLUICE_BENCH_DIR ?? join(tmpdir(), 'sluice-bench'), 'bench.lock');

/** How often a waiting run checks the lock again. */
const POLL_MS = 2000;

function isAlive(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`);
}

/** Tries once to take the lock; returns the holder's pid when someone else has it, or null when we got it. */
export function tryLock(path: string, pid = process.pid): number | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(pid));
      closeSync(fd);
      return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(path, 'utf8').trim());
    } catch {
      // removed between open and read: retry
    }
    if (isAlive(holder) && holder !== pid) return holder;
    try {
      unlinkSync(path); // stale: its owner is gone
    } catch {
      // someone else cleaned it up
    }
  }
  return Number.NaN;
}

/** Releases the lock if we hold it. */
export function releaseLock(path: string, pid = process.pid): void {
  try {
    if (Number(readFileSync(path, 'utf8').trim()) === pid) unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Waits until the lock is ours (telling `log` once who holds it); released automatically at exit. */
export async function acquireLock(path: string, log: (s: string) => void): Promise<void> {
  let told = false;
  for (;;) {
    const holder = tryLock(path);
    if (holder === null) break;
    if (!told) log(`another bench or profile (pid ${holder}) is running: waiting for it to finish`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  process.once('exit', () => releaseLock(path));
}
