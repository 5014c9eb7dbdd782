// Custom stages written as generators: `yield*` the primitives of Io (receive, emit, await, consume, ...), as Effect.gen.
// One interpreter stage runs them. Nested generator sub-stages (emitAll/consume/forward of a generator stage) run on
// an explicit stack owned by the outermost stage, so 100,000 nested levels, left or right, never deepen the JS stack.
import { acquire, Borrowed, closeStage, inputOf, Stage, type Input } from './stage.js';
import { Conduit, Sink, Source } from './pipeline.js';
import { park, settled, suspend } from './signal.js';
import { closeUpstreamAfter, Code, Io, OpCell, type Instruction } from './io.js';
import type { Resource } from './finalize.js';
import type * as S from './signal.js';

export { Io } from './io.js';
export type { Cleanup, Instruction, Op } from './io.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const UNSETTLED: typeof S.UNSETTLED = Symbol.for('sluice.conduit.UNSETTLED') as typeof S.UNSETTLED;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;
const END: S.End = Symbol.for('sluice.conduit.END') as S.End;
/** step() result: "I started a generator sub-stage: run it on the stack". */
const DELEGATE: unique symbol = Symbol('delegate');

/** The body of a generator stage. */
export type StageBody<I, O, R> = (io: Io<I, O>) => Generator<Instruction, R, unknown>;

// What the interpreter does on its next step.
const M_NEXT = 0, M_THROW = 1, M_RECEIVE = 2, M_PEEK = 3, M_AWAIT = 4, M_SUB = 5;

/** The interpreter: one runtime stage per generator instance. */
class GenStage<I, O, R> extends Stage<O, R> {
  private gen: Generator<Instruction, R, unknown> | null = null;
  private readonly op: OpCell;
  private readonly input: Input<I> | null;
  private mode = M_NEXT;
  private value: unknown = undefined;
  private sub: Stage<unknown, unknown> | null = null;
  private parked: Promise<void> | null = null;
  /** The promise of an io.await, parked with the driver (no promise of our own per await). */
  private awaiting: PromiseLike<unknown> | null = null;
  private finished = false;
  /** The stack of nested generator sub-stages being run (this stage at the bottom); null when none is active. */
  private chain: GenStage<unknown, unknown, unknown>[] | null = null;

  constructor(private readonly body: StageBody<I, O, R>, up: Stage<I, unknown> | null) {
    const input = up === null ? null : inputOf(up);
    super(input);
    this.input = input;
    this.op = new OpCell(input as Input<unknown> | null, this as Stage<unknown, unknown>);
  }

  /** Collects this stage and its nested sub-stages iteratively (a deep nest must not recurse). */
  override collect(out: Resource[]): void {
    let s: GenStage<unknown, unknown, unknown> | null = this as GenStage<unknown, unknown, unknown>;
    while (s !== null && !s.closed) {
      const sub: Stage<unknown, unknown> | null = s.sub;
      Stage.prototype.collect.call(s, out);
      if (sub instanceof GenStage) s = sub as GenStage<unknown, unknown, unknown>;
      else {
        if (sub !== null) sub.collect(out);
        s = null;
      }
    }
  }

  pull(): O | S.Done | S.Suspend {
    if (this.chain === null) {
      const x = this.step();
      if (x !== DELEGATE) return x;
      this.chain = [this as GenStage<unknown, unknown, unknown>, this.sub as GenStage<unknown, unknown, unknown>];
    }
    return this.pullChain(this.chain) as O | S.Done | S.Suspend;
  }

  private pullChain(chain: GenStage<unknown, unknown, unknown>[]): unknown {
    for (;;) {
      const top = chain[chain.length - 1]!;
      const x = top.step();
      if (x === DELEGATE) {
        chain.push(top.sub as GenStage<unknown, unknown, unknown>);
        continue;
      }
      if (x !== DONE || chain.length === 1) return x;
      chain.pop();
      const parent = chain[chain.length - 1]!;
      if (chain.length === 1) this.chain = null;
      const s = parent.endSub();
      if (s !== undefined) return s;
    }
  }

  /** Runs this stage's own generator to its next output, wait or end (a generator sub-stage is delegated). */
  private step(): O | S.Done | S.Suspend | typeof DELEGATE {
    if (this.finished) return DONE;
    if (this.parked !== null) return suspend(this.parked);
    if (this.gen === null) this.start();
    const gen = this.gen!;
    for (;;) {
      let r: IteratorResult<Instruction, R>;
      switch (this.mode) {
        case M_NEXT: {
          const v = this.value;
          this.value = undefined;
          r = gen.next(v);
          break;
        }
        case M_THROW:
          this.mode = M_NEXT;
          r = gen.throw(this.value);
          break;
        case M_RECEIVE:
        case M_PEEK:
          if (!this.readInput()) return SUSPEND;
          continue;
        case M_AWAIT:
          if (!this.readAwaited()) return park(this.awaiting!);
          continue;
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
      const op = r.value as OpCell;
      if (op.code === Code.Emit) return op.arg as O; // the hot case first
      const s = this.perform(op);
      if (s !== undefined) return s as S.Suspend | typeof DELEGATE;
    }
  }

  private start(): void {
    this.gen = this.body(new Io<I, O>(this.op, this as Stage<unknown, unknown>, this.input));
    acquire(this, () => {
      if (!this.finished) {
        this.finished = true;
        this.gen!.return(undefined as R);
      }
    });
  }

  /** Carries out one instruction the fast path could not finish; SUSPEND or DELEGATE to stop, undefined to go on. */
  private perform(op: OpCell): S.Suspend | typeof DELEGATE | undefined {
    switch (op.code) {
      case Code.WaitInput:
        // The input suspended inside the fast receive: the driver waits, then readInput() reads it.
        this.mode = M_RECEIVE;
        return SUSPEND;
      case Code.WaitPeek:
        this.mode = M_PEEK;
        return SUSPEND;
      case Code.Raise:
        return this.park(op.arg as Promise<unknown>, true);
      case Code.Await:
        this.awaiting = op.arg as PromiseLike<unknown>;
        this.mode = M_AWAIT;
        return park(this.awaiting);
      case Code.Bracket:
        return this.acquireAsync(op.arg as PromiseLike<unknown>, op.arg2 as (x: unknown) => void | PromiseLike<void>);
      default:
        return this.startSub(op.arg, op.arg2 as 'sink' | 'conduit' | 'source');
    }
  }

  /** Reads the input in the interpreter (after a suspension): false when it suspends again. */
  private readInput(): boolean {
    const input = this.input;
    let x: unknown;
    if (input === null) x = END;
    else {
      try {
        x = input.pull();
      } catch (e) {
        const outcome = closeUpstreamAfter(input, e);
        if (outcome instanceof Promise) {
          this.park(outcome, true);
          return false;
        }
        this.mode = M_THROW;
        this.value = outcome.error;
        return true;
      }
      if (x === SUSPEND) return false;
      if (x === DONE) x = END;
      else if (this.mode === M_PEEK) input.leftover(x as I);
    }
    this.mode = M_NEXT;
    this.value = x;
    return true;
  }

  /** Reads the outcome of the awaited promise once the driver recorded it: false while it is still pending. */
  private readAwaited(): boolean {
    let v: unknown;
    try {
      v = settled(this.awaiting!);
    } catch (e) {
      this.mode = M_THROW;
      this.value = e;
      this.awaiting = null;
      return true;
    }
    if (v === UNSETTLED) return false;
    this.mode = M_NEXT;
    this.value = v;
    this.awaiting = null;
    return true;
  }

  private startSub(desc: unknown, kind: 'sink' | 'conduit' | 'source'): typeof DELEGATE | undefined {
    let sub: Stage<unknown, unknown>;
    if (kind === 'source') sub = (desc as Source<unknown>).build();
    else {
      if (this.input === null) throw new TypeError('sluice/conduit: a source stage has no input to consume or forward');
      const lent = new Borrowed(this.input) as Stage<unknown, unknown>;
      sub = kind === 'sink' ? (desc as Sink<unknown, unknown>).build(lent) : (desc as Conduit<unknown, unknown>).build(lent);
    }
    this.sub = sub;
    this.mode = M_SUB;
    return sub instanceof GenStage ? DELEGATE : undefined;
  }

  /** The sub-stage ended: its result resumes the generator once its releases are done. */
  private endSub(): S.Suspend | undefined {
    const sub = this.sub!;
    this.sub = null;
    this.mode = M_NEXT;
    this.value = sub.result;
    const released = closeStage(sub);
    if (released === undefined) return undefined;
    const result = sub.result;
    return this.park(released.then(() => result), false);
  }

  private acquireAsync(acquiring: PromiseLike<unknown>, release: (x: unknown) => void | PromiseLike<void>): S.Suspend {
    const held = Promise.resolve(acquiring).then((v) => {
      if (this.closed) {
        // Closed while acquiring: release at once; there is no run left to report a failure to.
        Promise.resolve().then(() => release(v)).catch((e: unknown) => process.emitWarning(asWarning(e)));
      } else acquire(this, () => release(v));
      return v;
    });
    return this.park(held, false);
  }

  /** Suspends until `p` settles; its value (or error) resumes the generator (rethrow: the value is thrown). */
  private park(p: PromiseLike<unknown>, rethrow: boolean): S.Suspend {
    const parked = Promise.resolve(p).then(
      (v) => {
        this.parked = null;
        this.mode = rethrow ? M_THROW : M_NEXT;
        this.value = v;
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

function asWarning(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * The body of a generator source. Its io does not mention O, so O is inferred from what the body emits:
 * `source(function* (io) { yield* io.emit(Buffer.from('x')); })` is a Source<Buffer> with no annotation.
 */
export type SourceBody<O, R> = (io: Io<never, unknown>) => Generator<Instruction<O>, R, unknown>;

/** The element types a generator body emits: the union over its yielded instructions. */
export type EmitsOf<Y> = Y extends Instruction<infer E> ? E : never;

/** A Source written as a generator: `source(function* (io) { yield* io.emit(1); })`; O as given, or inferred from the emits. */
export function source<O, R = void>(body: SourceBody<O, R>): Source<O>;
export function source<Y extends Instruction<unknown>, R = void>(body: (io: Io<never, unknown>) => Generator<Y, R, unknown>): Source<EmitsOf<Y>>;
export function source<O, R>(body: SourceBody<O, R>): Source<O> {
  return new Source(() => new GenStage<never, O, R>(body as unknown as StageBody<never, O, R>, null));
}

/** A Conduit written as a generator over io.receive() / io.emit(); its return value is its result R (see fuseBoth). */
export function conduit<I, O, R = unknown>(body: StageBody<I, O, R>): Conduit<I, O, R> {
  return new Conduit((up) => new GenStage<I, O, R>(body, up));
}

/** A Sink written as a generator; its return value is the sink's result. */
export function sink<I, R>(body: StageBody<I, never, R>): Sink<I, R> {
  return new Sink((up) => new GenStage<I, never, R>(body, up) as Stage<never, R>);
}
