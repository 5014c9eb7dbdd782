// Descriptions: Source, Conduit, Sink and Pipeline are reusable blueprints; each run builds fresh stages.
// The four are distinct classes (private brands), so a Sink can never be used where a Conduit is expected (conduit#96).
import { drive, type RunOptions } from './run.js';
import type { Stage } from './stage.js';

/** Builds a source's stages. */
export type BuildSource<O> = () => Stage<O, unknown>;
/** Builds a conduit's stages on top of an upstream stage. */
export type BuildConduit<I, O> = (up: Stage<I, unknown>) => Stage<O, unknown>;
/** Builds a sink's stages on top of an upstream stage. */
export type BuildSink<I, R> = (up: Stage<I, unknown>) => Stage<never, R>;

/** A producer of elements of type O. */
export class Source<O> {
  readonly #kind = 'source';
  /** Builds the runtime stages (library authors only). */
  readonly build: BuildSource<O>;

  constructor(build: BuildSource<O>) {
    this.build = build;
  }

  /** Fuses conduits onto this source: downstream drives, nothing is read ahead. */
  pipe<A>(c1: Conduit<O, A>): Source<A>;
  pipe<A, B>(c1: Conduit<O, A>, c2: Conduit<A, B>): Source<B>;
  pipe<A, B, C>(c1: Conduit<O, A>, c2: Conduit<A, B>, c3: Conduit<B, C>): Source<C>;
  pipe<A, B, C, D>(c1: Conduit<O, A>, c2: Conduit<A, B>, c3: Conduit<B, C>, c4: Conduit<C, D>): Source<D>;
  pipe<A, B, C, D, E>(c1: Conduit<O, A>, c2: Conduit<A, B>, c3: Conduit<B, C>, c4: Conduit<C, D>, c5: Conduit<D, E>): Source<E>;
  pipe<A, B, C, D, E, F>(
    c1: Conduit<O, A>, c2: Conduit<A, B>, c3: Conduit<B, C>, c4: Conduit<C, D>, c5: Conduit<D, E>, c6: Conduit<E, F>,
  ): Source<F>;
  pipe<A, B, C, D, E, F, G>(
    c1: Conduit<O, A>, c2: Conduit<A, B>, c3: Conduit<B, C>, c4: Conduit<C, D>, c5: Conduit<D, E>, c6: Conduit<E, F>,
    c7: Conduit<F, G>,
  ): Source<G>;
  pipe<A, B, C, D, E, F, G, H>(
    c1: Conduit<O, A>, c2: Conduit<A, B>, c3: Conduit<B, C>, c4: Conduit<C, D>, c5: Conduit<D, E>, c6: Conduit<E, F>,
    c7: Conduit<F, G>, c8: Conduit<G, H>,
  ): Source<H>;
  pipe(...cs: Conduit<unknown, unknown>[]): Source<unknown>;
  pipe(...cs: Conduit<unknown, unknown>[]): Source<unknown> {
    const build = this.build as BuildSource<unknown>;
    return new Source(() => buildChain(build(), cs));
  }

  /** Connects this source to a sink: a Pipeline to run. */
  into<R>(sink: Sink<O, R>): Pipeline<R> {
    const build = this.build;
    return new Pipeline(() => sink.build(build()));
  }

  /** Runs this source into `sink`; R synchronously when no stage suspended, else a Promise. */
  run<R>(sink: Sink<O, R>, options?: RunOptions): R | Promise<R> {
    return drive(sink.build(this.build()), options);
  }

  /** Like run(), but always a Promise. */
  async runAsync<R>(sink: Sink<O, R>, options?: RunOptions): Promise<R> {
    return drive(sink.build(this.build()), options);
  }

  /** The brand that keeps Source, Conduit and Sink apart in the type system. */
  get kind(): 'source' {
    return this.#kind;
  }
}

/** Type-level key of a conduit's result type (no runtime value). */
declare const resultType: unique symbol;

/**
 * A transformer from elements of type I to elements of type O. R is the value its stage returns when it ends (a
 * generator conduit's return value); only fuseBoth/fuseUpstream read it, plain fusion drops it as conduit's `.|` does.
 */
export class Conduit<I, O, R = unknown> {
  readonly #kind = 'conduit';
  /** Type-level only, never set: makes R part of the type (a Conduit returning number is not one returning string). */
  declare readonly [resultType]?: R;
  /** Builds the runtime stages (library authors only). */
  readonly build: BuildConduit<I, O>;

  constructor(build: BuildConduit<I, O>) {
    this.build = build;
  }

  /** Fuses more conduits after this one. */
  pipe<A>(c1: Conduit<O, A>): Conduit<I, A>;
  pipe<A, B>(c1: Conduit<O, A>, c2: Conduit<A, B>): Conduit<I, B>;
  pipe<A, B, C>(c1: Conduit<O, A>, c2: Conduit<A, B>, c3: Conduit<B, C>): Conduit<I, C>;
  pipe<A, B, C, D>(c1: Conduit<O, A>, c2: Conduit<A, B>, c3: Conduit<B, C>, c4: Conduit<C, D>): Conduit<I, D>;
  pipe<A, B, C, D, E>(c1: Conduit<O, A>, c2: Conduit<A, B>, c3: Conduit<B, C>, c4: Conduit<C, D>, c5: Conduit<D, E>): Conduit<I, E>;
  pipe(...cs: Conduit<unknown, unknown>[]): Conduit<I, unknown>;
  pipe(...cs: Conduit<unknown, unknown>[]): Conduit<I, unknown> {
    const build = this.build as BuildConduit<I, unknown>;
    return new Conduit((up) => buildChain(build(up), cs));
  }

  /** Fuses this conduit onto a sink: a Sink of this conduit's input. */
  into<R>(sink: Sink<O, R>): Sink<I, R> {
    const build = this.build;
    return new Sink((up) => sink.build(build(up)));
  }

  /** The brand that keeps Source, Conduit and Sink apart in the type system. */
  get kind(): 'conduit' {
    return this.#kind;
  }
}

/** A consumer of elements of type I that produces a result R. */
export class Sink<I, R> {
  readonly #kind = 'sink';
  /** Builds the runtime stages (library authors only). */
  readonly build: BuildSink<I, R>;

  constructor(build: BuildSink<I, R>) {
    this.build = build;
  }

  /** The brand that keeps Source, Conduit and Sink apart in the type system. */
  get kind(): 'sink' {
    return this.#kind;
  }
}

/** A source connected to a sink: ready to run. */
export class Pipeline<R> {
  readonly #kind = 'pipeline';
  /** Builds the runtime stages (library authors only). */
  readonly build: () => Stage<never, R>;

  constructor(build: () => Stage<never, R>) {
    this.build = build;
  }

  /** Runs the pipeline: R synchronously when no stage suspended, else a Promise. */
  run(options?: RunOptions): R | Promise<R> {
    return drive(this.build(), options);
  }

  /** Like run(), but always a Promise. */
  async runAsync(options?: RunOptions): Promise<R> {
    return drive(this.build(), options);
  }

  /** The brand that keeps the description kinds apart in the type system. */
  get kind(): 'pipeline' {
    return this.#kind;
  }
}

function buildChain(first: Stage<unknown, unknown>, cs: readonly Conduit<unknown, unknown>[]): Stage<unknown, unknown> {
  let stage = first;
  for (const c of cs) stage = c.build(stage);
  return stage;
}

/** Runs a pipeline: R synchronously when every stage stayed sync, else a Promise of R. */
export function run<R>(pipeline: Pipeline<R>, options?: RunOptions): R | Promise<R> {
  return drive(pipeline.build(), options);
}
