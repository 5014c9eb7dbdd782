// `return fetch(upstream)`: the proxy one-liner of Bun, Deno and Hono apps. undici decodes the content codings it knows
// but keeps the upstream's Content-Encoding and Content-Length (@hono/node-server#121: clients then fail to decode);
// Sluice sends the decoded bytes without them (Bun's fix, oven-sh/bun#35546), and never repeats the upstream
// connection's own fields (RFC 9110 §7.6.1).
import test from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { parseRaw, unchunk, withFetchServer, withRaw, type RawConnection, type RawResponse } from './support.js';

const TEXT = 'hello '.repeat(200);

/** An upstream answering each path with its own framing and codings. */
function upstream(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  const send = (headers: Record<string, string | number>, body: Buffer): void => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-up': '1', ...headers, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (path === '/gzip') send({ 'content-encoding': 'gzip' }, gzipSync(TEXT));
  else if (path === '/br') send({ 'content-encoding': 'br' }, brotliCompressSync(TEXT));
  else if (path === '/custom') send({ 'content-encoding': 'x-custom' }, Buffer.from('opaque'));
  else if (path === '/hop') send({ connection: 'close, x-hop', 'x-hop': 'secret', 'keep-alive': 'timeout=1' }, Buffer.from(TEXT));
  else send({}, Buffer.from(TEXT));
}

/** Reads one response, chunked or framed by Content-Length. */
async function readOne(c: RawConnection, head = false): Promise<RawResponse> {
  return parseRaw(await c.readUntil((d) => {
    const end = d.indexOf('\r\n\r\n');
    if (end < 0) return false;
    if (head) return true;
    const text = d.subarray(0, end).toString('latin1');
    if (/\r\ntransfer-encoding: chunked/i.test(text)) return d.includes('\r\n0\r\n\r\n', end);
    const length = /\r\ncontent-length: (\d+)/i.exec(text);
    return length !== null && d.length >= end + 4 + Number(length[1]);
  }));
}

/** Runs fn against a Sluice server whose handler fetches the same path from a local upstream (`?clone` clones it). */
async function withProxy(fn: (c: RawConnection) => Promise<void>): Promise<void> {
  const up = createServer(upstream).listen(0, '127.0.0.1');
  await new Promise((r) => up.once('listening', r));
  const origin = `http://127.0.0.1:${(up.address() as AddressInfo).port}`;
  try {
    await withFetchServer(async (req) => {
      const url = new URL(req.url);
      const res = await fetch(origin + url.pathname);
      return url.search === '?clone' ? res.clone() : res;
    }, (base) => withRaw(base, fn));
  } finally {
    up.closeAllConnections();
    await new Promise((r) => up.close(r));
  }
}

test('a body fetch() decoded goes out decoded, chunked, without the upstream Content-Encoding and Content-Length', async (t) => {
  await withProxy(async (c) => {
    for (const path of ['/gzip', '/br', '/gzip?clone']) {
      c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const res = await readOne(c);
      t.is(res.status, 200, path);
      t.is(res.get('content-encoding'), undefined, path);
      t.is(res.get('content-length'), undefined, path);
      t.is(res.get('transfer-encoding'), 'chunked', path);
      t.is(res.get('x-up'), '1', 'end-to-end fields are kept');
      t.is(unchunk(res.body), TEXT, path);
    }
  });
});

test('HEAD through the proxy gets the head the GET answer has: no Content-Encoding, no stale length', async (t) => {
  await withProxy(async (c) => {
    c.write('HEAD /gzip HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await readOne(c, true);
    t.is(res.status, 200);
    t.is(res.get('content-encoding'), undefined);
    t.is(res.get('content-length'), undefined);
    t.is(res.body.length, 0);
  });
});

test('a body fetch() left as it was keeps its Content-Length, and a coding undici does not decode keeps its Content-Encoding', async (t) => {
  await withProxy(async (c) => {
    c.write('GET /plain HTTP/1.1\r\nHost: x\r\n\r\n');
    const plain = await readOne(c);
    t.is(plain.get('content-length'), String(TEXT.length));
    t.is(plain.body.toString(), TEXT);
    c.write('GET /custom HTTP/1.1\r\nHost: x\r\n\r\n');
    const custom = await readOne(c);
    t.is(custom.get('content-encoding'), 'x-custom');
    t.is(custom.get('content-length'), '6');
    t.is(custom.body.toString(), 'opaque');
  });
});

test('the upstream connection\'s own fields (Connection, what it names, Keep-Alive) are not forwarded, and this connection stays open', async (t) => {
  await withProxy(async (c) => {
    c.write('GET /hop HTTP/1.1\r\nHost: x\r\n\r\n');
    const res = await readOne(c);
    t.is(res.status, 200);
    t.is(res.get('connection'), undefined);
    t.is(res.get('keep-alive'), undefined);
    t.is(res.get('x-hop'), undefined);
    t.is(res.get('x-up'), '1');
    c.write('GET /plain HTTP/1.1\r\nHost: x\r\n\r\n');
    t.is((await readOne(c)).status, 200);
    t.false(c.closed);
  });
});
