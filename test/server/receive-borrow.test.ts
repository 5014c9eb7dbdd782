// A connection waiting for its next request parses the head in place from the reactor's receive buffer (no copy);
// whatever of those bytes outlives the event batch (a pipelined request behind an async app, a body the app reads
// later or keeps) must be the connection's own copy, because the next batch overwrites the receive buffer.
// FakeNative places every batch's bytes at offset 0, so a later client's bytes land exactly where earlier ones were.
import test from 'ava';
import { concatBytes, sinkList } from '../../src/conduit/index.js';
import type { Request } from '../../src/server/request.js';
import { respond } from '../../src/server/response.js';
import { fakeServer, until } from './support/fake-server.js';

const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`;
/** A request long enough to overwrite everything another client sent in an earlier batch. */
const OVERWRITE = GET(`/${'z'.repeat(200)}`);

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Client a sends `request`, which the app holds at the gate; client b's request then overwrites the receive buffer in a
 *  later batch, and once b is answered the gate opens. Returns a, for its answer. */
async function overwriteWhileHeld(connect: ReturnType<typeof fakeServer>['connect'], g: ReturnType<typeof gate>, request: string) {
  const a = connect();
  const b = connect();
  a.send(request);
  b.send(OVERWRITE);
  await until(() => b.wire.includes('zzz'), "b's response");
  g.open();
  return a;
}

test('a pipelined request queued behind an async app survives the next batch reusing the receive buffer', async (t) => {
  const g = gate();
  const { connect } = fakeServer(async (req: Request) => {
    if (req.path === '/slow') await g.wait;
    return respond(200, {}, req.path);
  });
  const a = await overwriteWhileHeld(connect, g, GET('/slow') + GET('/next'));
  await until(() => a.wire.split('HTTP/1.1 200').length === 3, "a's two responses");
  t.true(a.wire.endsWith('/next'));
  t.false(a.wire.includes('zzz'));
});

test('a body the app reads after the batch is the bytes the client sent, not what the next batch received', async (t) => {
  const g = gate();
  const { connect } = fakeServer(async (req: Request) => {
    if (req.method === 'POST') await g.wait;
    const body = await req.body.runAsync(concatBytes());
    return respond(200, {}, req.method === 'POST' ? body : req.path);
  });
  const a = await overwriteWhileHeld(connect, g, 'POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhello-body');
  await until(() => a.wire.endsWith('hello-body'), "a's response");
  t.pass();
});

test('body chunks the app takes during the batch and keeps are its own copies', async (t) => {
  const g = gate();
  const { connect } = fakeServer(async (req: Request) => {
    if (req.method === 'POST') {
      // Collected as they come, starting while the receive buffer still holds them; kept past the batch.
      const chunks = req.body.runAsync(sinkList());
      await g.wait;
      return respond(200, {}, Buffer.concat(await chunks));
    }
    return respond(200, {}, req.path);
  });
  const a = await overwriteWhileHeld(connect, g, 'POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhello-body');
  await until(() => a.wire.split('HTTP/1.1 200').length === 2, "a's response");
  t.true(a.wire.endsWith('hello-body'));
});
