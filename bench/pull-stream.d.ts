// The slice of pull-stream@3 (untyped) that bench/conduit.ts uses: sources, throughs and sinks are plain callbacks.
declare module 'pull-stream' {
  /** Called with (end, data): end is null while data flows, true at the end, or an error. */
  type Callback<T> = (end: true | Error | null, data?: T) => void;
  /** A pull-stream source: read(abort, cb). */
  type PullSource<T> = (abort: true | Error | null, cb: Callback<T>) => void;
  /** A through: source in, source out. */
  type Through<A, B> = (source: PullSource<A>) => PullSource<B>;
  /** A sink: consumes a source. */
  type PullSink<T> = (source: PullSource<T>) => void;

  interface PullStream {
    <T>(source: PullSource<T>, ...rest: Array<Through<any, any> | PullSink<any>>): void;
    values<T>(items: T[]): PullSource<T>;
    map<A, B>(f: (x: A) => B): Through<A, B>;
    asyncMap<A, B>(f: (x: A, cb: (err: Error | null, y?: B) => void) => void): Through<A, B>;
    reduce<A, T>(f: (acc: A, x: T) => A, initial: A, cb: (err: Error | null, acc: A) => void): PullSink<T>;
  }
  const pull: PullStream;
  export default pull;
}
