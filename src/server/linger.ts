// Lingering close (RFC 9112 §9.6), shared by HTTP/1.1's error exits and upgraded protocols: send what is queued,
// half-close, and discard input until the peer closes (at most LINGER_MS). Key decision: closing at once while the
// peer is still sending makes the kernel answer with RST, which can destroy our last bytes (an error response, a
// WebSocket close frame) before the peer reads them.
import type { Connection } from './connection.js';
import type { Engine } from './engine.js';
import { Phase } from './phase.js';
import { waitForClient } from './response-writer.js';

/** Closes `conn` after its queued bytes, half-closing first and reading until the peer's FIN (or LINGER_MS). */
export async function lingerClose(conn: Connection<Engine>): Promise<void> {
  if (conn.peerGone) return conn.closeWhenSent();
  conn.owner.reactor.flush();
  if (conn.backlogBytes > 0) {
    try {
      await waitForClient(conn, conn.whenDrained());
    } catch {
      // Reset or timed out: there is no one left to deliver to.
      return conn.destroy();
    }
  }
  if (conn.closed) return;
  conn.transport.shutdownWrite(conn.host.native, conn.fd);
  conn.enter(Phase.Linger);
  discardInput(conn);
}

function discardInput(conn: Connection<Engine>): void {
  while (conn.shift() !== null) {
    // dropped: the peer's late bytes have no one to read them
  }
  if (conn.readable) conn.destroy();
  else conn.waitReadable(discardInput);
}
