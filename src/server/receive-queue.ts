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

  /** Room freed up: the subclass may resume reading from the socket. */
  protected abstract resumeReading(): void;

  /** Appends an owned chunk. */
  protected enqueueChunk(chunk: Uint8Array): void {
    this.chunks[this.end++] = chunk;
    this.queued += chunk.length;
  }

  /** Whether received bytes are waiting (pipelined requests, leftovers). */
  hasBuffered(): boolean {
    return this.first < this.end;
  }

  /** The oldest unconsumed chunk, or null; its bytes before headOffset are already consumed. */
  peek(): Uint8Array | null {
    return this.first < this.end ? this.chunks[this.first]! : null;
  }

  /** How much of the oldest chunk is consumed: pipelined heads are parsed in place, one after another. */
  get headOffset(): number {
    return this.offset;
  }

  /** Consumes `n` bytes of the oldest chunk (a head parsed in place): no copy, no view. */
  consume(n: number): void {
    const c = this.chunks[this.first]!;
    this.offset += n;
    this.queued -= n;
    if (this.offset >= c.length) this.dropFirst();
    else this.resumeReading();
  }

  /** Takes the rest of the oldest chunk off the queue (null when there is none). */
  shift(): Uint8Array | null {
    if (this.first === this.end) return null;
    const whole = this.chunks[this.first]!;
    const c = this.offset === 0 ? whole : whole.subarray(this.offset);
    this.queued -= c.length;
    this.dropFirst();
    return c;
  }

  private dropFirst(): void {
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
    if (this.offset > 0) {
      // The partly consumed chunk keeps only its rest, so the leftover can go in front of it.
      this.chunks[this.first] = this.chunks[this.first]!.subarray(this.offset);
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
