// The supervisor's listening sockets: per worker slot, one SO_REUSEPORT socket for each address the host resolves to,
// bound here and handed to the slot's worker as inherited fds. Key decision: the supervisor keeps every socket open,
// so a worker that dies or is replaced by a reload closes only its copies; connections queued on its sockets wait for
// the next worker of the slot instead of being reset (closing a reuseport listener drops its accept queue;
// tcp_migrate_req is off by default).
import { loadNative, type NativeBinding } from '../native/index.js';
import { closeListeners, openListeners as openServerListeners, type ListenAddress } from '../server/index.js';

export { closeListeners, describeListenError } from '../server/index.js';

/** The listen backlog asked for (native raises it to net.core.somaxconn). */
export const LISTEN_BACKLOG = 4096;

/** Every slot's listening fds (one per address, the same order in every slot), the port, and the addresses. */
export interface SlotListeners {
  readonly slots: readonly (readonly number[])[];
  readonly port: number;
  readonly addresses: readonly ListenAddress[];
}

/** Open `count` slots of reuseport listeners on host:port (port 0: the first slot picks, the rest join); throws naming the problem. */
export function openListeners(host: string, port: number, count: number, native: NativeBinding = loadNative()): SlotListeners {
  const slots: number[][] = [];
  let bound = port;
  let addresses: readonly ListenAddress[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const opened = openServerListeners({ host, port: bound, backlog: LISTEN_BACKLOG, reusePort: true, fd: null }, native);
      slots.push([...opened.fds]);
      bound = opened.port;
      addresses = opened.addresses;
    }
  } catch (err) {
    for (const fds of slots) closeListeners(fds, native);
    throw err;
  }
  return { slots, port: bound, addresses };
}
