// The supervisor's listening sockets: one SO_REUSEPORT socket per worker slot, bound here and handed to the slot's
// worker as an inherited fd. Key decision: the supervisor keeps every socket open, so a worker that dies or is
// replaced by a reload closes only its copy; connections queued on its socket wait for the next worker of the slot
// instead of being reset (closing a reuseport listener drops its accept queue; tcp_migrate_req is off by default).

import { loadNative, sysError, type NativeBinding, type SysError } from '../native/index.js';

/** The listen backlog asked for (native raises it to net.core.somaxconn). */
export const LISTEN_BACKLOG = 4096;

/** Open `count` reuseport listeners on host:port (port 0: the first picks, the rest join); throws a SysError naming the problem. */
export function openListeners(host: string, port: number, count: number, native: NativeBinding = loadNative()): { fds: number[]; port: number } {
  const fds: number[] = [];
  let bound = port;
  try {
    for (let i = 0; i < count; i++) {
      const fd = native.listen(host, bound, LISTEN_BACKLOG, true);
      if (fd < 0) throw describeListenError(sysError(fd, 'listen'), host, bound);
      fds.push(fd);
      if (bound === 0) {
        const picked = native.localPort(fd);
        if (picked < 0) throw sysError(picked, 'getsockname');
        bound = picked;
      }
    }
  } catch (err) {
    closeListeners(fds, native);
    throw err;
  }
  return { fds, port: bound };
}

/** Close listeners opened by openListeners (queued, unaccepted connections are reset). */
export function closeListeners(fds: readonly number[], native: NativeBinding = loadNative()): void {
  for (const fd of fds) native.close(fd);
}

/** The engine's wording for listen failures, so `--workers` and single mode say the same thing. */
export function describeListenError(e: SysError, host: string, port: number): SysError {
  const where = `${host === '' ? '*' : host}:${port}`;
  if (e.code === 'EADDRINUSE') e.message = `port ${port} is already in use (${where})`;
  else if (e.code === 'EACCES') e.message = `no permission to listen on ${where} (ports below 1024 need privileges)`;
  else if (e.code === 'EADDRNOTAVAIL') e.message = `address ${host} is not available on this machine`;
  return e;
}
