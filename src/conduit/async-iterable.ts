// toAsyncIterable: a Source as an AsyncIterableIterator for `for await`. Nothing is read ahead; `break` (return())
// releases everything the source holds before the loop goes on, and an error closes it before the loop sees the error.
import type { Source } from './pipeline.js';
import { Puller } from './puller.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;

const FINISHED: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

class SourceIterator<O> implements AsyncIterableIterator<O> {
  private readonly puller: Puller<O>;
  /** The last next() still running; a next() called meanwhile waits for it (one pull at a time). */
  private running: Promise<IteratorResult<O, undefined>> | null = null;

  constructor(source: Source<O>) {
    this.puller = new Puller(source);
  }

  next(): Promise<IteratorResult<O, undefined>> {
    const running = this.running;
    if (running !== null) return running.then(() => this.next(), () => this.next());
    let x: O | S.Done | Promise<O | S.Done>;
    try {
      x = this.puller.next();
    } catch (e) {
      return Promise.reject(e);
    }
    if (!(x instanceof Promise)) return Promise.resolve(toResult(x));
    const p = x.then(toResult);
    this.running = p;
    const clear = (): void => {
      if (this.running === p) this.running = null;
    };
    p.then(clear, clear);
    return p;
  }

  async return(): Promise<IteratorResult<O, undefined>> {
    await this.puller.close();
    return FINISHED;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function toResult<O>(x: O | S.Done): IteratorResult<O, undefined> {
  return x === DONE ? FINISHED : { done: false, value: x as O };
}

/** A Source as an async iterator: each next() pulls one element; return() (a `break`) releases the source at once. */
export function toAsyncIterable<O>(source: Source<O>): AsyncIterableIterator<O> {
  return new SourceIterator(source);
}
