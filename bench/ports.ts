// Ports and listeners from /proc/net/tcp{,6}: a free port per target start, and proof that the process
// answering on it is the one we started (a stray server once answered for a target whose listen() had failed).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** TCP state code of a listening socket in /proc/net/tcp. */
export const TCP_LISTEN = '0A';
/** TCP state code of an established connection in /proc/net/tcp. */
export const TCP_ESTABLISHED = '01';
/** Ports are drawn from here: below the usual ephemeral range, so clients' source ports never collide. */
export const PORT_RANGE = { first: 18000, count: 2000 } as const;

/** Socket inodes listening on `port` in a /proc/net/tcp or tcp6 table. */
export function findListenerInodes(table: string, port: number): number[] {
  return findSocketInodes(table, port, TCP_LISTEN);
}

/** Inodes of the sockets in TCP state `state` whose local port is `port`, in a /proc/net/tcp or tcp6 table. */
export function findSocketInodes(table: string, port: number, state: string): number[] {
  const inodes: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== state) continue;
    const local = f[1]!;
    if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.push(Number(f[9]));
  }
  return inodes;
}

function readTables(): string[] {
  return ['/proc/net/tcp', '/proc/net/tcp6'].map((p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  });
}

/** Inodes of every socket listening on `port` (IPv4 and IPv6). */
export function readListenerInodes(port: number): number[] {
  return readTables().flatMap((t) => findListenerInodes(t, port));
}

/** Inodes of every established connection accepted on `port` (IPv4 and IPv6). */
export function readAcceptedInodes(port: number): Set<number> {
  return new Set(readTables().flatMap((t) => findSocketInodes(t, port, TCP_ESTABLISHED)));
}

/** True when nothing listens on `port`. */
export function isPortFree(port: number): boolean {
  return readListenerInodes(port).length === 0;
}

/** Picks a free port, starting at a random place in PORT_RANGE. */
export function pickFreePort(random: () => number = Math.random): number {
  const start = Math.floor(random() * PORT_RANGE.count);
  for (let i = 0; i < PORT_RANGE.count; i++) {
    const port = PORT_RANGE.first + ((start + i) % PORT_RANGE.count);
    if (isPortFree(port)) return port;
  }
  throw Object.assign(new Error('no free port in range'), { code: 'NO_FREE_PORT' });
}

/** Socket inodes a process holds open (empty when it is gone or not readable). */
export function readSocketInodes(pid: number): Set<number> {
  const out = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(Number(m[1]));
    } catch {
      // fd closed while we looked
    }
  }
  return out;
}

/** Which of `pids` hold a socket listening on `port` (empty: the listener belongs to someone else, or nobody). */
export function findListenerOwners(port: number, pids: number[]): number[] {
  const inodes = readListenerInodes(port);
  return pids.filter((pid) => {
    const held = readSocketInodes(pid);
    return inodes.some((i) => held.has(i));
  });
}
