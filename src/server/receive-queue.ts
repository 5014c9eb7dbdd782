// A connection's received bytes not yet consumed: owned chunks, oldest first, and how far into the oldest one the
// reader is (pipelined heads are parsed in place, one after another). Connection extends it, so the queue costs no
// object of its own per connection; the subclass says what happens when room frees up (resume reading the socket).
import { Input, type Done, type Suspend } from '../conduit/index.js';

const EMPTY = new Uint8Array(0);

/** The received-bytes queue a Connection is built on. */
export abstract class ReceiveQueue {
  /** Received chunks not yet consumed, oldest first (chunks[first..end)); slots outside hold EMPTY. */
  private readonly chunks: Uint8Array[] = [];
  private first = 0;
  /** One past the newest chunk. The array is never shrunk: setting an array's length is a runtime call that trims
   *  its backing store, and the next push allocates a new one, which was a call and some garbage per request. */
  private end = 0;
  /** Bytes of chunks[first] already consumed (heads parsed in place). */
  private offset = 0;
  /** Unconsumed bytes in the queue (backpressure reads it). */
  protected queued = 0;
  /**
   * A queued view of the reactor's receive buffer (valid only until the batch ends), or null. Only a connection
   * waiting for its next request borrows (Connection.receive), so the view is chunks[first]: a head parsed in place
   * from it costs no copy. Whatever leaves the queue is copied first (shift), and the batch's end copies what is left
   * (settleBorrowed), so no view escapes the batch.
   */
  private borrowedChunk: Uint8Array | null = null;
  /**
   * -1, or where the borrowed bytes end when borrowedChunk is the reactor's whole receive buffer rather than a view of
   * it (enqueueBorrowed): a subarray per request cost a typed-array allocation (~90 bytes) and a runtime call for
   * `.buffer`. Such a chunk is only ever queued first, its start in `offset`; it becomes a view if anything would
   * need one (unread in front of it).
   */
  private borrowedEnd = -1;

  /** Room freed up: the subclass may resume reading from the socket. */
  protected abstract resumeReading(): void;

  /** Appends an owned chunk. */
  protected enqueueChunk(chunk: Uint8Array): void {
    this.chunks[this.end++] = chunk;
    this.queued += chunk.length;
  }

  /**
   * Queues src[at, end) of the reactor's receive buffer without copying it or making a view; the queue must be empty.
   * The caller settles it (settleBorrowed) before the buffer is reused.
   */
  protected enqueueBorrowed(src: Uint8Array, at: number, end: number): void {
    this.chunks[this.end++] = src;
    this.queued += end - at;
    this.offset = at;
    this.borrowedChunk = src;
    this.borrowedEnd = end;
  }

  /** Where chunks[i]'s bytes end: its length, or the borrowed bytes' end in the receive buffer. */
  private endOf(i: number): number {
    const c = this.chunks[i]!;
    return c === this.borrowedChunk && this.borrowedEnd >= 0 ? this.borrowedEnd : c.length;
  }

  /** The event batch is over: a borrowed view still queued becomes an owned copy of its unconsumed rest. */
  settleBorrowed(): void {
    const view = this.borrowedChunk;
    if (view === null) return;
    this.borrowedChunk = null;
    // Found where it is, not assumed at the front: leftovers unshifted in front of it must not leave it a view.
    for (let i = this.first; i < this.end; i++) {
      if (this.chunks[i] !== view) continue;
      const consumed = i === this.first ? this.offset : 0;
      this.chunks[i] = ownedCopy(view.subarray(consumed, this.borrowedEnd >= 0 ? this.borrowedEnd : view.length));
      this.borrowedEnd = -1;
      if (i === this.first) this.offset = 0;
      return;
    }
    this.borrowedEnd = -1;
  }

  /** Whether received bytes are waiting (pipelined requests, leftovers). */
  hasBuffered(): boolean {
    return this.first < this.end;
  }

  /** The oldest unconsumed chunk, or null; its bytes before headOffset are already consumed. */
  peek(): Uint8Array | null {
    return this.first < this.end ? this.chunks[this.first]! : null;
  }

  /** Where the oldest chunk's bytes end (peek()'s bytes are [headOffset, peekEnd)). */
  get peekEnd(): number {
    return this.first < this.end ? this.endOf(this.first) : 0;
  }

  /** How much of the oldest chunk is consumed: pipelined heads are parsed in place, one after another. */
  get headOffset(): number {
    return this.offset;
  }

  /** Consumes `n` bytes of the oldest chunk (a head parsed in place): no copy, no view. */
  consume(n: number): void {
    this.offset += n;
    this.queued -= n;
    if (this.offset >= this.endOf(this.first)) this.dropFirst();
    else this.resumeReading();
  }

  /** Takes the rest of the oldest chunk off the queue (null when there is none). */
  shift(): Uint8Array | null {
    if (this.first === this.end) return null;
    const whole = this.chunks[this.first]!;
    const wholeEnd = this.endOf(this.first);
    let c = this.offset === 0 && wholeEnd === whole.length ? whole : whole.subarray(this.offset, wholeEnd);
    // A reader may keep what it takes: a borrowed view leaves the queue as an owned copy.
    if (whole === this.borrowedChunk) {
      this.borrowedChunk = null;
      this.borrowedEnd = -1;
      c = ownedCopy(c);
    }
    this.queued -= c.length;
    this.dropFirst();
    return c;
  }

  private dropFirst(): void {
    if (this.chunks[this.first] === this.borrowedChunk) {
      this.borrowedChunk = null;
      this.borrowedEnd = -1;
    }
    this.chunks[this.first++] = EMPTY;
    this.offset = 0;
    if (this.first === this.end) {
      this.first = 0;
      this.end = 0;
    }
    this.resumeReading();
  }

  /** Puts bytes back in front of the queue (a leftover: the next read returns them first). */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.offset > 0 || this.borrowedEnd >= 0) {
      // The partly consumed chunk keeps only its rest, so the leftover can go in front of it (a borrowed receive
      // buffer becomes a view of its bytes: only the first chunk may have bytes outside its own).
      const rest = this.chunks[this.first]!.subarray(this.offset, this.endOf(this.first));
      if (this.chunks[this.first] === this.borrowedChunk) {
        this.borrowedChunk = rest;
        this.borrowedEnd = -1;
      }
      this.chunks[this.first] = rest;
      this.offset = 0;
    }
    if (this.first > 0) this.chunks[--this.first] = bytes;
    else {
      this.chunks.unshift(bytes);
      this.end++;
    }
    this.queued += bytes.length;
  }
}

/** An owned copy of bytes (a Buffer, as received chunks are). */
function ownedCopy(bytes: Uint8Array): Uint8Array {
  const copy = Buffer.allocUnsafe(bytes.length);
  copy.set(bytes);
  return copy;
}

/** What a QueueInput pulls from: a connection's next chunk (or DONE / SUSPEND) and its leftovers. */
export interface QueueReader {
  read(): Uint8Array | Done | Suspend;
  unread(bytes: Uint8Array): void;
  hasBuffered(): boolean;
}

/** A connection's queue as a conduit Input: leftovers go back into the queue, so every reader sees one order. */
export class QueueInput extends Input<Uint8Array> {
  constructor(private readonly conn: QueueReader) {
    super(null);
  }
  override pull(): Uint8Array | Done | Suspend {
    return this.conn.read();
  }
  override leftover(x: Uint8Array): void {
    this.conn.unread(x);
  }
  override hasLeftovers(): boolean {
    return this.conn.hasBuffered();
  }
}
