// WHATWG ReadableStream interop in both directions. fromReadableStream holds one reader and one read in flight,
// cancels the stream on an early stop and always releases the lock; toReadableStream pulls only when asked (HWM 0).
import {
  ReadableStream, type ReadableStreamDefaultController, type ReadableStreamDefaultReader, type ReadableStreamReadResult,
} from 'node:stream/web';
import { Source } from './pipeline.js';
import { acquire, closeStage, Stage } from './stage.js';
import { park, settled, suspend } from './signal.js';
import { Puller } from './puller.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const UNSETTLED: typeof S.UNSETTLED = Symbol.for('sluice.conduit.UNSETTLED') as typeof S.UNSETTLED;

class WebStreamStage<O> extends Stage<O, void> {
  private reader: ReadableStreamDefaultReader<O> | null = null;
  private reading: Promise<ReadableStreamReadResult<O>> | null = null;
  private finished = false;

  constructor(private readonly stream: ReadableStream<O>) {
    super(null);
  }

  pull(): O | S.Done | S.Suspend {
    if (this.finished) return DONE;
    const reading = this.reading;
    if (reading !== null) {
      let r: unknown;
      try {
        r = settled(reading);
      } catch (e) {
        // The stream errored: nothing to cancel; the release only drops the lock.
        this.reading = null;
        this.finished = true;
        throw e;
      }
      if (r === UNSETTLED) return park(reading);
      this.reading = null;
      const result = r as ReadableStreamReadResult<O>;
      if (result.done !== true) return result.value;
      this.finished = true;
      const released = closeStage(this);
      return released === undefined ? DONE : suspend(released);
    }
    if (this.reader === null) {
      const reader = this.stream.getReader();
      this.reader = reader;
      acquire(this, () => this.release(reader));
    }
    const p = this.reader.read();
    this.reading = p;
    return park(p);
  }

  private release(reader: ReadableStreamDefaultReader<O>): void | Promise<void> {
    if (this.finished) {
      // Ended or errored: nothing to cancel.
      reader.releaseLock();
      return;
    }
    // An early stop: cancel (this also settles a read still in flight), then drop the lock.
    const cancelled = reader.cancel();
    reader.releaseLock();
    return cancelled;
  }
}

/** The chunks of a web ReadableStream; an early stop cancels the stream, and the reader's lock is always released. */
export function fromReadableStream<O>(stream: ReadableStream<O>): Source<O> {
  return new Source(() => new WebStreamStage(stream));
}

/**
 * A web ReadableStream whose pull() pulls the source, one element per request (highWaterMark 0: nothing is read
 * ahead); cancel() releases the source's resources before its promise settles.
 */
export function toReadableStream<O>(source: Source<O>): ReadableStream<O> {
  const puller = new Puller(source);
  return new ReadableStream<O>({
    pull(controller) {
      const x = puller.next();
      if (!(x instanceof Promise)) return deliver(controller, x);
      return x.then((v) => deliver(controller, v));
    },
    cancel() {
      return puller.close();
    },
  }, { highWaterMark: 0 });
}

function deliver<O>(controller: ReadableStreamDefaultController<O>, x: O | S.Done): void {
  if (x === DONE) controller.close();
  else controller.enqueue(x as O);
}
