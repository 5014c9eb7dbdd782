// The primitives of generator stages: `yield*` an Op made by Io (receive, emit, await, ...). One OpCell per stage is
// reused for every instruction. Hot-path trick: receive/peek/await/bracket finish inside the OpCell's first next()
// when they can (input available, value not a promise), so `yield*` completes without suspending the generator;
// only emit and real waits cost a generator suspension.
import { acquire, closeStage, Input as InputClass, releaseResource, type Input, type Stage } from './stage.js';
import type { Conduit, Sink, Source } from './pipeline.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;
const END: S.End = Symbol.for('sluice.conduit.END') as S.End;

/**
 * An instruction a generator stage yields (opaque: produced by Io's methods). E is what it emits, a type only: it
 * lets `source(function* (io) { ... })` infer its element type from the body's emits, with no annotation.
 */
export interface Instruction<E = unknown> {
  readonly code: number;
  /** Never set: carries the emitted element type for inference. */
  readonly emits?: E;
}

/** Something to `yield*` inside a generator stage; the expression's value is T, and E is what it emits. */
export interface Op<T, E = never> {
  [Symbol.iterator](): Iterator<Instruction<E>, T, unknown>;
}

/** A scoped resource registered by addCleanup: release() runs it early (once). */
export interface Cleanup {
  release(): void | Promise<void>;
}

/** Instruction codes (what the interpreter does with a yielded OpCell). */
export const enum Code {
  Receive, Peek, Emit, Await, Sub, Bracket,
  /** The input suspended during a fast receive: return SUSPEND, then receive in the interpreter. */
  WaitInput,
  /** The same for a fast peek. */
  WaitPeek,
  /** Upstream failed and its async releases must finish before the error is thrown into the generator. */
  Raise,
}

/** The one reusable instruction cell of a stage; also the iterator `yield*` drives. */
export class OpCell implements Instruction, Iterator<Instruction, unknown, unknown> {
  code: Code = Code.Receive;
  arg: unknown = undefined;
  arg2: unknown = undefined;
  private first = true;
  private readonly yielded: IteratorYieldResult<Instruction> = { value: this, done: false };
  private readonly returned: IteratorReturnResult<unknown> = { value: undefined, done: true };

  /** The stage behind a plain Input: read directly while no leftovers wait (saves a megamorphic hop per element). */
  private readonly direct: Stage<unknown, unknown> | null;

  constructor(private readonly input: Input<unknown> | null, private readonly stage: Stage<unknown, unknown>) {
    this.direct = input !== null && input.constructor === InputClass ? input.up : null;
  }

  [Symbol.iterator](): this {
    this.first = true;
    return this;
  }

  next(v?: unknown): IteratorResult<Instruction, unknown> {
    if (!this.first) {
      this.returned.value = v; // the interpreter resumed us with the instruction's value
      return this.returned;
    }
    this.first = false;
    const code = this.code;
    if (code === Code.Emit) return this.yielded; // the hot case: hand the value to the interpreter
    switch (code) {
      case Code.Receive:
      case Code.Peek:
        return this.readFast();
      case Code.Await: {
        const x = this.arg;
        if (typeof x === 'object' && x !== null && typeof (x as PromiseLike<unknown>).then === 'function') return this.yielded;
        return this.done(x);
      }
      case Code.Bracket: {
        const x = (this.arg as () => unknown)();
        if (typeof x === 'object' && x !== null && typeof (x as PromiseLike<unknown>).then === 'function') {
          this.arg = x; // the interpreter waits for the acquisition
          return this.yielded;
        }
        const release = this.arg2 as (r: unknown) => void | PromiseLike<void>;
        acquire(this.stage, () => release(x));
        return this.done(x);
      }
      default:
        return this.yielded;
    }
  }

  /** receive/peek without suspending the generator when the input answers at once. */
  private readFast(): IteratorResult<Instruction, unknown> {
    const input = this.input;
    if (input === null) return this.done(END);
    let x: unknown;
    try {
      const direct = this.direct;
      x = direct !== null && input.stack.length === 0 ? direct.pull() : input.pull();
    } catch (e) {
      const outcome = closeUpstreamAfter(input, e);
      if (!(outcome instanceof Promise)) throw outcome.error; // thrown at the yield*, where the body can catch it
      this.code = Code.Raise;
      this.arg = outcome;
      return this.yielded;
    }
    if (x === SUSPEND) {
      this.code = this.code === Code.Peek ? Code.WaitPeek : Code.WaitInput;
      return this.yielded;
    }
    if (x === DONE) return this.done(END);
    if (this.code === Code.Peek) input.leftover(x);
    return this.done(x);
  }

  private done(v: unknown): IteratorReturnResult<unknown> {
    this.returned.value = v;
    return this.returned;
  }

  throw(e?: unknown): IteratorResult<Instruction, unknown> {
    throw e;
  }

  return(v?: unknown): IteratorResult<Instruction, unknown> {
    this.returned.value = v;
    return this.returned;
  }
}

/** The primitives available inside a generator stage with input I and output O. */
export class Io<I, O> {
  private readonly op: OpCell;
  private readonly stage: Stage<unknown, unknown>;
  private readonly input: Input<I> | null;

  /** @internal */
  constructor(op: OpCell, stage: Stage<unknown, unknown>, input: Input<I> | null) {
    this.op = op;
    this.stage = stage;
    this.input = input;
  }

  private set<T>(code: Code, arg: unknown, arg2?: unknown): Op<T> {
    const op = this.op;
    op.code = code;
    op.arg = arg;
    op.arg2 = arg2;
    return op as unknown as Op<T>;
  }

  /** Awaits one input element, or END when upstream has ended. */
  receive(): Op<I | S.End> {
    this.op.code = Code.Receive;
    return this.op as unknown as Op<I | S.End>;
  }

  /** Looks at the next input element without consuming it (END when upstream has ended). */
  peek(): Op<I | S.End> {
    this.op.code = Code.Peek;
    return this.op as unknown as Op<I | S.End>;
  }

  /** Emits one output element; resumes when downstream asks for the next. */
  emit<V extends O>(value: V): Op<void, V> {
    const op = this.op;
    op.code = Code.Emit;
    op.arg = value;
    return op as unknown as Op<void, V>;
  }

  /** Pushes an element back onto this stage's input (a stack: the last pushed is received first). */
  leftover(value: I): void {
    if (this.input === null) throw new TypeError('sluice/conduit: a source stage has no input to push back to');
    this.input.leftover(value);
  }

  /** Awaits a promise (only this stage suspends; a value that is not a promise resumes at once). */
  await<T>(value: T | PromiseLike<T>): Op<T> {
    return this.set(Code.Await, value);
  }

  /** Runs a sink on this stage's input (sequential composition: leftovers stay with the input); yields its result. */
  consume<R>(sink: Sink<I, R>): Op<R> {
    return this.set(Code.Sub, sink, 'sink');
  }

  /** Runs a conduit on this stage's input and emits everything it produces. */
  forward<V extends O>(conduit: Conduit<I, V>): Op<void, V> {
    return this.set(Code.Sub, conduit, 'conduit') as Op<void, V>;
  }

  /** Emits everything a source produces (the source is released as soon as it ends or this stage closes). */
  emitAll<V extends O>(source: Source<V>): Op<void, V> {
    return this.set(Code.Sub, source, 'source') as Op<void, V>;
  }

  /** Acquires a resource (sync or async) and registers its release, run when the stage ends or closes. */
  bracket<T>(acquire: () => T | PromiseLike<T>, release: (resource: T) => void | PromiseLike<void>): Op<T> {
    return this.set(Code.Bracket, acquire, release);
  }

  /** Registers a release action, run when the stage ends or closes (or early via the returned handle). */
  addCleanup(release: () => void | PromiseLike<void>): Cleanup {
    const stage = this.stage;
    const r = acquire(stage, release);
    return { release: () => releaseResource(stage, r) };
  }
}

/** Closes the upstream an error came out of; the (augmented) error, or a promise that resolves to it. */
export function closeUpstreamAfter(input: Stage<unknown, unknown>, e: unknown): { error: unknown } | Promise<unknown> {
  try {
    const released = closeStage(input, e);
    return (released as Promise<void>).then(() => e, (augmented: unknown) => augmented);
  } catch (augmented) {
    return { error: augmented };
  }
}
