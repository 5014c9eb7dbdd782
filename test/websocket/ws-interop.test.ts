// Interop with the `ws` client over real sockets, on Sluice's own engine (respond.upgrade(req, handler)): echo,
// subprotocols, permessage-deflate both ways, limits, ping/pong, closing handshakes, refusals, backpressure, fan-out
// and graceful shutdown.
import test from 'ava';
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { Topics, type WebSocketHandler } from '../../src/websocket/index.js';
import { OP_TEXT } from '../../src/websocket/frame.js';
import { closed, next, opened, until, withWsServer } from './support/server.js';
import { clientFrame, serverFrames } from './support/wire.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const echo: WebSocketHandler = {
  perMessageDeflate: true,
  maxPayloadLength: 16 * 1024 * 1024,
  message: (ws, m) => void ws.send(m, true),
};

test('text and binary messages echo with their kind; permessage-deflate is negotiated with ws', async (t) => {
  await withWsServer(echo, async (b) => {
    const ws = await opened(b.url);
    t.true(ws.extensions.includes('permessage-deflate'));
    ws.send('héllo');
    t.deepEqual(await next(ws), { data: Buffer.from('héllo'), binary: false });
    ws.send(Buffer.from([1, 2, 3]));
    t.deepEqual(await next(ws), { data: Buffer.from([1, 2, 3]), binary: true });
    const big = 'compressible '.repeat(10_000);
    ws.send(big);
    t.is((await next(ws)).data.toString(), big);
    ws.close();
    await closed(ws);
  });
});

test('a message of exactly 16 MiB passes, compressed or not; one byte more is closed with 1009', async (t) => {
  await withWsServer(echo, async (b) => {
    const ws = await opened(b.url);
    const max = Buffer.alloc(16 * 1024 * 1024, 0x61);
    ws.send(max);
    t.is((await next(ws)).data.length, max.length);
    ws.send(max, { compress: false });
    t.is((await next(ws)).data.length, max.length);
    ws.send(Buffer.alloc(max.length + 1, 0x61));
    t.is((await closed(ws)).code, 1009);
  });
});

test('an uncompressed message over the limit, still being sent, gets close 1009 (the server lingers, no reset)', async (t) => {
  // The server refuses at the frame header while megabytes are still in flight; closing at once would make the
  // kernel reset the connection, and a client in another process (where the race shows) would see 1006.
  await withWsServer(echo, async (b) => {
    const script = [
      "import WebSocket from 'ws';",
      `const ws = new WebSocket('${b.url}', { perMessageDeflate: false });`,
      "ws.on('error', () => undefined);",
      'ws.on(\'open\', () => ws.send(Buffer.alloc(16 * 1024 * 1024 + 1, 0x61)));',
      "ws.on('close', (code) => console.log(code));",
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    t.is(stdout.trim(), '1009');
  });
});

test('the server selects an offered subprotocol only when the app picks it', async (t) => {
  await withWsServer(echo, async (b) => {
    const ws = await opened(b.url, ['v1', 'v2']);
    t.is(ws.protocol, 'v2');
    ws.close();
    const none = await opened(b.url);
    t.is(none.protocol, '');
    none.close();
  }, () => ({ protocol: 'v2' }));
});

test('pings in both directions: ws answers the server ping, the server answers the client ping', async (t) => {
  const log: string[] = [];
  await withWsServer<undefined>({ open: (ws) => void ws.ping('srv'), pong: (_ws, d) => void log.push(`pong:${d}`) }, async (b) => {
    const ws = await opened(b.url);
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.ping('cli');
    t.is((await pong).toString(), 'cli');
    await until(() => log.length > 0);
    t.deepEqual(log, ['pong:srv']);
    ws.close();
  });
});

test('closing handshakes: the client closes with 4000, the server with 1000 and a reason', async (t) => {
  const seen: string[] = [];
  await withWsServer<undefined>({
    message: (ws, m) => (m === 'close me' ? ws.close(1000, 'as asked') : undefined),
    close: (_ws, code, reason) => void seen.push(`${code}:${reason}`),
  }, async (b) => {
    const a = await opened(b.url);
    a.close(4000, 'bye');
    // The server's answer echoes the code only (RFC 6455 §5.5.1); the hook below sees the client's reason.
    t.deepEqual(await closed(a), { code: 4000, reason: '' });
    const c = await opened(b.url);
    c.send('close me');
    t.deepEqual(await closed(c), { code: 1000, reason: 'as asked' });
    await until(() => b.server.connections === 0);
    t.deepEqual(seen.sort(), ['1000:as asked', '4000:bye']);
  });
});

test('a wrong version gets 426 with Sec-WebSocket-Version: 13', async (t) => {
  await withWsServer(echo, async (b) => {
    const ws = new WebSocket(b.url, { protocolVersion: 8 });
    const res = await new Promise<{ status: number; version: string | undefined }>((resolve) => {
      ws.once('unexpected-response', (_req, r) => resolve({ status: r.statusCode ?? 0, version: r.headers['sec-websocket-version'] as string | undefined }));
      ws.once('error', () => undefined);
    });
    t.deepEqual(res, { status: 426, version: '13' });
    ws.terminate();
  });
});

/** A raw client: handshake by hand, then frames by hand, for what ws refuses to send. */
async function rawClient(port: number): Promise<{ socket: Socket; received: () => Buffer; ended: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  while (!Buffer.concat(chunks).includes('\r\n\r\n')) await new Promise((r) => setTimeout(r, 2));
  return {
    socket,
    ended,
    received: () => {
      const all = Buffer.concat(chunks);
      return all.subarray(all.indexOf('\r\n\r\n') + 4);
    },
  };
}

test('a frame header over maxPayloadLength, its payload still streaming in, is answered with close 1009 before the end', async (t) => {
  await withWsServer(echo, async (b) => {
    const c = await rawClient(b.port);
    c.socket.on('error', () => undefined);
    // A masked binary frame header claiming 16 MiB + 1 bytes (RFC 6455 §5.2, 64-bit length), then payload that the
    // server will never read: it must not reset the connection over our close frame.
    const head = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0x01, 0, 0, 0x01, 1, 2, 3, 4]);
    c.socket.write(head);
    const chunk = Buffer.alloc(256 * 1024);
    for (let sent = 0; sent < 16 * 1024 * 1024 && !c.socket.destroyed; sent += chunk.length) {
      if (!c.socket.write(chunk)) await Promise.race([new Promise((r) => c.socket.once('drain', r)), c.ended]);
    }
    await c.ended;
    const close = serverFrames(c.received()).find((f) => f.opcode === 0x8);
    t.is(close?.payload.readUInt16BE(0), 1009);
  });
});

test('invalid UTF-8 in a fragment is failed with 1007 before the message ends', async (t) => {
  await withWsServer(echo, async (b) => {
    const c = await rawClient(b.port);
    c.socket.write(clientFrame(OP_TEXT, Buffer.from([0xce, 0xba, 0xf4, 0x90]), { fin: false }));
    await c.ended;
    const frames = serverFrames(c.received());
    t.is(frames.length, 1);
    t.is(frames[0]!.payload.readUInt16BE(0), 1007);
  });
});

test('a paused reader makes send return -1, and drain runs once it reads again', async (t) => {
  const log: string[] = [];
  let results: number[] = [];
  await withWsServer<undefined>({
    maxBackpressure: 0,
    message: (ws) => {
      const chunk = Buffer.alloc(64 * 1024);
      results = [];
      for (let i = 0; i < 4096 && (results.length === 0 || results[results.length - 1] !== -1); i++) results.push(ws.send(chunk));
    },
    drain: () => void log.push('drain'),
  }, async (b) => {
    const ws = await opened(b.url, undefined, { perMessageDeflate: false });
    const socket = (ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    ws.send('go');
    await until(() => results.at(-1) === -1);
    t.is(results.at(-1), -1);
    t.deepEqual(log, []);
    socket.resume();
    await until(() => log.length > 0);
    t.deepEqual(log, ['drain']);
    ws.terminate();
  });
});

test('publish reaches 50 subscribers over real sockets', async (t) => {
  const topics = new Topics();
  await withWsServer<undefined>({ topics, open: (ws) => ws.subscribe('all') }, async (b) => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => opened(b.url)));
    await until(() => topics.subscriberCount('all') === 50);
    const got = clients.map((c) => next(c));
    t.is(topics.publish('all', 'news'), 4);
    for (const m of await Promise.all(got)) t.is(m.data.toString(), 'news');
    for (const c of clients) c.terminate();
  });
});

test('a graceful shutdown closes every socket with 1001 and waits for the handshakes', async (t) => {
  await withWsServer(echo, async (b) => {
    const clients = await Promise.all([opened(b.url), opened(b.url), opened(b.url)]);
    const codes = clients.map((c) => closed(c));
    await b.server.close();
    t.deepEqual((await Promise.all(codes)).map((c) => c.code), [1001, 1001, 1001]);
    t.is(b.server.connections, 0);
  });
});
