// Write buffering: coalesce small chunks into writes of up to `size` bytes, so a writer makes fewer syscalls.
// A FLUSH marker empties the buffer first and is then passed on, in order: "send what you have now" is never delayed.
import { Conduit } from './pipeline.js';
import { Stage } from './stage.js';
import { FLUSH, type Flushable } from './flush.js';
import { joinBytes } from './bytes.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

type Bytes = Uint8Array;

class BufferBytesStage extends Stage<Flushable<Bytes>, void> {
  private pieces: Bytes[] = [];
  private total = 0;
  /** An element read but not yet handled because the buffer had to be emitted first. */
  private next: Flushable<Bytes> | null = null;
  private ended = false;

  constructor(up: Stage<Flushable<Bytes>, unknown>, private readonly size: number) {
    super(up);
  }

  pull(): Flushable<Bytes> | S.Done | S.Suspend {
    for (;;) {
      let x: Flushable<Bytes> | S.Done | S.Suspend;
      if (this.next !== null) {
        x = this.next;
        this.next = null;
      } else {
        if (this.ended) return DONE;
        x = (this.up as Stage<Flushable<Bytes>, unknown>).pull();
        if (x === SUSPEND) return SUSPEND;
      }
      if (x === DONE) {
        this.ended = true;
        return this.total === 0 ? DONE : this.emitHeld();
      }
      if (x === FLUSH) {
        if (this.total === 0) return FLUSH;
        this.next = FLUSH;
        return this.emitHeld();
      }
      const chunk = x as Bytes;
      if (chunk.length === 0) continue;
      if (this.total + chunk.length <= this.size) {
        this.pieces.push(chunk);
        this.total += chunk.length;
        if (this.total === this.size) return this.emitHeld();
        continue;
      }
      // Adding the chunk would overflow: send what is held, then consider the chunk on its own.
      if (this.total !== 0) {
        this.next = chunk;
        return this.emitHeld();
      }
      return chunk; // larger than the buffer by itself: pass it through uncopied
    }
  }

  private emitHeld(): Bytes {
    const out = joinBytes(this.pieces, this.total);
    this.pieces = [];
    this.total = 0;
    return out;
  }
}

/**
 * Coalesces chunks into writes of at most `size` bytes (a bigger chunk passes through alone, uncopied). A FLUSH
 * emits what is held, then passes on; the end of input emits the rest.
 */
export function bufferBytes(size: number): Conduit<Flushable<Bytes>, Flushable<Bytes>> {
  return new Conduit((up) => new BufferBytesStage(up, size));
}
