// How received bytes leave the reactor's shared receive buffer: copied into owned chunks (the default), or by a
// protocol's own copier (a WebSocket copies each large frame once, at its announced length). Its own file so the
// public surface can name these without pulling in Connection.

/**
 * Largest received chunk handed to a connection. Bigger allocations come from fresh mmap'd pages (glibc's mmap
 * threshold is 128 KiB), so copying into them page-faults on every 4 KiB: that halved upload echo throughput. At
 * 64 KiB (node's read size too) the allocator reuses warm heap memory.
 */
export const CHUNK_BYTES = 64 * 1024;

/** Copies src[at, end) into owned chunks of at most CHUNK_BYTES and pushes them in order. */
export function pushCopies(src: Buffer, at: number, end: number, sink: ChunkSink): void {
  while (at < end) {
    const n = end - at < CHUNK_BYTES ? end - at : CHUNK_BYTES;
    const chunk = Buffer.allocUnsafe(n);
    src.copy(chunk, 0, at, at + n);
    at += n;
    sink.pushData(chunk);
  }
}

/** Where a ReceiveCopier hands its chunks (the connection's input queue). */
export interface ChunkSink {
  /** Queues one owned chunk for the protocol's reader. */
  pushData(chunk: Uint8Array): void;
}

/**
 * A protocol's own way of copying received bytes out of the reactor's receive buffer (a WebSocket copies each large
 * frame once, into one buffer of the length its header announces, instead of into fixed chunks joined later).
 */
export interface ReceiveCopier {
  /** Copies src[at, end) (valid only during the call) into owned chunks and pushes each complete one, in order. */
  copy(src: Buffer, at: number, end: number, sink: ChunkSink): void;
}
