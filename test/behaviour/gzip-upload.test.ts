// decompress() on the wire: a gzip upload is decoded for the app; a zip bomb is answered 413 once the decoded size
// passes the cap, without inflating the rest; an unknown coding is 415.
import test from './transport.js';
import { gzipSync } from 'node:zlib';
import { concatBytes, fold, respond, type Application } from '../../src/index.js';
import { decompress } from '../../src/middleware/decompress.js';
import { countCompleteResponses, parseResponses, rawExchange, withServer } from './helpers.js';

// 64 MiB of zeros in ~64 KiB: four concatenated 16 MiB gzip members, built before any test starts.
const MEMBER = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
const BOMB = Buffer.concat([MEMBER, MEMBER, MEMBER, MEMBER]);
const TEXT = Buffer.from('{"rows":[' + Array.from({ length: 3000 }, (_, i) => `{"i":${i}}`).join(',') + ']}');

let decodedSeen = 0;
const app: Application = async (req) => {
  if (req.path === '/count') {
    decodedSeen = await req.body.runAsync(fold((n, c: Uint8Array) => n + c.length, 0));
    return respond.text(200, String(decodedSeen));
  }
  const body = await req.body.runAsync(concatBytes());
  return respond(200, { 'content-type': 'application/json' }, body);
};
const served = decompress({ maxBytes: 1024 * 1024 })(app);

function post(path: string, body: Uint8Array, encoding: string): Buffer {
  const head = `POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Encoding: ${encoding}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

test('a gzip upload reaches the app decoded', async (t) => {
  await withServer(served, {}, async (port) => {
    const { data } = await rawExchange(port, post('/echo', gzipSync(TEXT), 'gzip'), { until: (d) => countCompleteResponses(d) === 1 });
    const [res] = parseResponses(data);
    t.is(res!.status, 200);
    t.true(res!.body.equals(TEXT));
  });
});

test.serial('a zip bomb upload is answered 413 after at most the cap was decoded', async (t) => {
  decodedSeen = -1;
  await withServer(served, {}, async (port) => {
    const { data } = await rawExchange(port, post('/count', BOMB, 'gzip'), { until: (d) => countCompleteResponses(d) === 1 });
    const [res] = parseResponses(data);
    t.is(res!.status, 413);
    t.is(res!.headers.connection, 'close');
    t.is(decodedSeen, -1); // the app never finished reading: the cap stopped it
  });
});

test('an unknown content coding is 415 naming the decodable ones', async (t) => {
  await withServer(served, {}, async (port) => {
    const { data } = await rawExchange(port, post('/echo', TEXT, 'zstd'), { until: (d) => countCompleteResponses(d) === 1 });
    const [res] = parseResponses(data);
    t.is(res!.status, 415);
    t.is(res!.headers['accept-encoding'], 'gzip, deflate, br');
  });
});
