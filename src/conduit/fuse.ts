// conduit's fusions that keep what plain fusion drops: fuseBoth / fuseUpstream (the upstream conduit's result, which
// means running it to its end after the sink stops), fuseBothMaybe (that result if it exists) and fuseReturnLeftovers
// (what the sink pushed back). Key decision:
// the sink reads the upstream through a Borrowed view of one Input, so its end closes only its own resources and its
// leftovers land in that Input's stack, where this stage finds them (conduit discards both in `.|`).
import { Conduit, Pipeline, Sink, Source } from './pipeline.js';
import { Borrowed, closeStage, Input, Stage } from './stage.js';
import { StoppingStage } from './stopping.js';
import { suspend } from './signal.js';
import type { Resource } from './finalize.js';
import type * as S from './signal.js';

const DONE: S.Done = Symbol.for('sluice.conduit.DONE') as S.Done;
const SUSPEND: S.Suspend = Symbol.for('sluice.conduit.SUSPEND') as S.Suspend;

/** The upstream as the sink sees it; remembers whether upstream has ended (an ended stage is not pulled again). */
class EndAwareInput<O> extends Input<O> {
  ended = false;

  override pull(): O | S.Done | S.Suspend {
    if (this.stack.length !== 0) return this.stack.pop()!;
    const x = (this.up as Stage<O, unknown>).pull();
    if (x === DONE) this.ended = true;
    return x;
  }
}

const SINK = 0, CLOSING_SINK = 1, AFTER_SINK = 2;

/** What the fusion returns: both results (fuseBoth, fuseBothMaybe), the upstream's (fuseUpstream), or the sink's and its leftovers. */
type Keep = 'both' | 'maybe' | 'upstream' | 'leftovers';

class FuseStage<O> extends StoppingStage<never, unknown> {
  private readonly input: EndAwareInput<O>;
  private readonly down: Stage<never, unknown>;
  private phase = SINK;
  private downResult: unknown = undefined;

  constructor(upper: Stage<O, unknown>, buildDown: (up: Stage<O, unknown>) => Stage<never, unknown>, private readonly keep: Keep) {
    const input = new EndAwareInput<O>(upper);
    super(input);
    this.input = input;
    this.down = buildDown(new Borrowed(input));
  }

  override collect(out: Resource[]): void {
    super.collect(out);
    this.down.collect(out);
  }

  pull(): S.Done | S.Suspend {
    const h = this.takeHeld();
    if (h !== null) return h;
    if (this.stopped) return DONE;
    if (this.phase === SINK) {
      if (this.down.pull() === SUSPEND) return SUSPEND;
      this.downResult = this.down.result;
      this.phase = CLOSING_SINK;
      // The sink's own resources go first, at its end; the upstream is not the sink's to close.
      const released = closeStage(this.down);
      if (released !== undefined) return suspend(released);
    }
    this.phase = AFTER_SINK;
    if (this.keep === 'maybe') return this.keepIfEnded();
    return this.keep === 'leftovers' ? this.returnLeftovers() : this.drain();
  }

  /** fuseBoth/fuseUpstream: run the upstream to its end, discarding its output (and the sink's leftovers). */
  private drain(): S.Done | S.Suspend {
    const input = this.input;
    const upper = input.up as Stage<O, unknown>;
    if (!input.ended) {
      for (;;) {
        const x = upper.pull();
        if (x === SUSPEND) return SUSPEND;
        if (x === DONE) break;
      }
      input.ended = true;
    }
    this.result = this.keep === 'both' ? [upper.result, this.downResult] : upper.result;
    return this.stop(DONE);
  }

  /** fuseBothMaybe: the upstream's result only if it already ended; it is closed, not drained. */
  private keepIfEnded(): S.Done | S.Suspend {
    const input = this.input;
    this.result = [input.ended ? (input.up as Stage<O, unknown>).result : undefined, this.downResult];
    return this.stop(DONE);
  }

  /** fuseReturnLeftovers: the sink's leftovers in the order it would have read them; the upstream is closed now. */
  private returnLeftovers(): S.Done | S.Suspend {
    const stack = this.input.stack;
    this.result = [this.downResult, stack.slice().reverse()];
    stack.length = 0;
    return this.stop(DONE);
  }
}

type UpstreamOf<I, O> = Conduit<I, O, unknown> | Source<O>;

function fuse<I, O>(up: UpstreamOf<I, O>, down: Sink<O, unknown>, keep: Keep): Sink<I, unknown> | Pipeline<unknown> {
  const buildDown = down.build as (up: Stage<O, unknown>) => Stage<never, unknown>;
  if (up instanceof Source) return new Pipeline(() => new FuseStage<O>(up.build(), buildDown, keep));
  const buildUp = up.build;
  return new Sink<I, unknown>((stage) => new FuseStage<O>(buildUp(stage), buildDown, keep));
}

/**
 * conduit's fuseBoth: fuses `up` into `down` and keeps both results, [up's result, down's result]. When `down`
 * stops first, `up` is still run to its end (its output is discarded), as in conduit, so its result exists.
 * A Source has no typed result: its slot is `unknown` (a generator source's return value).
 */
export function fuseBoth<I, O, R1, R2>(up: Conduit<I, O, R1>, down: Sink<O, R2>): Sink<I, [R1, R2]>;
export function fuseBoth<O, R2>(up: Source<O>, down: Sink<O, R2>): Pipeline<[unknown, R2]>;
export function fuseBoth<I, O, R2>(up: UpstreamOf<I, O>, down: Sink<O, R2>): Sink<I, [unknown, R2]> | Pipeline<[unknown, R2]> {
  return fuse(up, down, 'both') as Sink<I, [unknown, R2]> | Pipeline<[unknown, R2]>;
}

/**
 * conduit's fuseBothMaybe: like fuseBoth, but the upstream is not drained when the sink stops first: its result is
 * there only when it had already ended (else undefined), and it is closed at once.
 */
export function fuseBothMaybe<I, O, R1, R2>(up: Conduit<I, O, R1>, down: Sink<O, R2>): Sink<I, [R1 | undefined, R2]> {
  return fuse(up, down, 'maybe') as Sink<I, [R1 | undefined, R2]>;
}

/** conduit's fuseUpstream: like fuseBoth, but the result is only the upstream's. */
export function fuseUpstream<I, O, R1>(up: Conduit<I, O, R1>, down: Sink<O, unknown>): Sink<I, R1> {
  return fuse(up, down, 'upstream') as Sink<I, R1>;
}

/**
 * conduit's fuseReturnLeftovers: fuses `up` into `down` and returns [down's result, the elements `down` pushed back
 * and did not read], in the order it would have read them. Plain fusion drops those leftovers (they sit between two
 * stages of one pipeline); here they come back, and the upstream is then closed without being drained.
 */
export function fuseReturnLeftovers<I, O, R>(up: Conduit<I, O, unknown>, down: Sink<O, R>): Sink<I, [R, O[]]>;
export function fuseReturnLeftovers<O, R>(up: Source<O>, down: Sink<O, R>): Pipeline<[R, O[]]>;
export function fuseReturnLeftovers<I, O, R>(up: UpstreamOf<I, O>, down: Sink<O, R>): Sink<I, [R, O[]]> | Pipeline<[R, O[]]> {
  return fuse(up, down, 'leftovers') as Sink<I, [R, O[]]> | Pipeline<[R, O[]]>;
}
