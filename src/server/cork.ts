// The cork window: every small write of a microtask wave goes into one buffer, described per connection by flush
// records, and leaves in one native flush (one crossing for the wave, one send per connection). A connection that
// closes after its last bytes, and whose client sent its last request, is closed by that same native call, its FIN in
// the response's segment.
import { FLUSH_CHAIN_MAX, FLUSH_CLOSE, FLUSH_CLOSED, FLUSH_RECORD_INT32, sysError, type NativeBinding } from '../native/index.js';
import type { Connection } from './connection.js';

/**
 * Bytes corked per wave before a flush is forced. A publish wave writes one small frame per subscriber and message:
 * 8 messages of 64 B to 1,000 subscribers is 528 KB, so at 256 KiB the wave was cut in two or three flushes and each
 * subscriber got ~3.5 messages per send instead of 8 (uWS drains its topic tree once per loop turn: ~7 per send).
 * Pages of the buffer are only resident once a wave has used them.
 */
const CORK_BYTES = 1024 * 1024;
/**
 * A connection's contiguous corked bytes before a flush is forced anyway: a pipelining client that does not read is
 * found out (a short send, a backlog its loop waits on) after this much, however large the wave's buffer is.
 */
const CONN_CORK_BYTES = 256 * 1024;
/** Writes larger than this skip the cork buffer (one copy less, one syscall either way). */
export const CORK_MAX_WRITE = 16 * 1024;
/** Records per flush: a publish to N sockets takes N (the chained records of one wave), so 1,024 flushed every publish. */
const MAX_DESC = 16 * 1024;
const R = FLUSH_RECORD_INT32;

/** The process's cork buffer and its flush records (one per Reactor). */
export class CorkWindow {
  private readonly out = Buffer.allocUnsafeSlow(CORK_BYTES);
  private outLen = 0;
  private readonly desc = new Int32Array(MAX_DESC * FLUSH_RECORD_INT32);
  private readonly descConn: Array<Connection | null> = new Array<Connection | null>(MAX_DESC).fill(null);
  private descCount = 0;
  private flushScheduled = false;
  /** Corked connections that close after their bytes (closeWhenSent): flush() looks for them only when there are. */
  private closingCorked = 0;
  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush();
  };
  private readonly scheduleFlushTick = (): void => process.nextTick(this.flushTick);
  /** The reactor is dispatching a batch and flushes when it ends: writes until then schedule nothing. */
  batchFlushes = false;

  constructor(private readonly native: NativeBinding) {}

  /** The cork buffer (for writers that reserve() space and fill it in place). */
  get buffer(): Buffer {
    return this.out;
  }

  /** A corked connection will close once its bytes are sent: the next flush checks whether it can close it natively. */
  closeAfterFlush(): void {
    this.closingCorked++;
  }

  /** conn is gone (closed): its corked records no longer name it. */
  forget(conn: Connection): void {
    if (conn.corkDesc >= 0) this.descConn[conn.corkDesc] = null;
  }

  /**
   * Reserves `n` bytes of cork space for conn and returns their offset in corkBuffer(); the caller fills them at once.
   * Callers that can measure first (response heads) write straight into the cork buffer: no intermediate copy.
   * Returns -1 when a flush left conn with a backlog (the caller must then queue behind it: write()).
   */
  reserve(conn: Connection, n: number): number {
    const desc = this.desc;
    let d = conn.corkDesc;
    if (this.outLen + n > CORK_BYTES || this.descCount === MAX_DESC || (d >= 0 && desc[d * R + 2]! + n > CONN_CORK_BYTES)) {
      this.flush();
      d = conn.corkDesc;
    }
    if (conn.backlogBytes > 0 || conn.closed) return -1;
    let follows = 0;
    if (d >= 0 && (d !== this.descCount - 1 || desc[d * R + 1]! + desc[d * R + 2]! !== this.outLen)) {
      // Not contiguous with this connection's earlier corked bytes (a publish to many sockets, one frame after
      // another): a new record chained to them, so native sends the chain in order in one sendmsg.
      follows = desc[d * R + 5]! + 1;
      if (follows === FLUSH_CHAIN_MAX) {
        this.flush();
        if (conn.backlogBytes > 0 || conn.closed) return -1;
        follows = 0;
      } else desc[d * R + 4] = this.descCount;
      d = -1;
    }
    const at = this.outLen;
    if (d >= 0) desc[d * R + 2]! += n;
    else {
      d = this.descCount++;
      desc[d * R] = conn.fd;
      desc[d * R + 1] = at;
      desc[d * R + 2] = n;
      desc[d * R + 4] = -1;
      desc[d * R + 5] = follows;
      this.descConn[d] = conn;
      conn.corkDesc = d;
    }
    this.outLen = at + n;
    if (!this.flushScheduled && !this.batchFlushes) {
      this.flushScheduled = true;
      // nextTick from a microtask runs after the whole microtask wave: every response of the wave is corked by then.
      queueMicrotask(this.scheduleFlushTick);
    }
    return at;
  }

  /** Takes back the last `n` reserved bytes of conn (a head that failed validation half-way through). */
  unreserve(conn: Connection, at: number, n: number): void {
    const d = conn.corkDesc;
    if (d < 0 || at + n !== this.outLen) return;
    this.outLen = at;
    this.desc[d * R + 2]! -= n;
    // A chained record stays (empty): the record before it points at it.
    if (this.desc[d * R + 2] === 0 && d === this.descCount - 1 && this.desc[d * R + 5] === 0) {
      this.descCount--;
      this.descConn[d] = null;
      conn.corkDesc = -1;
    }
  }

  /** Bytes corked for conn in this wave, not yet handed to the kernel. */
  corkedBytes(conn: Connection): number {
    let n = 0;
    for (let d = 0; d < this.descCount; d++) if (this.descConn[d] === conn) n += this.desc[d * R + 2]!;
    return n;
  }

  /**
   * Sends everything corked now: one native call for every connection; native arms writability for short sends.
   * Connections waiting to close after their last bytes (closeWhenSent) close right after, once the cork is reset.
   */
  flush(): void {
    const count = this.descCount;
    if (count === 0) return;
    const desc = this.desc;
    if (this.closingCorked > 0) {
      // A connection whose peer sent its last request closes in the same native call, its FIN in the response's segment.
      this.closingCorked = 0;
      for (let d = 0; d < count; d++) {
        const conn = this.descConn[d];
        if (conn?.closeAfterSend === true && conn.lastExchange && conn.backlogBytes === 0 && desc[d * R + 4] === -1 && desc[d * R + 5] === 0) {
          desc[d * R + 5] = FLUSH_CLOSE;
        }
      }
    }
    const short = this.native.flush(this.out, desc, count);
    let closing: Connection[] | null = null;
    for (let d = 0; d < count; d++) {
      const conn = this.descConn[d];
      this.descConn[d] = null;
      if (conn === null || conn === undefined) continue;
      conn.corkDesc = -1;
      if (desc[d * R + 5] === FLUSH_CLOSED) {
        conn.fdClosed = true;
        (closing ??= []).push(conn);
        continue;
      }
      if (short !== 0) {
        const len = this.desc[d * R + 2]!;
        const sent = this.desc[d * R + 3]!;
        if (sent >= 0 && sent < len) {
          // The cork buffer is reused: the unsent tail must be copied. A chain's later records go behind its first.
          const off = this.desc[d * R + 1]!;
          const tail = Buffer.from(this.out.subarray(off + sent, off + len));
          if (conn.backlogBytes === 0) conn.requeue(tail);
          else conn.enqueue(tail);
        } else if (sent < 0 && !conn.failed) conn.fail(sysError(sent, 'send'));
      }
      // Decided at the connection's last record (next = -1): an earlier one of its chain may have gone out whole.
      if (this.desc[d * R + 4] === -1 && conn.closeAfterSend && (conn.backlogBytes === 0 || conn.failed)) (closing ??= []).push(conn);
    }
    this.descCount = 0;
    this.outLen = 0;
    // After the reset: a close runs hooks that may write (and flush) again.
    if (closing !== null) for (const conn of closing) conn.destroy();
  }
}
