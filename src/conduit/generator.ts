// Custom stages written as generators: `yield*` the primitives (receive, emit, await, consume, ...) as Effect.gen does.
// One interpreter stage runs them; the op object is reused per stage, so an instruction allocates nothing.
import { acquire, Borrowed, closeStage, inputOf, releaseResource, Stage, type Input } from './stage.js';
import { Conduit, Sink, Source } from './pipeline.js';
import { suspend } from './signal.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;
const END: S.End = Symbol.for('sluice.conduit.END') as S.End;

/** An instruction a generator stage yields (opaque: produced by Io's methods). */
export interface Instruction {
  readonly code: number;
}

/** Something to `yield*` inside a generator stage; the expression's value is T. */
export interface Op<T> {
  [Symbol.iterator](): Iterator<Instruction, T, unknown>;
}

/** The body of a generator stage. */
export type StageBody<I, O, R> = (io: Io<I, O>) => Generator<Instruction, R, unknown>;

/** A scoped resource registered by addCleanup: release() runs it early (once). */
export interface Cleanup {
  release(): void | Promise<void>;
}

const RECEIVE = 0, EMIT = 1, AWAIT = 2, SUB = 3, PEEK = 4, BRACKET = 5;
// What the interpreter does on its next pull.
const M_NEXT = 0, M_THROW = 1, M_RECEIVE = 2, M_PEEK = 3, M_SUB = 4;

class OpCell implements Instruction, Iterator<Instruction, unknown, unknown> {
  code = 0;
  arg: unknown = undefined;
  arg2: unknown = undefined;
  private first = true;
  private readonly yielded: IteratorYieldResult<Instruction> = { value: this, done: false };
  private readonly returned: IteratorReturnResult<unknown> = { value: undefined, done: true };

  [Symbol.iterator](): this {
    this.first = true;
    return this;
  }

  next(v?: unknown): IteratorResult<Instruction, unknown> {
    if (this.first) {
      this.first = false;
      return this.yielded;
    }
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
  private readonly op = new OpCell();
  /** @internal */
  readonly stage: GenStage<I, O, unknown>;

  /** @internal */
  constructor(stage: GenStage<I, O, unknown>) {
    this.stage = stage;
  }

  private set<T>(code: number, arg: unknown, arg2?: unknown): Op<T> {
    const op = this.op;
    op.code = code;
    op.arg = arg;
    op.arg2 = arg2;
    return op as unknown as Op<T>;
  }

  /** Awaits one input element, or END when upstream has ended. */
  receive(): Op<I | S.End> {
    return this.set(RECEIVE, undefined);
  }

  /** Looks at the next input element without consuming it (END when upstream has ended). */
  peek(): Op<I | S.End> {
    return this.set(PEEK, undefined);
  }

  /** Emits one output element; resumes when downstream asks for the next. */
  emit(value: O): Op<void> {
    return this.set(EMIT, value);
  }

  /** Pushes an element back onto this stage's input (a stack: the last pushed is received first). */
  leftover(value: I): void {
    this.stage.inputOrThrow().leftover(value);
  }

  /** Awaits a promise (only this stage suspends; sync values resume at once). */
  await<T>(value: T | PromiseLike<T>): Op<T> {
    return this.set(AWAIT, value);
  }

  /** Runs a sink on this stage's input (sequential composition: leftovers stay with the input); yields its result. */
  consume<R>(sink: Sink<I, R>): Op<R> {
    return this.set(SUB, sink, 'sink');
  }

  /** Runs a conduit on this stage's input and emits everything it produces. */
  forward(conduit: Conduit<I, O>): Op<void> {
    return this.set(SUB, conduit, 'conduit');
  }

  /** Emits everything a source produces (the source is released as soon as it ends or this stage closes). */
  emitAll(source: Source<O>): Op<void> {
    return this.set(SUB, source, 'source');
  }

  /** Acquires a resource (sync or async) and registers its release, run when the stage ends or closes. */
  bracket<T>(acquire: () => T | PromiseLike<T>, release: (resource: T) => void | PromiseLike<void>): Op<T> {
    return this.set(BRACKET, acquire, release);
  }

  /** Registers a release action, run when the stage ends or closes (or early via the returned handle). */
  addCleanup(release: () => void | PromiseLike<void>): Cleanup {
    const stage = this.stage;
    const r = acquire(stage, release);
    return { release: () => releaseResource(stage, r) };
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as PromiseLike<unknown>).then === 'function';
}

/** The interpreter: one runtime stage per generator instance. */
class GenStage<I, O, R> extends Stage<O, R> {
  private readonly body: StageBody<I, O, R>;
  private gen: Generator<Instruction, R, unknown> | null = null;
  private readonly io: Io<I, O>;
  private readonly input: Input<I> | null;
  private mode = M_NEXT;
  private value: unknown = undefined;
  private sub: Stage<unknown, unknown> | null = null;
  private parked: Promise<void> | null = null;
  private finished = false;

  constructor(body: StageBody<I, O, R>, up: Stage<I, unknown> | null) {
    const input = up === null ? null : inputOf(up);
    super(input);
    this.input = input;
    this.body = body;
    this.io = new Io(this as GenStage<I, O, unknown>);
  }

  inputOrThrow(): Input<I> {
    if (this.input === null) throw new TypeError('sluice/conduit: a source stage has no input to read or push back to');
    return this.input;
  }

  override collect(out: Parameters<Stage<O, R>['collect']>[0]): void {
    if (this.closed) return;
    const sub = this.sub;
    super.collect(out);
    if (sub !== null) sub.collect(out);
  }

  pull(): O | S.Done | S.Suspend {
    if (this.finished) return DONE;
    if (this.parked !== null) return suspend(this.parked);
    if (this.gen === null) this.start();
    const gen = this.gen!;
    for (;;) {
      let r: IteratorResult<Instruction, R>;
      switch (this.mode) {
        case M_NEXT:
          r = gen.next(this.value);
          break;
        case M_THROW:
          this.mode = M_NEXT;
          r = gen.throw(this.value);
          break;
        case M_RECEIVE:
        case M_PEEK: {
          const x = this.readInput();
          if (x === SUSPEND) return SUSPEND;
          if ((this.mode as number) === M_THROW) continue;
          if (this.mode === M_PEEK && x !== END) this.input!.leftover(x as I);
          this.mode = M_NEXT;
          this.value = x;
          continue;
        }
        default: {
          const x = this.sub!.pull();
          if (x === SUSPEND) return SUSPEND;
          if (x !== DONE) return x as O;
          const s = this.endSub();
          if (s !== undefined) return s;
          continue;
        }
      }
      if (r.done === true) return this.end(r.value);
      const s = this.perform(r.value as OpCell);
      if (s !== undefined) return s as O | S.Suspend;
    }
  }

  private start(): void {
    this.gen = this.body(this.io);
    acquire(this, () => {
      if (!this.finished) {
        this.finished = true;
        this.gen!.return(undefined as R);
      }
    });
  }

  /** Carries out one instruction; returns a value to hand downstream (or SUSPEND), or undefined to keep going. */
  private perform(op: OpCell): unknown {
    switch (op.code) {
      case EMIT:
        this.value = undefined;
        return op.arg;
      case RECEIVE:
        this.mode = M_RECEIVE;
        return undefined;
      case PEEK:
        this.mode = M_PEEK;
        return undefined;
      case AWAIT:
        if (!isThenable(op.arg)) {
          this.value = op.arg;
          return undefined;
        }
        return this.park(op.arg, false);
      case BRACKET:
        return this.doBracket(op.arg as () => unknown, op.arg2 as (x: unknown) => void | PromiseLike<void>);
      default:
        this.startSub(op.arg, op.arg2 as 'sink' | 'conduit' | 'source');
        return undefined;
    }
  }

  private readInput(): unknown {
    const input = this.input;
    if (input === null) return END;
    let x: unknown;
    try {
      x = input.pull();
    } catch (e) {
      this.throwIntoGen(closeUpstreamAfter(input, e));
      return undefined;
    }
    return x === DONE ? END : x;
  }

  private throwIntoGen(outcome: { error: unknown } | Promise<unknown>): void {
    if (outcome instanceof Promise) {
      this.park(outcome, true);
      return;
    }
    this.mode = M_THROW;
    this.value = outcome.error;
  }

  private startSub(desc: unknown, kind: 'sink' | 'conduit' | 'source'): void {
    if (kind === 'source') this.sub = (desc as Source<unknown>).build();
    else {
      const lent = new Borrowed(this.inputOrThrow()) as Stage<unknown, unknown>;
      this.sub = kind === 'sink' ? (desc as Sink<unknown, unknown>).build(lent) : (desc as Conduit<unknown, unknown>).build(lent);
    }
    this.mode = M_SUB;
  }

  private endSub(): S.Suspend | undefined {
    const sub = this.sub!;
    this.sub = null;
    this.mode = M_NEXT;
    this.value = sub.result;
    const released = closeStage(sub);
    if (released === undefined) return undefined;
    const result = sub.result;
    return this.park(released.then(() => result), false) as S.Suspend;
  }

  private doBracket(acq: () => unknown, release: (x: unknown) => void | PromiseLike<void>): unknown {
    const x = acq();
    if (!isThenable(x)) {
      acquire(this, () => release(x));
      this.value = x;
      return undefined;
    }
    const held = Promise.resolve(x).then((v) => {
      if (this.closed) {
        // Closed while acquiring: release at once; there is no run left to report a failure to.
        Promise.resolve().then(() => release(v)).catch((e: unknown) => process.emitWarning(asWarning(e)));
      } else acquire(this, () => release(v));
      return v;
    });
    return this.park(held, false);
  }

  /** Suspends until `p` settles; its value (or error) resumes the generator. */
  private park(p: PromiseLike<unknown>, rethrow: boolean): S.Suspend {
    const parked = Promise.resolve(p).then(
      (v) => {
        this.parked = null;
        if (rethrow) {
          this.mode = M_THROW;
          this.value = v;
        } else {
          this.mode = M_NEXT;
          this.value = v;
        }
      },
      (e: unknown) => {
        this.parked = null;
        this.mode = M_THROW;
        this.value = e;
      },
    );
    this.parked = parked;
    return suspend(parked);
  }

  private end(result: R): S.Done | S.Suspend {
    this.finished = true;
    this.result = result;
    const released = closeStage(this);
    if (released === undefined) return DONE;
    return this.park(released.then(() => DONE), false);
  }
}

/** Closes the upstream an error came out of; the (augmented) error, or a promise that rejects with it. */
function closeUpstreamAfter(input: Stage<unknown, unknown>, e: unknown): { error: unknown } | Promise<unknown> {
  try {
    const released = closeStage(input, e);
    return (released as Promise<void>).then(() => e);
  } catch (augmented) {
    return { error: augmented };
  }
}

function asWarning(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** A Source written as a generator: `source(function* (io) { yield* io.emit(1); })`. */
export function source<O, R = void>(body: StageBody<never, O, R>): Source<O> {
  return new Source(() => new GenStage<never, O, R>(body, null));
}

/** A Conduit written as a generator over io.receive() / io.emit(). */
export function conduit<I, O>(body: StageBody<I, O, unknown>): Conduit<I, O> {
  return new Conduit((up) => new GenStage<I, O, unknown>(body, up));
}

/** A Sink written as a generator; its return value is the sink's result. */
export function sink<I, R>(body: StageBody<I, never, R>): Sink<I, R> {
  return new Sink((up) => new GenStage<I, never, R>(body, up) as Stage<never, R>);
}
