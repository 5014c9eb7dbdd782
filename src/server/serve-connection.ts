// A connection's whole life: [preamble] -> HTTP/1.1 loop -> hand-off -> one epilogue. The PROXY header and the TLS
// handshake are read natively before the accept is reported, so JS starts in HTTP/1.1. An upgrade runs the next
// protocol on the same resumable input (conduit's $$+-): nothing re-read, nothing lost at the switch.
import { isPeerGone } from './connection-error.js';
import type { Connection } from './connection.js';
import type { Engine } from './engine.js';
import { CLOSE, LINGER } from './exchange.js';
import { runHttp1, type HandOff, type LoopHooks } from './http1.js';
import { lingerClose } from './linger.js';
import { Phase } from './phase.js';
import type { UpgradeResponse } from './types.js';
import { ConnectionIO } from './upgrade.js';

/** The loop's exits: module-level functions, shared by every connection. */
const HOOKS: LoopHooks = Object.freeze({ resume: driveHttp1, end: finishHttp1 });

/** Starts serving a just-accepted connection (its header clock runs from now). */
export function serveConnection(conn: Connection<Engine>): void {
  conn.enter(Phase.Fresh);
  driveHttp1(conn);
}

function driveHttp1(conn: Connection<Engine>): void {
  try {
    runHttp1(conn, HOOKS);
  } catch (e) {
    // A bug in the loop itself: report it and close, never leave the connection hanging.
    if (!conn.closed) {
      conn.owner.settings.onException(e, null);
      conn.destroy();
    }
  }
}

function finishHttp1(conn: Connection<Engine>, handOff: HandOff): void {
  if (handOff === CLOSE) conn.closeWhenSent();
  else if (handOff === LINGER) void lingerClose(conn);
  else runUpgraded(conn, handOff);
}

/** Hands the connection to the protocol a 101 switched to; it closes once that protocol's run settles (or, with
 *  start, when the protocol closes it). */
function runUpgraded(conn: Connection<Engine>, res: UpgradeResponse): void {
  conn.enter(Phase.Upgraded);
  const io = new ConnectionIO(conn);
  let r: void | Promise<void>;
  try {
    if (res.start !== undefined) return res.start(io);
    r = res.run(io);
  } catch (e) {
    upgradeFailed(conn, io, e);
    return;
  }
  // The protocol's end closes lingering (io.close), unless it closed already: its last frame must not be reset away.
  if (r instanceof Promise) r.then(() => io.close(), (e: unknown) => upgradeFailed(conn, io, e));
  else io.close();
}

function upgradeFailed(conn: Connection<Engine>, io: ConnectionIO, e: unknown): void {
  if (!conn.peerGone && !isPeerGone(e)) conn.owner.settings.onException(e, null);
  io.close();
}
