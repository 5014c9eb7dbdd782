// Echo: the request body Source handed straight back as the response body, for Content-Length and chunked
// uploads, small and large, one after another on one connection.
import test from './transport.js';
import { createHash, randomBytes } from 'node:crypto';
import { respond, type Application } from '../../src/index.js';
import { withClient, withServer } from './helpers.js';

const echo: Application = (req) => respond(200, { 'content-type': 'application/octet-stream' }, req.body);
/** Echo that declares the length it already knows from the request. */
const echoWithLength: Application = (req) =>
  req.head.contentLength >= 0 ? respond(200, { 'content-length': req.head.contentLength }, req.body) : respond(200, {}, req.body);

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function chunkedOf(data: Buffer, piece: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += piece) {
    const p = data.subarray(i, i + piece);
    parts.push(Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

test('a Content-Length upload is echoed back chunked', async (t) => {
  await withServer(echo, {}, async (port) => withClient(port, async (c) => {
    c.write('POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world');
    const [res] = await c.readResponses(1);
    t.is(res!.headers['transfer-encoding'], 'chunked');
    t.is(res!.body.toString(), 'hello world');
  }));
});

test('a Content-Length upload echoed with its declared length is framed by Content-Length', async (t) => {
  await withServer(echoWithLength, {}, async (port) => withClient(port, async (c) => {
    c.write('POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world');
    const [res] = await c.readResponses(1);
    t.is(res!.headers['content-length'], '11');
    t.false('transfer-encoding' in res!.headers);
    t.is(res!.body.toString(), 'hello world');
  }));
});

test('a chunked upload is echoed back', async (t) => {
  const data = randomBytes(100_000);
  await withServer(echo, {}, async (port) => withClient(port, async (c) => {
    c.write(Buffer.concat([Buffer.from('POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n'), chunkedOf(data, 777)]));
    const [res] = await c.readResponses(1, { timeoutMs: 10_000 });
    t.is(sha(res!.body), sha(data));
  }));
});

test('an empty body is echoed as an empty response', async (t) => {
  await withServer(echo, {}, async (port) => withClient(port, async (c) => {
    c.write('POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n');
    const [res] = await c.readResponses(1);
    t.is(res!.status, 200);
    t.is(res!.body.length, 0);
  }));
});

test('a 4 MiB upload is echoed intact while it is still arriving', async (t) => {
  const data = randomBytes(4 * 1024 * 1024);
  await withServer(echoWithLength, {}, async (port) => withClient(port, async (c) => {
    c.write(`PUT /big HTTP/1.1\r\nHost: t\r\nContent-Length: ${data.length}\r\n\r\n`);
    // Written in pieces: the echo must stream, the response starts before the upload has finished.
    for (let i = 0; i < data.length; i += 256 * 1024) c.write(data.subarray(i, i + 256 * 1024));
    const [res] = await c.readResponses(1, { timeoutMs: 30_000 });
    t.is(res!.body.length, data.length);
    t.is(sha(res!.body), sha(data));
  }));
});

test('several echoes in a row on one keep-alive connection stay in sync', async (t) => {
  await withServer(echo, {}, async (port) => withClient(port, async (c) => {
    const bodies = ['one', 'two two', '', 'three three three'];
    for (const [i, b] of bodies.entries()) {
      if (i % 2 === 0) c.write(`POST /${i} HTTP/1.1\r\nHost: t\r\nContent-Length: ${b.length}\r\n\r\n${b}`);
      else c.write(`POST /${i} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedOf(Buffer.from(b), 2).toString('latin1')}`);
    }
    const rs = await c.readResponses(bodies.length);
    t.deepEqual(rs.map((r) => r.body.toString()), bodies);
  }));
});

test('an HTTP/1.0 echo is close-delimited', async (t) => {
  await withServer(echo, {}, async (port) => withClient(port, async (c) => {
    c.write('POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello');
    t.true(await c.whenClosed());
    const text = c.received.toString('latin1');
    t.true(text.endsWith('\r\n\r\nhello'));
    t.false(/transfer-encoding/i.test(text));
  }));
});
