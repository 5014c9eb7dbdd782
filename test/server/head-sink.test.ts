// headSink over in-memory sources: one head per connect, the surplus left for the next reader, the same result for
// every split of the bytes, null at EOF, and RequestError for bad or oversized heads.
import test from 'ava';
import { concatBytes, fromArray, ResumableSource, source } from '../../src/conduit/index.js';
import { RequestError } from '../../src/server/errors.js';
import { headSink } from '../../src/server/head-sink.js';
import { DEFAULT_HEAD_LIMITS, type HeadLimits, type RequestHead } from '../../src/server/request-head.js';

const HEAD = 'POST /upload?x=1 HTTP/1.1\r\nHost: example.org\r\nContent-Length: 5\r\nX-Custom: value\r\n\r\n';
const REST = 'helloGET /next HTTP/1.1\r\nHost: h\r\n\r\n';

function chunksOf(text: string, cuts: number[]): Buffer[] {
  const b = Buffer.from(text, 'latin1');
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...cuts, b.length]) {
    out.push(b.subarray(from, c));
    from = c;
  }
  return out;
}

async function readHead(chunks: Uint8Array[], limits: HeadLimits = DEFAULT_HEAD_LIMITS): Promise<{ head: RequestHead | null; rest: string; firstBytes: number }> {
  let firstBytes = 0;
  const input = ResumableSource.from(fromArray(chunks));
  const head = await input.connect(headSink(limits, () => firstBytes++));
  const rest = (await input.connect(concatBytes())).toString('latin1');
  return { head, rest, firstBytes };
}

function summary(h: RequestHead | null): unknown {
  return h === null ? null : { method: h.method, target: h.target, headers: h.headers, contentLength: h.contentLength };
}

test('a head in one chunk is parsed and the body bytes are left over', async (t) => {
  const r = await readHead([Buffer.from(HEAD + REST, 'latin1')]);
  t.is(r.head?.method, 'POST');
  t.is(r.head?.target, '/upload?x=1');
  t.is(r.head?.contentLength, 5);
  t.deepEqual(r.head?.headers, [['host', 'example.org'], ['content-length', '5'], ['x-custom', 'value']]);
  t.is(r.rest, REST);
  t.is(r.firstBytes, 1);
});

test('a head split at every offset parses the same and leaves the same surplus', async (t) => {
  const whole = HEAD + REST;
  const expected = summary((await readHead([Buffer.from(whole, 'latin1')])).head);
  for (let cut = 1; cut < whole.length; cut++) {
    const r = await readHead(chunksOf(whole, [cut]));
    t.deepEqual(summary(r.head), expected, `split at ${cut}`);
    t.is(r.rest, REST, `split at ${cut}`);
    t.is(r.firstBytes, 1);
  }
});

test('a head delivered one byte at a time parses the same', async (t) => {
  const whole = HEAD + REST;
  const cuts = Array.from({ length: whole.length - 1 }, (_, i) => i + 1);
  const r = await readHead(chunksOf(whole, cuts));
  t.deepEqual(summary(r.head), summary((await readHead([Buffer.from(whole, 'latin1')])).head));
  t.is(r.rest, REST);
});

test('empty chunks are skipped and do not count as the first byte', async (t) => {
  const r = await readHead([Buffer.alloc(0), Buffer.alloc(0), Buffer.from(HEAD, 'latin1'), Buffer.alloc(0)]);
  t.is(r.head?.method, 'POST');
  t.is(r.firstBytes, 1);
});

test('EOF before any byte is a clean null (an idle keep-alive close)', async (t) => {
  const r = await readHead([]);
  t.is(r.head, null);
  t.is(r.firstBytes, 0);
});

test('EOF in the middle of a head is null too: the client gave up, no response is owed', async (t) => {
  const r = await readHead([Buffer.from('GET / HTTP/1.1\r\nHo', 'latin1')]);
  t.is(r.head, null);
});

test('two pipelined heads are read by two connects on the same input', async (t) => {
  const input = ResumableSource.from(fromArray([Buffer.from('GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHo', 'latin1'), Buffer.from('st: h\r\n\r\n', 'latin1')]));
  const a = await input.connect(headSink(DEFAULT_HEAD_LIMITS));
  const b = await input.connect(headSink(DEFAULT_HEAD_LIMITS));
  const c = await input.connect(headSink(DEFAULT_HEAD_LIMITS));
  t.is(a?.path, '/a');
  t.is(b?.path, '/b');
  t.is(c, null);
});

test('a head arriving from an asynchronous source is parsed when it completes', async (t) => {
  const parts = chunksOf(HEAD, [10, 40]);
  const input = ResumableSource.from(source<Uint8Array>(function* (io) {
    for (const p of parts) {
      yield* io.await(new Promise((r) => setTimeout(r, 1)));
      yield* io.emit(p);
    }
  }));
  const head = await input.connect(headSink(DEFAULT_HEAD_LIMITS));
  t.is(head?.target, '/upload?x=1');
});

test('a malformed head throws a RequestError with its code', async (t) => {
  const e = await t.throwsAsync(readHead([Buffer.from('GET / HTTP/1.1\r\nBad Header\r\n\r\n', 'latin1')]));
  t.true(e instanceof RequestError);
  t.is((e as RequestError).code, 'BAD_HEADER');
});

test('a head that grows past maxHeaderBytes over many chunks is refused with 431, without waiting for the end', async (t) => {
  const limits = { ...DEFAULT_HEAD_LIMITS, maxHeaderBytes: 1024 };
  const chunks = [Buffer.from('GET / HTTP/1.1\r\nHost: h\r\n', 'latin1')];
  for (let i = 0; i < 100; i++) chunks.push(Buffer.from(`X-${i}: ${'v'.repeat(40)}\r\n`, 'latin1'));
  const e = await t.throwsAsync(readHead(chunks, limits));
  t.is((e as RequestError).code, 'HEADER_TOO_LARGE');
  t.is((e as RequestError).status, 431);
});

test('a head exactly at maxHeaderBytes is accepted across chunks', async (t) => {
  const line = 'GET / HTTP/1.1\r\nHost: h\r\n';
  const pad = 200 - line.length - 'X: \r\n\r\n'.length;
  const head = `${line}X: ${'v'.repeat(pad)}\r\n\r\n`;
  t.is(head.length, 200);
  const r = await readHead(chunksOf(head, [7, 100, 150]), { ...DEFAULT_HEAD_LIMITS, maxHeaderBytes: 200 });
  t.is(r.head?.method, 'GET');
  const over = await t.throwsAsync(readHead(chunksOf(head, [7, 100, 150]), { ...DEFAULT_HEAD_LIMITS, maxHeaderBytes: 199 }));
  t.is((over as RequestError).code, 'HEADER_TOO_LARGE');
});

test('a long head accumulated from many small chunks parses intact (buffer growth)', async (t) => {
  const fields = Array.from({ length: 90 }, (_, i) => `X-Field-${i}: ${'abc'.repeat(50)}\r\n`).join('');
  const whole = `GET /grow HTTP/1.1\r\nHost: h\r\n${fields}\r\n`;
  const cuts = Array.from({ length: Math.floor(whole.length / 37) }, (_, i) => (i + 1) * 37);
  const r = await readHead(chunksOf(whole, cuts));
  t.is(r.head?.headers.length, 91);
  t.is(r.head?.headers[90]?.[1], 'abc'.repeat(50));
});
