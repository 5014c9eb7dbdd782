// A multipart/byteranges body (RFC 9110 §14.6) as a streamed Source: part headers are literal bytes, file spans are
// read with pread from an fd-cache lease in 64 KiB pieces. Key decision: the lease is taken when the body first runs
// (HEAD never runs it, so never acquires) and is bound to the FileInfo the head was computed from, so a file replaced
// in between is refused rather than mixed into a response whose Content-Length promised the old one.

import { readSync } from 'node:fs';
import { source } from '../../conduit/index.js';
import type { FdCache, FdLease, FileInfo, BodySource } from '../../server/index.js';
import type { BodyPart } from './ranges.js';

/** Bytes read from the file per emitted chunk. */
export const READ_CHUNK_BYTES = 64 * 1024;

/** The file changed under a streaming range body: the connection must close, since its length was already promised. */
export class FileChangedError extends Error {
  readonly code = 'FILE_CHANGED';

  constructor(path: string, why: string) {
    super(`${path} ${why} while its ranges were being sent`);
    this.name = 'FileChangedError';
  }
}

/** The body parts of `info`'s file as a Source: bytes parts as they are, file parts (inclusive spans) read in pieces. */
export function streamBodyParts(info: FileInfo, parts: readonly BodyPart[], fds: FdCache, chunkBytes: number = READ_CHUNK_BYTES): BodySource {
  return source<Uint8Array>(function* (io) {
    const lease = yield* io.bracket(() => leaseFor(info, fds), (l) => l.release());
    for (const part of parts) {
      if (part.kind === 'bytes') {
        yield* io.emit(part.bytes);
        continue;
      }
      let position = part.start;
      let left = part.end - part.start + 1;
      while (left > 0) {
        // A fresh buffer per chunk: the writer may still hold the previous one queued for a slow client.
        const piece = Buffer.allocUnsafe(Math.min(left, chunkBytes));
        const n = readExactly(lease.fd, piece, position);
        // A file truncated in place (same inode, within the cache period) reads short: never pad or send other bytes.
        if (n < piece.length) throw new FileChangedError(info.path, 'shrank');
        position += n;
        left -= n;
        yield* io.emit(piece);
      }
    }
  });
}

function leaseFor(info: FileInfo, fds: FdCache): FdLease {
  const lease = fds.acquire(info);
  if (lease === null) throw new FileChangedError(info.path, 'was replaced or removed');
  return lease;
}

// pread(2) may return fewer bytes than asked without being at EOF; only 0 means the end of the file.
function readExactly(fd: number, into: Buffer, position: number): number {
  let filled = 0;
  while (filled < into.length) {
    const n = readSync(fd, into, filled, into.length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled;
}
