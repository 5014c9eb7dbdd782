// Every stage that stops on an element it already pulled gives that element back upstream (conduit's leftover), so
// the next consumer of a shared input sees it: through a ResumableSource, through io.consume, and through catchError.
import test from 'ava';
import {
  boundedLines, catchError, concatBytes, conduit, forEach, fromArray, fromAsyncIterable, head, lines, map, peek, ResumableSource, sink,
  sinkList, sinkNull, skip, skipWhile, take, takeBytes, takeWhile, takeWhileBytes, type Sink,
} from '../../src/conduit/index.js';
import { bytes, logged, splits, sync, text, tick, type Log } from './helpers.js';

/** Runs `first` then `sinkList` on one resumable source of `items`: [first's result, what the second sink got]. */
function split<T, R>(items: readonly T[], first: Sink<T, R>): [R, T[]] {
  const conn = ResumableSource.from(fromArray(items));
  const a = sync(conn.connect(first));
  return [a, sync(conn.connect(sinkList()))];
}

test('takeWhile gives the first failing element back: [1..5] split at x < 3 is [1,2] then [3,4,5]', (t) => {
  t.deepEqual(split([1, 2, 3, 4, 5], takeWhile((x: number) => x < 3).into(sinkList())), [[1, 2], [3, 4, 5]]);
  t.deepEqual(split([5, 1], takeWhile((x: number) => x < 3).into(sinkList())), [[], [5, 1]]);
  t.deepEqual(split([1, 2], takeWhile((x: number) => x < 3).into(sinkList())), [[1, 2], []]);
});

test('takeWhile inside a generator sink: the element it stopped on is the next io.consume\'s first', (t) => {
  const both = sink<number, [number[], number[]]>(function* (io) {
    const small = yield* io.consume(takeWhile((x: number) => x < 3).into(sinkList()));
    const rest = yield* io.consume(sinkList());
    return [small, rest];
  });
  t.deepEqual(sync(fromArray([1, 2, 3, 4, 5]).run(both)), [[1, 2], [3, 4, 5]]);
});

test('takeWhile gives back over an async upstream too, and still releases an owned upstream at once', async (t) => {
  const conn = ResumableSource.from(fromAsyncIterable((async function* () {
    for (const x of [1, 7, 2]) {
      await tick();
      yield x;
    }
  })()));
  t.deepEqual(await conn.connect(takeWhile((x: number) => x < 3).into(sinkList())), [1]);
  t.deepEqual(await conn.connect(sinkList()), [7, 2]);
  const log: Log = [];
  const r = sync(logged(log, 'A', [1, 2, 9]).pipe(takeWhile((x: number) => x < 3)).run(sinkList()));
  log.push('done');
  t.deepEqual(r, [1, 2]);
  t.deepEqual(log, ['+A', '-A', 'done']);
});

test('skipWhile consumes while p holds and gives back the first failing element (conduit\'s dropWhileC)', (t) => {
  t.deepEqual(split([1, 2, 3, 1], skipWhile((x: number) => x < 3)), [undefined, [3, 1]]);
  t.deepEqual(split([1, 2], skipWhile((x: number) => x < 3)), [undefined, []]);
});

test('skip consumes exactly n and never requests element n+1 (conduit\'s dropC)', (t) => {
  let pulled = 0;
  const conn = ResumableSource.from(fromArray([1, 2, 3, 4]).pipe(map((x: number) => (pulled++, x))));
  sync(conn.connect(skip(2)));
  t.is(pulled, 2);
  t.deepEqual(sync(conn.connect(sinkList())), [3, 4]);
  t.deepEqual(split([1], skip(3)), [undefined, []]);
  t.deepEqual(split([1, 2], skip(0)), [undefined, [1, 2]]);
});

test('peek returns the next element and leaves it for the next consumer; head consumes it', (t) => {
  t.deepEqual(split([1, 2], peek()), [1, [1, 2]]);
  t.deepEqual(split<number, number | undefined>([], peek()), [undefined, []]);
  t.deepEqual(split([1, 2], head()), [1, [2]]);
});

test('lines closed early gives back the rest of its chunk: the bytes after the first line stay upstream', (t) => {
  for (const { name, chunks } of splits(bytes('one\r\ntwo\nthree'))) {
    const conn = ResumableSource.from(fromArray(chunks));
    const first = sync(conn.connect(lines().into(head())));
    t.is(Buffer.from(first!).toString(), 'one', name);
    t.is(text(sync(conn.connect(sinkList()))), 'two\nthree', name);
  }
});

test('lines closed while waiting mid-line (an aborted run) gives back the partial line', async (t) => {
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => (open = r));
  const conn = ResumableSource.from(fromAsyncIterable((async function* () {
    yield bytes('a\nb');
    yield bytes('c');
    await gate;
    yield bytes('d\n');
  })()));
  const abort = new AbortController();
  const seen: string[] = [];
  const running = conn.connect(lines().into(forEach((l: Uint8Array) => {
    seen.push(Buffer.from(l).toString());
    setImmediate(() => abort.abort(new Error('stop')));
  })), { signal: abort.signal });
  await t.throwsAsync(Promise.resolve(running), { message: 'stop' });
  t.deepEqual(seen, ['a']);
  // 'b' and 'c' were pulled into a line that never completed: they are the next reader's, in order.
  const rest: Uint8Array[] = await conn.connect(take<Uint8Array>(2).into(sinkList()));
  t.deepEqual(rest.map((x) => Buffer.from(x).toString()), ['b', 'c']);
  open();
  await conn.close();
});

test('boundedLines at its limit gives back the offending line, so a catchError handler reads it, for every split', (t) => {
  // The handler's replacement: report the skipped line's length, drop its LF, then split the rest normally.
  const skipLine = conduit<Uint8Array, Uint8Array>(function* (io) {
    const long = yield* io.consume(takeWhileBytes((b) => b !== 0x0a).into(concatBytes()));
    yield* io.emit(bytes(`<skipped ${long.length}>`));
    yield* io.consume(takeBytes(1).into(sinkNull()));
    yield* io.forward(lines());
  });
  for (const { name, chunks } of splits(bytes('ok\nway too long\r\nfine\n'))) {
    const out = sync(fromArray(chunks).pipe(catchError(boundedLines(4), () => skipLine)).run(sinkList()));
    t.deepEqual(out.map((l) => Buffer.from(l).toString('latin1')), ['ok', '<skipped 13>', 'fine'], name);
  }
});

test('boundedLines at its limit leaves the offending line upstream of a ResumableSource', (t) => {
  const conn = ResumableSource.from(fromArray([bytes('abcdefgh\nxy\n')]));
  const e = t.throws(() => conn.connect(boundedLines(4).into(sinkList())));
  t.is((e as { code?: string }).code, 'LINE_TOO_LONG');
  t.is(text(sync(conn.connect(sinkList()))), 'abcdefgh\nxy\n');
});
