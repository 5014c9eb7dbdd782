// Runs one command while holding the machine's bench lock (bench/lock.ts), for ad-hoc pinned measurements that must
// not overlap a bench run: `node dist/bench/with-lock.js <command> [args...]`; exits with the command's status.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BENCH_LOCK, acquireLock } from './lock.js';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write('usage: node dist/bench/with-lock.js <command> [args...]\n');
  process.exit(2);
}
mkdirSync(dirname(BENCH_LOCK), { recursive: true });
await acquireLock(BENCH_LOCK, (line) => process.stderr.write(`${line}\n`));
const run = spawnSync(command, args, { stdio: 'inherit' });
process.exitCode = run.status ?? 1;
