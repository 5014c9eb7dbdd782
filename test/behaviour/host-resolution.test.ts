// serve({ host }) with a name, over real sockets: `localhost` listens on 127.0.0.1 and ::1 (both answer), a name the
// resolver knows is bound on its addresses, and a name that does not resolve fails at once with a typed error.
import test from './transport.js';
import { createServer } from 'node:net';
import { HostResolutionError, respond, serve, type Server } from '../../src/index.js';
import { connectClient, parseResponses, serverTls } from './helpers.js';

const hello = (): ReturnType<typeof respond.text> => respond.text(200, 'hello\n');

/** Whether this machine can bind ::1 at all (IPv6 may be disabled in a container). */
async function hasIPv6Loopback(): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

/** GET / on address:port; the response's status and body. */
function getFrom(address: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectClient(port, address);
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('close', () => {
      const [res] = parseResponses(Buffer.concat(chunks));
      resolve(`${res?.status} ${res?.body.toString()}`);
    });
    socket.on('error', reject);
  });
}

async function withServe<T>(host: string, fn: (server: Server) => Promise<T>): Promise<T> {
  const server = serve({ host, port: 0, onException: () => {}, tls: serverTls() }, hello);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

test('host localhost listens on 127.0.0.1 and ::1, one port, and both answer', async (t) => {
  const v6 = await hasIPv6Loopback();
  await withServe('localhost', async (server) => {
    t.deepEqual(server.addresses.map((a) => a.address), v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1']);
    t.true(server.addresses.every((a) => a.port === server.port));
    t.is(await getFrom('127.0.0.1', server.port), '200 hello\n');
    if (v6) t.is(await getFrom('::1', server.port), '200 hello\n');
  });
});

test('host names are case-insensitive and may end in a dot; *.localhost is loopback too (RFC 6761)', async (t) => {
  for (const host of ['LOCALHOST', 'localhost.', 'app.localhost']) {
    await withServe(host, async (server) => {
      t.is(server.addresses[0]!.address, '127.0.0.1', host);
      t.is(await getFrom('127.0.0.1', server.port), '200 hello\n');
    });
  }
});

test('a numeric host, bracketed or not, binds just that address', async (t) => {
  await withServe('127.0.0.1', async (server) => {
    t.deepEqual(server.addresses.map((a) => a.address), ['127.0.0.1']);
  });
  if (await hasIPv6Loopback()) {
    await withServe('[::1]', async (server) => {
      t.deepEqual(server.addresses, [{ address: '::1', family: 'IPv6', port: server.port }]);
    });
  }
});

test('a name that does not resolve fails at once with HostResolutionError naming it', (t) => {
  const err = t.throws(() => serve({ host: 'no-such-host.invalid', port: 0 }, hello), { instanceOf: HostResolutionError });
  // .invalid never resolves (RFC 6761 §6.4); a machine without a resolver may say EAI_AGAIN instead.
  t.true(['ENOTFOUND', 'EAI_AGAIN'].includes((err as HostResolutionError).code));
  t.is((err as HostResolutionError).hostname, 'no-such-host.invalid');
  t.regex(err!.message, /^cannot listen on 'no-such-host\.invalid': /);
});

test('the wildcard host listens on every interface (dual-stack ::, or 0.0.0.0 without IPv6)', async (t) => {
  await withServe('', async (server) => {
    t.is(server.addresses.length, 1);
    t.true(['::', '0.0.0.0'].includes(server.addresses[0]!.address));
    t.is(await getFrom('127.0.0.1', server.port), '200 hello\n');
  });
});
