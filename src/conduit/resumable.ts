// Resumable sources (conduit's $$+, $$++, $$+-): run a sink on a source, keep the rest (leftovers included) for the next sink.
// One connection serves request after request this way; its resources are released once, by close().
import { Conduit, Sink, Source } from './pipeline.js';
import { attachSuppressed } from './finalize.js';
import { drive, type RunOptions } from './run.js';
import { Borrowed, closeStage, Input, Stage } from './stage.js';

/** A source that has been started: connect sinks to it one after another, then close it. */
export class ResumableSource<O> {
  private readonly input: Input<O>;
  private readonly owner: Stage<unknown, unknown>;

  private constructor(input: Input<O>, owner: Stage<unknown, unknown>) {
    this.input = input;
    this.owner = owner;
  }

  /** Starts `source` (lazily: nothing is pulled until a sink asks). */
  static from<O>(source: Source<O>): ResumableSource<O> {
    const input = new Input<O>(source.build());
    return new ResumableSource(input, input);
  }

  /**
   * A resumable source over an input that already exists (a socket's receive queue, say): reads come from it and
   * leftovers go back into it, so code that reads the input directly and sinks connected here see one order.
   * close() closes the input's stage, which releases what it holds.
   */
  static over<O>(input: Input<O>): ResumableSource<O> {
    return new ResumableSource(input, input);
  }

  /** Runs `sink` on what is left; its leftovers stay here for the next sink. R synchronously when nothing suspended. */
  connect<R>(sink: Sink<O, R>, options?: RunOptions): R | Promise<R> {
    return drive(sink.build(new Borrowed(this.input)), options);
  }

  /** A Source view of what is left: runs that use it consume from here, but closing them releases nothing here. */
  borrow(): Source<O> {
    return new Source(() => new Borrowed(this.input));
  }

  /**
   * A resumable source of `conduit`'s output over what is left here. Closing the result closes the conduit only:
   * this source stays open (its owner closes it). Leftovers the conduit pushes back return here.
   */
  pipe<P>(conduit: Conduit<O, P>): ResumableSource<P> {
    const stage = conduit.build(new Borrowed(this.input));
    const input = new Input<P>(stage);
    return new ResumableSource(input, input);
  }

  /** Whether leftovers are waiting to be read. */
  hasLeftovers(): boolean {
    return this.input.hasLeftovers();
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.owner.closed;
  }

  /** Releases everything this source holds, exactly once (later calls do nothing). */
  close(): void | Promise<void> {
    return closeStage(this.owner);
  }
}

/** Runs `sink` on `source` and returns its result with the rest of the source (leftovers included). */
export function connect<O, R>(
  source: Source<O>, sink: Sink<O, R>, options?: RunOptions,
): { result: R; rest: ResumableSource<O> } | Promise<{ result: R; rest: ResumableSource<O> }> {
  const rest = ResumableSource.from(source);
  let r: R | Promise<R>;
  try {
    r = rest.connect(sink, options);
  } catch (e) {
    return closeAfter(rest, e);
  }
  if (r instanceof Promise) return r.then((result) => ({ result, rest }), (e: unknown) => closeAfter(rest, e));
  return { result: r, rest };
}

/** Closes the rest after a failed connect; the sink's error stays primary. */
function closeAfter(rest: ResumableSource<unknown>, error: unknown): Promise<never> {
  let released: void | Promise<void>;
  try {
    released = rest.close();
  } catch (e) {
    throw attachSuppressed(error, [e]);
  }
  if (released === undefined) throw error;
  return released.then(
    () => Promise.reject(error),
    (e: unknown) => Promise.reject(attachSuppressed(error, [e])),
  );
}
