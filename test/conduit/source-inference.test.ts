// source(function* (io) { ... }) infers its element type from what the body emits: no annotation is needed for a
// standalone source to be a valid response body, and a wrong emit is a type error when the type is given.
import test from 'ava';
import { FLUSH, sinkList, source, type Source, type Flushable } from '../../src/conduit/index.js';
import { respond } from '../../src/server/index.js';

test('a standalone generator source infers the union of what it emits', async (t) => {
  // The README tour's shape: declared on its own, then used as a body.
  const ticks = () => source(function* (io) {
    for (let i = 0; i < 2; i++) {
      yield* io.emit(Buffer.from(`data: ${i}\n\n`));
      yield* io.emit(FLUSH);
    }
  });
  const typed: Source<Flushable<Uint8Array>> = ticks();
  const res = respond(200, { 'content-type': 'text/event-stream' }, ticks());
  t.is(res.kind, 'stream');
  const numbers = source(function* (io) {
    yield* io.emit(1);
    yield* io.emit(2);
  });
  const n: Source<number> = numbers;
  t.deepEqual(await n.run(sinkList()), [1, 2]);

  t.truthy(typed);
});

test('an explicit element type still rejects a wrong emit (a compile-time check)', (t) => {
  // @ts-expect-error: a string is not a number
  const bad = source<number>(function* (io) {
    yield* io.emit('x');
  });
  t.truthy(bad);
});
