// Runs one command while holding the machine's bench lock (bench/lock.ts), for ad-hoc pinned measurements that must
// not overlap a bench run: `node dist/bench/with-lock.js <command> [args...]`; exits with the command's status.
// The command may itself be a bench that takes the lock (`npm run bench`, `npm run profile`): it runs with
// SLUICE_BENCH_DIR pointed at a directory of its own below the lock's, so its lock is free (we hold the machine's)
// and it cannot wait forever for its own parent.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BENCH_LOCK, acquireLock } from './lock.js';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write('usage: node dist/bench/with-lock.js <command> [args...]\n');
  process.exit(2);
}
mkdirSync(dirname(BENCH_LOCK), { recursive: true });
await acquireLock(BENCH_LOCK, (line) => process.stderr.write(`${line}\n`));
const nested = join(dirname(BENCH_LOCK), 'held');
const run = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, SLUICE_BENCH_DIR: nested } });
process.exitCode = run.status ?? 1;
