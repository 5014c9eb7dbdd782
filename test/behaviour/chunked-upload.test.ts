// Chunked request bodies (RFC 9112 §7.1): extensions are skipped, data arrives intact however it is split, and
// the trailer section is exposed on req.trailers once the body has been read.
import test from './transport.js';
import { concatBytes, respond, type Application, type Request } from '../../src/index.js';
import { parseResponses, rawExchange, withClient, withServer } from './helpers.js';

interface Seen {
  body: string;
  trailers: ReadonlyArray<readonly [string, string]>;
}

function readingApp(seen: Seen[]): Application {
  return async (req: Request) => {
    const body = (await req.body.runAsync(concatBytes())).toString('latin1');
    seen.push({ body, trailers: req.trailers.map(([n, v]) => [n, v] as const) });
    return respond(200, {}, `got ${body.length}`);
  };
}

const UPLOAD = 'POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n'
  + '5;name=value\r\nhello\r\n'
  + '1;a;b="quoted;\\"x"\r\n \r\n'
  + '5 ; ext\r\nworld\r\n'
  + '0;last=1\r\n'
  + 'X-Checksum: abc123\r\n'
  + 'X-Other:  spaced  \r\n'
  + '\r\n';

test('a chunked upload with chunk extensions is read intact', async (t) => {
  const seen: Seen[] = [];
  await withServer(readingApp(seen), {}, async (port) => {
    const r = await rawExchange(port, UPLOAD + 'GET /after HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    t.true(r.closed);
    const rs = parseResponses(r.data);
    t.deepEqual(rs.map((x) => x.body.toString()), ['got 11', 'got 0']);
    t.is(seen[0]!.body, 'hello world');
  });
});

test('trailer fields are exposed on req.trailers once the app has read the body', async (t) => {
  const seen: Seen[] = [];
  await withServer(readingApp(seen), {}, async (port) => {
    await rawExchange(port, UPLOAD, { until: (d) => parseResponsesSafe(d) >= 1 });
    t.deepEqual(seen[0]!.trailers, [['x-checksum', 'abc123'], ['x-other', 'spaced']]);
  });
});

test('trailer fields are on req.trailers after the response has been sent', async (t) => {
  let request: Request | null = null;
  const app: Application = async (req) => {
    request = req;
    await req.body.runAsync(concatBytes());
    return respond(200, {}, 'ok');
  };
  await withServer(app, {}, async (port) => {
    await rawExchange(port, UPLOAD, { until: (d) => parseResponsesSafe(d) >= 1 });
  });
  t.deepEqual(request!.trailers, [['x-checksum', 'abc123'], ['x-other', 'spaced']]);
});

test('a chunked upload split at every offset is read the same', async (t) => {
  const seen: Seen[] = [];
  const bytes = Buffer.from(UPLOAD, 'latin1');
  await withServer(readingApp(seen), {}, async (port) => {
    // One connection per split point, in parallel batches: each must see exactly the same body.
    const splits = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    for (let i = 0; i < splits.length; i += 20) {
      await Promise.all(splits.slice(i, i + 20).map((at) => withClient(port, async (c) => {
        c.socket.setNoDelay(true);
        c.write(bytes.subarray(0, at));
        await new Promise((r) => setTimeout(r, 5));
        c.write(bytes.subarray(at));
        await c.readResponses(1);
      })));
    }
  });
  t.is(seen.length, bytes.length - 1);
  t.true(seen.every((s) => s.body === 'hello world'));
});

test('a chunked upload without trailers leaves req.trailers empty', async (t) => {
  const seen: Seen[] = [];
  await withServer(readingApp(seen), {}, async (port) => {
    const r = await rawExchange(port, 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    t.is(parseResponses(r.data)[0]!.body.toString(), 'got 3');
    t.deepEqual(seen, [{ body: 'abc', trailers: [] }]);
  });
});

test('many small chunks arrive in order', async (t) => {
  const seen: Seen[] = [];
  const pieces = Array.from({ length: 500 }, (_, i) => String(i % 10)).map((d) => `1\r\n${d}\r\n`).join('');
  await withServer(readingApp(seen), {}, async (port) => {
    const r = await rawExchange(port, `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${pieces}0\r\n\r\n`);
    t.is(parseResponses(r.data)[0]!.body.toString(), 'got 500');
  });
  t.is(seen[0]!.body, Array.from({ length: 500 }, (_, i) => String(i % 10)).join(''));
});

test('a Transfer-Encoding value in mixed case is still chunked', async (t) => {
  const seen: Seen[] = [];
  await withServer(readingApp(seen), {}, async (port) => {
    const r = await rawExchange(port, 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: ChUnKeD\r\nConnection: close\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n');
    t.is(parseResponses(r.data)[0]!.body.toString(), 'got 10');
  });
  t.is(seen[0]!.body, '0123456789');
});

function parseResponsesSafe(d: Buffer): number {
  try {
    return parseResponses(d).length;
  } catch {
    return 0;
  }
}
