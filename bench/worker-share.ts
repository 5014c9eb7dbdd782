// How a prefork server's connections spread over its workers: sampled mid-load from /proc, by matching each
// worker's socket fds against the established connections on the port (no cooperation from the server needed).
import { readAllProcTimes } from './cpu.js';
import { readAcceptedInodes, readSocketInodes } from './ports.js';

/** Connections each direct child of `rootPid` holds on `port`, ordered by pid (the supervisor itself holds none). */
export function readWorkerConnections(rootPid: number, port: number): number[] {
  const accepted = readAcceptedInodes(port);
  const workers = readAllProcTimes().filter((p) => p.ppid === rootPid).map((p) => p.pid).sort((a, b) => a - b);
  return workers.map((pid) => countHeld(readSocketInodes(pid), accepted));
}

function countHeld(held: ReadonlySet<number>, accepted: ReadonlySet<number>): number {
  let n = 0;
  for (const inode of held) if (accepted.has(inode)) n++;
  return n;
}

/** Each worker's fraction of the connections (empty when none were held). */
export function computeShares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return total === 0 ? [] : counts.map((c) => c / total);
}

/** "31/33 (48/52%)": the counts and their shares, or "-" when nothing was sampled. */
export function formatWorkerShare(counts: readonly number[] | undefined): string {
  if (counts === undefined || counts.length === 0) return '-';
  const shares = computeShares(counts);
  if (shares.length === 0) return `${counts.join('/')}`;
  return `${counts.join('/')} (${shares.map((s) => Math.round(s * 100)).join('/')}%)`;
}
