// Many connections at once, IPv6 loopback, and the onOpen/onClose hooks over real sockets.
import test from './transport.js';
import { respond, serve, type Application } from '../../src/index.js';
import { connectClient, get, parseResponses, rawExchange, serverTls, withClient, withServer } from './helpers.js';

const hello: Application = (req) => respond(200, {}, `hello ${req.path}`);

test('200 clients connecting at once are all answered', async (t) => {
  await withServer(hello, {}, async (port) => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      rawExchange(port, get(`/${i}`, 'Connection: close\r\n'), { timeoutMs: 20_000 })));
    const bodies = results.map((r) => parseResponses(r.data)[0]?.body.toString());
    t.deepEqual(bodies, Array.from({ length: 200 }, (_, i) => `hello /${i}`));
    t.true(results.every((r) => r.closed));
  });
});

test('the server listens on IPv6 loopback', async (t) => {
  const server = serve({ host: '::1', port: 0, onException: () => {}, tls: serverTls() }, hello);
  try {
    const data = await new Promise<Buffer>((resolve, reject) => {
      const s = connectClient(server.port, '::1');
      s.write(get('/v6', 'Connection: close\r\n'));
      const chunks: Buffer[] = [];
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
    });
    t.is(parseResponses(data)[0]!.body.toString(), 'hello /v6');
  } finally {
    await server.close();
  }
});

test('req.remoteAddress is the peer\'s address', async (t) => {
  const app: Application = (req) => respond(200, {}, String(req.remoteAddress));
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write(get('/'));
    const [res] = await c.readResponses(1);
    t.is(res!.body.toString(), `127.0.0.1:${c.socket.localPort}`);
  }));
});

test('onOpen can refuse a connection and onClose sees every connection end', async (t) => {
  const opened: Array<string | null> = [];
  let closed = 0;
  let refuse = true;
  await withServer(hello, {
    onOpen: (addr) => {
      opened.push(addr);
      return !refuse;
    },
    onClose: () => void closed++,
  }, async (port) => {
    // Generous: the close is expected, and a TLS handshake on a loaded machine can take seconds.
    const refused = await rawExchange(port, get('/'), { timeoutMs: 30_000 });
    t.true(refused.closed);
    t.is(refused.data.length, 0);
    refuse = false;
    const ok = await rawExchange(port, get('/', 'Connection: close\r\n'), { timeoutMs: 30_000 });
    t.is(parseResponses(ok.data)[0]!.status, 200);
  });
  t.is(opened.length, 2);
  t.true(opened.every((a) => a !== null && a.startsWith('127.0.0.1:')));
  t.is(closed, 1, 'only accepted connections are reported closed');
});

test('binding a port that is in use throws EADDRINUSE', (t) => {
  const first = serve({ host: '127.0.0.1', port: 0, onException: () => {} }, hello);
  try {
    const e = t.throws(() => serve({ host: '127.0.0.1', port: first.port }, hello));
    t.is((e as { code?: string }).code, 'EADDRINUSE');
    t.regex(e!.message, new RegExp(`port ${first.port} is already in use`));
  } finally {
    void first.close();
  }
});

test('two servers with reusePort share one port', async (t) => {
  const a = serve({ host: '127.0.0.1', port: 0, reusePort: true, onException: () => {}, tls: serverTls() }, () => respond(200, {}, 'a'));
  try {
    const b = serve({ host: '127.0.0.1', port: a.port, reusePort: true, onException: () => {}, tls: serverTls() }, () => respond(200, {}, 'b'));
    try {
      const r = await rawExchange(a.port, get('/', 'Connection: close\r\n'), { timeoutMs: 30_000 });
      t.true(['a', 'b'].includes(parseResponses(r.data)[0]!.body.toString()));
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
});
