// Tests for decompress(): decoded uploads, stacked codings, 415 for unknown codings, 400 for corrupt data, and a zip
// bomb stopped at the cap (413) with memory bounded by one output buffer.
import test from 'ava';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { concatBytes, fold, fromArray, type Source } from '../../src/conduit/index.js';
import { decodersFor, decompress } from '../../src/middleware/decompress.js';
import { RequestError } from '../../src/server/errors.js';
import { respond } from '../../src/server/response.js';
import type { Application, Response } from '../../src/server/types.js';
import { heldBuffers } from '../support/held-buffers.js';
import { fakeRequest } from './fake-request.js';

// A 128 MiB zip bomb in ~128 KiB: eight concatenated gzip members (RFC 1952 §2.2) of 16 MiB of zeros each, built once.
const MEMBER = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
const BOMB = Buffer.concat(Array.from({ length: 8 }, () => MEMBER));
const BOMB_DECODED = 128 * 1024 * 1024;
const TEXT = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(500));

function chunks(b: Uint8Array, size = 1000): Source<Uint8Array> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return fromArray(out);
}

/** An app that answers 200 with the body it read, and the headers it saw. */
const echo: Application = async (req) => {
  const body = await req.body.runAsync(concatBytes());
  return respond(200, { 'x-ce': String(req.header('content-encoding')), 'x-cl': String(req.head.contentLength) }, body);
};

async function send(encoding: string, body: Uint8Array, app: Application = echo, options = {}): Promise<Response> {
  const req = fakeRequest('POST', '/up', { 'content-encoding': encoding, 'content-length': String(body.length) }, chunks(body));
  return decompress(options)(app)(req);
}

function bytes(res: Response): Buffer {
  if (res.kind !== 'bytes') throw new Error('expected bytes');
  return Buffer.from(res.body);
}

for (const [coding, encode] of [['gzip', gzipSync], ['x-gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
  test(`decompress decodes a ${coding} upload and hides the coding from the app`, async (t) => {
    const res = await send(coding, encode(TEXT));
    t.is(res.status, 200);
    t.true(bytes(res).equals(TEXT));
    t.is(res.headers['x-ce'], 'undefined');
    t.is(res.headers['x-cl'], '-1');
  });
}

test('decompress decodes stacked codings in reverse order', async (t) => {
  const res = await send('deflate, gzip', gzipSync(deflateSync(TEXT)));
  t.true(bytes(res).equals(TEXT));
});

test('decompress passes identity and requests without Content-Encoding straight through', async (t) => {
  const res = await send('identity', TEXT);
  t.true(bytes(res).equals(TEXT));
  t.is(res.headers['x-ce'], 'identity');
  const plain = await decompress()(echo)(fakeRequest('POST', '/', {}, chunks(TEXT)));
  t.true(bytes(plain).equals(TEXT));
});

test('decompress answers 415 for an unknown coding, naming the ones it decodes', async (t) => {
  const res = await send('zstd', TEXT);
  t.is(res.status, 415);
  t.is(res.headers['accept-encoding'], 'gzip, deflate, br');
});

test('decompress answers 415 for more stacked codings than allowed', async (t) => {
  const res = await send('gzip, gzip, gzip', gzipSync(gzipSync(gzipSync(TEXT))));
  t.is(res.status, 415);
  t.is((await send('gzip, gzip, gzip', gzipSync(gzipSync(gzipSync(TEXT))), echo, { maxCodings: 3 })).status, 200);
});

test('decompress answers 400 for corrupt data', async (t) => {
  const bad = gzipSync(TEXT);
  bad[20] ^= 0xff;
  bad[21] ^= 0xff;
  const res = await send('gzip', bad);
  t.is(res.status, 400);
  t.is(res.headers.connection, 'close');
});

test('decompress answers 400 for a truncated stream', async (t) => {
  const whole = gzipSync(TEXT);
  t.is((await send('gzip', whole.subarray(0, whole.length - 4))).status, 400);
});

test('a zip bomb stops at the cap with 413, the app having seen at most the cap', async (t) => {
  t.true(BOMB.length < 256 * 1024);
  let seen = 0;
  const counting: Application = async (req) => {
    await req.body.runAsync(fold((n, c: Uint8Array) => (seen = n + c.length), 0));
    return respond(200, {}, 'unreachable');
  };
  const res = await send('gzip', BOMB, counting, { maxBytes: 1024 * 1024 });
  t.is(res.status, 413);
  t.is(res.headers.connection, 'close');
  t.true(seen <= 1024 * 1024);
  t.true(seen > 900 * 1024);
});

test('a 128 MiB multi-member bomb decodes in bounded memory when the app discards as it reads', async (t) => {
  const before = heldBuffers();
  let peak = 0;
  let total = 0;
  const discarding: Application = async (req) => {
    await req.body.runAsync(fold((n, c: Uint8Array) => {
      // Held buffers (collected first), sampled every 4 MiB: dead ones awaiting a GC are not what the decoder keeps.
      if ((n & 0x3fffff) < c.length) peak = Math.max(peak, heldBuffers() - before);
      return (total = n + c.length);
    }, 0));
    return respond(200, {}, '');
  };
  const res = await send('gzip', BOMB, discarding, { maxBytes: 512 * 1024 * 1024 });
  t.is(res.status, 200);
  t.is(total, BOMB_DECODED); // every member decoded
  t.true(peak < 24 * 1024 * 1024, `peak growth ${peak}`);
});

test('a decode failure wrapped by the app as a cause is still answered', async (t) => {
  const wrapping: Application = async (req) => {
    try {
      await req.body.runAsync(concatBytes());
    } catch (e) {
      throw new Error('upload failed', { cause: e });
    }
    return respond(200, {}, '');
  };
  t.is((await send('gzip', gzipSync(Buffer.alloc(10_000)), wrapping, { maxBytes: 100 })).status, 413);
});

test('an app error unrelated to decoding propagates', async (t) => {
  await t.throwsAsync(send('gzip', gzipSync(TEXT), async () => { throw new Error('boom'); }), { message: 'boom' });
  await t.throwsAsync(Promise.resolve().then(() => send('gzip', gzipSync(TEXT), () => { throw new Error('sync boom'); })), { message: 'sync boom' });
});

test('a sync app whose body read fails synchronously is answered too', async (t) => {
  const syncReader: Application = (req) => {
    const r = req.body.run(concatBytes());
    return respond(200, {}, r instanceof Promise ? 'async' : 'sync');
  };
  t.is((await send('gzip', gzipSync(Buffer.alloc(10_000)), syncReader, { maxBytes: 100 })).status, 413);
});

test('a RequestError the decoders did not raise is left to the engine', async (t) => {
  await t.throwsAsync(send('gzip', gzipSync(TEXT), async () => {
    throw new RequestError('BODY_TOO_LARGE');
  }), { instanceOf: RequestError });
});

test('decodersFor lists decoders in decoding order and refuses unknown codings', (t) => {
  t.deepEqual(decodersFor('gzip, br')!.map((s) => s.kind), ['unbrotli', 'gunzip']);
  t.deepEqual(decodersFor(' Identity , DEFLATE,'), [{ kind: 'inflate' }]);
  t.is(decodersFor('gzip, compress'), null);
});
