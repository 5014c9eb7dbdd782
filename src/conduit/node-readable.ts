// Node Readable interop in both directions. fromReadable pulls with read() in paused mode (never more than the
// stream's own highWaterMark is buffered) and destroys the stream on an early stop; toReadable's _read pulls a Source.
import { Readable } from 'node:stream';
import { Source } from './pipeline.js';
import { acquire, closeStage, Stage } from './stage.js';
import { suspend } from './signal.js';
import { ConduitError } from './errors.js';
import { isFlush } from './flush.js';
import { Puller } from './puller.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;

const NO_ERROR: unique symbol = Symbol('no error');

function ignore(): void {}

class ReadableStage<O> extends Stage<O, void> {
  private started = false;
  private finished = false;
  private ended = false;
  private failure: unknown = NO_ERROR;
  private waiting: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly onReadable = (): void => this.notify();
  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (e: unknown): void => {
    if (this.failure === NO_ERROR) this.failure = e;
    this.notify();
  };
  private readonly onClose = (): void => {
    if (!this.ended && this.failure === NO_ERROR) {
      this.failure = new ConduitError('PREMATURE_END', 'the Readable closed before it ended');
    }
    this.notify();
  };

  constructor(private readonly readable: Readable) {
    super(null);
  }

  pull(): O | S.Done | S.Suspend {
    if (this.finished) return DONE;
    if (this.waiting !== null) return suspend(this.waiting);
    if (!this.started) this.start();
    if (this.failure !== NO_ERROR) {
      this.finished = true;
      throw this.failure;
    }
    const x = this.readable.read() as O | null;
    if (x !== null) return x;
    if (this.ended) {
      this.finished = true;
      const released = closeStage(this);
      return released === undefined ? DONE : suspend(released);
    }
    this.waiting = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    return suspend(this.waiting);
  }

  private start(): void {
    this.started = true;
    const r = this.readable;
    if (r.readableEnded) this.ended = true;
    else if (r.errored !== null) this.failure = r.errored;
    else if (r.destroyed) this.failure = new ConduitError('PREMATURE_END', 'the Readable was destroyed before it ended');
    r.on('readable', this.onReadable);
    r.on('end', this.onEnd);
    r.on('error', this.onError);
    r.on('close', this.onClose);
    acquire(this, () => this.detach());
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    this.waiting = null;
    if (wake !== null) wake();
  }

  private detach(): void {
    const r = this.readable;
    r.off('readable', this.onReadable);
    r.off('end', this.onEnd);
    r.off('close', this.onClose);
    r.off('error', this.onError);
    if (!this.ended && !r.destroyed) {
      // An early stop or a failure elsewhere: the stream is no longer wanted. Keep errors it reports while being
      // destroyed from becoming uncaught 'error' events (nobody is reading it any more).
      r.on('error', ignore);
      r.destroy();
    }
  }
}

/**
 * The chunks of a Node Readable, pulled with read() (no flowing mode: it buffers at most its highWaterMark). The
 * stream is destroyed when the pipeline stops early or fails; 'close' before 'end' fails with 'PREMATURE_END'.
 */
export function fromReadable<O = Buffer>(readable: Readable): Source<O> {
  return new Source(() => new ReadableStage<O>(readable));
}

/** Options for toReadable. */
export interface ToReadableOptions {
  /** Object mode (default false: a byte stream, where FLUSH markers are skipped). */
  readonly objectMode?: boolean;
  /** The Readable's buffer size (Node's default when absent); 0 reads nothing ahead of the consumer. */
  readonly highWaterMark?: number;
}

/**
 * A Node Readable whose _read() pulls the source. destroy() (or an early end by the consumer) closes the source and
 * releases its resources before the 'close' event; a failing source destroys the Readable with its error.
 */
export function toReadable<O>(source: Source<O>, options: ToReadableOptions = {}): Readable {
  const puller = new Puller(source);
  const objectMode = options.objectMode === true;
  const readable: Readable = new Readable({
    objectMode,
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    read() {
      pump();
    },
    destroy(error, callback) {
      let released: void | Promise<void>;
      try {
        released = puller.close();
      } catch (e) {
        callback(error ?? asError(e));
        return;
      }
      if (released === undefined) callback(error);
      else released.then(() => callback(error), (e: unknown) => callback(error ?? asError(e)));
    },
  });
  /** Pulls until the Readable's buffer is full, the source suspends or ends. */
  const pump = (): void => {
    for (;;) {
      let x: O | S.Done | Promise<O | S.Done>;
      try {
        x = puller.next();
      } catch (e) {
        readable.destroy(asError(e));
        return;
      }
      if (x instanceof Promise) {
        x.then((v) => {
          if (deliver(v)) pump();
        }, (e: unknown) => readable.destroy(asError(e)));
        return;
      }
      if (!deliver(x)) return;
    }
  };
  /** Pushes one element; false when the Readable wants no more for now (or has ended). */
  const deliver = (x: O | S.Done): boolean => {
    if (readable.destroyed) return false;
    if (x === DONE) {
      readable.push(null);
      return false;
    }
    if (!objectMode && isFlush(x)) return true;
    return readable.push(x);
  };
  return readable;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
