// File bodies: the head goes out with send(MSG_MORE) and the body with sendfile from the fd cache, so a head and a
// small file share one packet and a hot file costs no open/stat/close. Big files yield to the event loop as they go.
import { readSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { EAGAIN, sysError } from '../native/index.js';
import type { Connection } from './connection.js';
import { ConnectionError } from './connection-error.js';
import type { FileCaches } from './file-caches.js';
import type { FdLease } from './fd-cache.js';
import type { FileInfo } from './file-info-cache.js';
import { renderResponseHead, type EngineHeaders } from './response-head.js';
import { engineHeaders, waitForClient, type WriterContext } from './response-writer.js';
import type { FileRange, ResponseHeaders } from './types.js';

/** Bytes sent in one go before letting other connections run. */
const SLICE_BYTES = 8 * 1024 * 1024;
/** sendfile(2) moves at most 0x7ffff000 bytes per call; ask for less than that. */
const MAX_SENDFILE_BYTES = 0x7fff0000;
/** Files up to this size are sent from memory in the head's own write: one send, no sendfile (see smallFileBody). */
export const SMALL_FILE_BYTES = 16 * 1024;

/**
 * Contents of small files, keyed by the FileInfo version they were read for. The info cache makes a new FileInfo
 * whenever a file changes (its watch drops the old one), so a stale body is unreachable, and garbage, as soon as its
 * info is. Uncached lookups make a FileInfo per request, so they read per request too.
 */
const smallBodies = new WeakMap<FileInfo, Uint8Array>();

/**
 * The bytes of a small file range, read once per file version with one pread from the leased fd (Warp sends
 * head + small file with MSG_MORE + sendfile: two syscalls; this is one). Null when the file shrank under us.
 */
export function smallFileBody(plan: FilePlan): Uint8Array | null {
  let whole = smallBodies.get(plan.info);
  if (whole === undefined) {
    const size = plan.info.size;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(plan.lease.fd, buf, got, size - got, got);
      if (n === 0) return null;
      got += n;
    }
    whole = buf;
    smallBodies.set(plan.info, whole);
  }
  const { start, end } = plan.range;
  // The whole file (the common case) is the cached buffer itself: no view allocated per response.
  return start === 0 && end === whole.length ? whole : whole.subarray(start, end);
}

/** The lease of a small file whose bytes are already in memory for this version: no fd, nothing to release. */
const MEMORY_LEASE: FdLease = { fd: -1, release() {}, [Symbol.dispose]() {} };

/** A file response the engine is about to send: what it is, which part, and an fd leased for it. */
export interface FilePlan {
  readonly info: FileInfo;
  readonly range: FileRange;
  readonly lease: FdLease;
}

/**
 * Looks a file up in the caches and leases an fd for exactly that version (no fd when its bytes are in memory
 * already): null when it is missing, a directory, or the range does not fit. A null lease means the file changed
 * since it was cached (the stale entry is dropped), so the lookup is tried once more against the new version.
 */
export function planFile(files: FileCaches, path: string, range: FileRange | null): FilePlan | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    const info = files.info.get(path);
    if (info === null || info.kind !== 'file') return null;
    const r = range ?? { start: 0, end: info.size };
    if (!(r.start >= 0 && r.end >= r.start && r.end <= info.size)) return null;
    // A small file already read for this very FileInfo needs no fd: its bytes go out from memory.
    if (smallBodies.has(info)) return { info, range: r, lease: MEMORY_LEASE };
    const lease = files.fds.acquire(info);
    if (lease !== null) return { info, range: r, lease };
    files.info.invalidate(path);
  }
  return null;
}

/**
 * Sends the head and (unless noBody) the file range. Resolves to the body bytes sent; rejects when the file
 * shrank under us or the client went away (the caller then closes: the head promised a length).
 */
export async function sendFile(
  ctx: WriterContext, conn: Connection, plan: FilePlan,
  status: number, headers: ResponseHeaders, close: boolean, noBody: boolean, http10 = false,
): Promise<number> {
  const count = plan.range.end - plan.range.start;
  const engine: EngineHeaders = engineHeaders(ctx, count, false, close, http10);
  const head = renderResponseHead(status, headers, engine);
  const { reactor } = ctx;
  const lease = plan.lease;
  if (noBody || count === 0) {
    lease.release();
    reactor.write(conn, head);
    return 0;
  }
  try {
    // Everything queued before must leave first: flush the cork, then wait out any backlog.
    reactor.flush();
    if (conn.backlogBytes > 0) await waitForClient(conn, conn.whenDrained());
    const native = reactor.native;
    // MSG_MORE holds the head for the first sendfile segment. TCP_CORK (nginx's tcp_nopush) would cost two more
    // syscalls, and where the kernel paces itself (BBR without an fq qdisc, as on the bench VMs) a corked sendfile
    // left most 64 KiB segments to pacing timers: ~10 per MiB and ~4x the kernel time of this path (issue 15).
    const h = native.send(conn.fd, head, 0, head.length, true);
    if (h < 0 && h !== -EAGAIN) throw sysError(h, 'send');
    if (h < head.length) {
      // The rest of the head must precede any body byte: queue it (not cork it) and wait until it is out.
      reactor.enqueue(conn, head.subarray(h > 0 ? h : 0));
      await waitForClient(conn, conn.whenDrained());
    }
    let pos = plan.range.start;
    let left = count;
    let slice = 0;
    while (left > 0) {
      if (conn.closed) throw new ConnectionError('ECONNRESET', 'client went away mid-file');
      const chunk = Math.min(left, MAX_SENDFILE_BYTES);
      const n = native.sendfile(conn.fd, lease.fd, pos, chunk);
      if (n > 0) {
        pos += n;
        left -= n;
        slice += n;
        if (left === 0) break;
        if (n < chunk && conn.transport.zeroCopyFiles) {
          // On TCP a short count means the socket buffer is full: wait for room now, rather than ask again to hear
          // EAGAIN. (Under TLS a short count is one encrypted batch: ask again.) A close is reported at the loop's top.
          if (conn.closed) continue;
          slice = 0;
          await waitForClient(conn, conn.whenWritable());
        } else if (slice >= SLICE_BYTES) {
          slice = 0;
          await yieldToLoop();
        }
      } else if (n === -EAGAIN) {
        slice = 0;
        await waitForClient(conn, conn.whenWritable());
      } else if (n === 0) {
        throw new ConnectionError('FILE_TRUNCATED', `${plan.info.path} shrank while being sent`);
      } else throw sysError(n, 'sendfile');
    }
    return count;
  } finally {
    lease.release();
  }
}
