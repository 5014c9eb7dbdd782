// Protocol hand-off over real sockets (RFC 9110 §7.8): a 101 from respond.upgrade ends the HTTP/1.1 loop and gives
// the next protocol the rest of the connection, leftovers first; a plain 101 closes; bad upgrades are 500s.
import test from './transport.js';
import { forEach } from '../../src/conduit/index.js';
import { respond, type Application, type UpgradedIO } from '../../src/index.js';
import { parseResponses, rawExchange, withClient, withServer } from './helpers.js';

const UPGRADE = 'GET /chat HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n';

/** A toy protocol: writes every chunk it reads back upper-cased, until the client closes. */
async function shout(io: UpgradedIO): Promise<void> {
  const upper = (x: Uint8Array): Buffer => Buffer.from(Buffer.from(x).toString('latin1').toUpperCase(), 'latin1');
  await io.input.borrow().runAsync(forEach((chunk: Uint8Array) => io.write(upper(chunk))));
}

const upgrading: Application = () => respond.upgrade({ upgrade: 'echo' }, shout);

test('an upgrade hands the connection over: bytes sent right behind the request reach the new protocol first', async (t) => {
  await withServer(upgrading, {}, async (port) => withClient(port, async (c) => {
    c.write(UPGRADE + 'hello ');
    const got = await c.read((d) => d.toString('latin1').includes('HELLO '));
    const head = got.toString('latin1');
    t.regex(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    t.regex(head, /\r\nconnection: upgrade\r\n/i);
    t.regex(head, /\r\nupgrade: echo\r\n/i);
    t.notRegex(head, /content-length|transfer-encoding/i, 'a 101 has no framing fields');
    c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    const more = await c.read((d) => d.toString('latin1').includes('GET / HTTP/1.1'));
    t.notRegex(more.toString('latin1'), /HTTP\/1\.1 [2-5]\d\d/, 'what follows a 101 is never parsed as a request');
    t.true(more.toString('latin1').endsWith('HELLO GET / HTTP/1.1\r\nHOST: T\r\n\r\n'));
  }));
});

test('the connection closes when the protocol run settles', async (t) => {
  const app: Application = () => respond.upgrade({ upgrade: 'once' }, (io) => {
    io.write(Buffer.from('bye'));
  });
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, UPGRADE.replace('echo', 'once'));
    t.true(r.closed);
    t.true(r.data.toString('latin1').endsWith('\r\n\r\nbye'));
  });
});

test('a plain 101 response ends the HTTP/1.1 loop: the connection closes and later bytes are not read as a request', async (t) => {
  const seen: string[] = [];
  const app: Application = (req) => {
    seen.push(req.target);
    return respond(101, { upgrade: 'x', connection: 'upgrade' });
  };
  await withServer(app, {}, async (port) => {
    const r = await rawExchange(port, UPGRADE + 'GET /second HTTP/1.1\r\nHost: t\r\n\r\n');
    t.true(r.closed);
    t.deepEqual(parseResponses(r.data).map((x) => x.status), [101]);
    t.deepEqual(seen, ['/chat']);
  });
});

const refusals: Record<string, string> = {
  'an HTTP/1.0 request (RFC 9110 §7.8)': 'GET /chat HTTP/1.0\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n',
  'a request without an Upgrade field': 'GET /chat HTTP/1.1\r\nHost: t\r\n\r\n',
  'a request whose body was not read': 'POST /chat HTTP/1.1\r\nHost: t\r\nUpgrade: echo\r\nContent-Length: 3\r\n\r\nabc',
};

for (const [what, request] of Object.entries(refusals)) {
  test(`an upgrade answer to ${what} is a 500, reported, and nothing switches`, async (t) => {
    const errors: unknown[] = [];
    await withServer(upgrading, { onException: (e) => void errors.push(e) }, async (port) => {
      const r = await rawExchange(port, request);
      t.deepEqual(parseResponses(r.data).map((x) => x.status), [500]);
      t.is((errors[0] as { code?: string }).code, 'BAD_UPGRADE');
    });
  });
}

test('graceful shutdown tells an upgraded protocol, which ends its own session', async (t) => {
  let told = 0;
  const app: Application = () => respond.upgrade({ upgrade: 'echo' }, (io) => new Promise<void>((resolve) => {
    io.onShutdown = () => {
      told++;
      io.write(Buffer.from('going away'));
      resolve();
    };
  }));
  await withServer(app, {}, async (port, server) => withClient(port, async (c) => {
    c.write(UPGRADE);
    await c.read((d) => d.includes('\r\n\r\n'));
    const closing = server.close();
    const rest = await c.read((d) => d.toString('latin1').endsWith('going away'));
    t.true(rest.toString('latin1').endsWith('going away'));
    await closing;
    t.is(told, 1);
    t.true(await c.whenClosed(5000));
  }));
});
