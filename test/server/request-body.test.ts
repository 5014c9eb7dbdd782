// RequestBody over in-memory inputs: bodies isolated by Content-Length or dechunked, never reading past their end;
// the lazy 100 Continue; the size limit; the drain that decides whether a connection can carry another request.
import test from 'ava';
import { concatBytes, fromArray, ResumableSource, sinkList, source, take, type Source } from '../../src/conduit/index.js';
import { RequestError } from '../../src/server/errors.js';
import { openBody, RequestBody, type BodyHost } from '../../src/server/request-body.js';
import { parseRequestHead, type RequestHead } from '../../src/server/request-head.js';

function headOf(text: string): RequestHead {
  const buf = Buffer.from(text, 'latin1');
  const r = parseRequestHead(buf, 0, buf.length);
  if (r.kind !== 'head') throw new Error(`test head did not parse: ${JSON.stringify(r)}`);
  return r.head;
}

interface Host extends BodyHost {
  log: string[];
}

function host(): Host {
  const log: string[] = [];
  return {
    log,
    writeInterim: (b) => void log.push(`interim ${Buffer.from(b).toString('latin1').trim()}`),
    setWaiting: (w) => void log.push(w ? 'waiting' : 'got'),
  };
}

function inputOf(...chunks: string[]): ResumableSource<Uint8Array> {
  return ResumableSource.from(fromArray(chunks.map((c) => Buffer.from(c, 'latin1'))));
}

async function readAll(s: Source<Uint8Array>): Promise<string> {
  return (await s.runAsync(concatBytes())).toString('latin1');
}

const CL5 = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n';
const CHUNKED = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n';
const NEXT = 'GET /next HTTP/1.1\r\n\r\n';

test('a Content-Length body yields exactly its bytes and leaves the next request in the input', async (t) => {
  const input = inputOf('hel', 'lo' + NEXT);
  const body = new RequestBody(headOf(CL5), input, host(), Infinity);
  t.is(body.remaining, 5);
  t.false(body.finished);
  t.is(await readAll(body.source), 'hello');
  t.true(body.finished);
  t.is(body.bytesRead, 5);
  t.is(body.remaining, 0);
  t.is((await input.connect(concatBytes())).toString(), NEXT);
});

test('a chunked body is dechunked, its trailers kept, and the next request left in the input', async (t) => {
  const input = inputOf('3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 9\r\n\r\n' + NEXT);
  const body = new RequestBody(headOf(CHUNKED), input, host(), Infinity);
  t.is(body.remaining, -1, 'unknown until read');
  t.is(await readAll(body.source), 'abcde');
  t.deepEqual(body.trailers, [['x-sum', '9']]);
  t.true(body.finished);
  t.is((await input.connect(concatBytes())).toString(), NEXT);
});

test('a request without a body has an empty, finished body and reads nothing', async (t) => {
  const input = inputOf(NEXT);
  const body = new RequestBody(headOf('GET / HTTP/1.1\r\nHost: h\r\n\r\n'), input, host(), Infinity);
  t.true(body.finished);
  t.is(body.remaining, 0);
  t.is(await readAll(body.source), '');
  t.is((await input.connect(concatBytes())).toString(), NEXT);
});

test('a declared length over maxBodyBytes is refused before anything is read', (t) => {
  const e = t.throws(() => new RequestBody(headOf(CL5), inputOf('hello'), host(), 4));
  t.true(e instanceof RequestError);
  t.is((e as RequestError).code, 'BODY_TOO_LARGE');
});

test('a chunked body that grows past maxBodyBytes fails while it is read', async (t) => {
  const body = new RequestBody(headOf(CHUNKED), inputOf('3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n'), host(), 5);
  const e = await t.throwsAsync(readAll(body.source));
  t.is((e as RequestError).code, 'BODY_TOO_LARGE');
});

test('a Content-Length body that ends early fails with a TRUNCATED_BODY RequestError caused by PREMATURE_END', async (t) => {
  const body = new RequestBody(headOf(CL5), inputOf('hel'), host(), Infinity);
  const e = await t.throwsAsync(readAll(body.source));
  t.true(e instanceof RequestError);
  t.is((e as RequestError).code, 'TRUNCATED_BODY');
  t.is(((e as Error).cause as { code?: string }).code, 'PREMATURE_END');
  t.false(body.finished);
});

test('a bad chunk fails the read with a RequestError of the chunk error code (400)', async (t) => {
  const body = new RequestBody(headOf(CHUNKED), inputOf('zz\r\n'), host(), Infinity);
  const e = await t.throwsAsync(readAll(body.source));
  t.true(e instanceof RequestError);
  t.is((e as RequestError).code, 'BAD_CHUNK');
  t.is((e as RequestError).status, 400);
});

test('a request without a body shares one empty body: nothing to read, nothing to drain', async (t) => {
  const a = openBody(headOf('GET / HTTP/1.1\r\nHost: h\r\n\r\n'), { input: () => t.fail('no input for a bodiless request') as never }, host(), 10);
  const b = openBody(headOf('HEAD / HTTP/1.1\r\nHost: h\r\n\r\n'), { input: () => t.fail('no input') as never }, host(), 10);
  t.is(a, b);
  t.true(a.finished);
  t.is(a.remaining, 0);
  t.true(a.drain(0));
  t.is(await readAll(a.source), '');
});

const EXPECT = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n';

test('Expect: 100-continue sends one interim 100 at the first read', async (t) => {
  const h = host();
  const body = new RequestBody(headOf(EXPECT), inputOf('hello'), h, Infinity);
  t.true(body.awaitingContinue);
  t.deepEqual(h.log.filter((l) => l.startsWith('interim')), []);
  t.is(await readAll(body.source), 'hello');
  t.deepEqual(h.log.filter((l) => l.startsWith('interim')), ['interim HTTP/1.1 100 Continue']);
  t.false(body.awaitingContinue);
});

test('no 100 once a non-streamed response has begun; the body then cannot be drained', async (t) => {
  const h = host();
  const body = new RequestBody(headOf(EXPECT), inputOf('hello'), h, Infinity);
  body.beginResponse(false);
  t.true(body.awaitingContinue);
  t.false(await body.drain(1_000_000), 'the client never sent the body: the connection must close');
  t.deepEqual(h.log.filter((l) => l.startsWith('interim')), []);
});

test('a streamed response invites the body (100) before its head goes out', (t) => {
  const h = host();
  const body = new RequestBody(headOf(EXPECT), inputOf('hello'), h, Infinity);
  body.beginResponse(true);
  t.deepEqual(h.log, ['interim HTTP/1.1 100 Continue']);
  body.beginResponse(true);
  t.is(h.log.length, 1, 'only once');
});

test('Expect: 100-continue with an empty body sends nothing', async (t) => {
  const h = host();
  const body = new RequestBody(headOf('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n'), inputOf(), h, Infinity);
  t.false(body.awaitingContinue);
  await readAll(body.source);
  t.deepEqual(h.log, []);
});

test('drain of an unread small body discards it and keeps the connection usable', async (t) => {
  const input = inputOf('hel', 'lo' + NEXT);
  const body = new RequestBody(headOf(CL5), input, host(), Infinity);
  t.true(await body.drain(8192));
  t.true(body.finished);
  t.is((await input.connect(concatBytes())).toString(), NEXT);
});

test('drain of a body already read is true at once (synchronously)', async (t) => {
  const body = new RequestBody(headOf(CL5), inputOf('hello'), host(), Infinity);
  await readAll(body.source);
  t.is(body.drain(0), true);
});

test('drain refuses a declared remainder over the limit without reading it', (t) => {
  const body = new RequestBody(headOf(CL5), inputOf('hello'), host(), Infinity);
  t.is(body.drain(4), false);
});

test('drain of a chunked body longer than the limit gives up', async (t) => {
  const body = new RequestBody(headOf(CHUNKED), inputOf('a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n'), host(), Infinity);
  t.false(await body.drain(15));
});

test('drain of a partly read body finishes it', async (t) => {
  const input = inputOf('3\r\nabc\r\n', '3\r\ndef\r\n0\r\n\r\n' + NEXT);
  const body = new RequestBody(headOf(CHUNKED), input, host(), Infinity);
  const first = await body.source.pipe(take(1)).runAsync(sinkList());
  t.deepEqual(first.map((b) => Buffer.from(b).toString()), ['abc']);
  t.false(body.finished);
  t.true(await body.drain(100));
  t.is((await input.connect(concatBytes())).toString(), NEXT);
});

test('drain of a malformed body is false, not a throw', async (t) => {
  const body = new RequestBody(headOf(CHUNKED), inputOf('zz\r\n'), host(), Infinity);
  t.false(await body.drain(100));
});

test('a body waiting on the network tells the host, and again when bytes arrive', async (t) => {
  const h = host();
  const input = ResumableSource.from(source<Uint8Array>(function* (io) {
    yield* io.await(new Promise((r) => setTimeout(r, 1)));
    yield* io.emit(Buffer.from('hel'));
    yield* io.await(new Promise((r) => setTimeout(r, 1)));
    yield* io.emit(Buffer.from('lo'));
  }));
  const body = new RequestBody(headOf(CL5), input, h, Infinity);
  t.is(await readAll(body.source), 'hello');
  t.deepEqual(h.log, ['waiting', 'got', 'waiting', 'got', 'got']);
});
