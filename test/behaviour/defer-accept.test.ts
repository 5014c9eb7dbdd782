// serve({ deferAccept }) over real TCP sockets (TCP_DEFER_ACCEPT, as nginx's `listen ... deferred`): the kernel hands a
// connection over only once its first bytes are in; a client that stays silent is still accepted later, and then
// meets the header timeout as before.
import test from 'ava';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { respond, type Application } from '../../src/index.js';
import { proxyV1 } from '../native/support/proxy-header.js';
import { delay, get, parseResponses, withServer } from './helpers.js';

const app: Application = () => respond(200, { 'content-type': 'text/plain' }, 'ok');

async function open(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<unknown> }> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  return { socket, received: () => Buffer.concat(chunks), closed };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (check()) return true;
    await delay(20);
  }
  return check();
}

test('with deferAccept, a connected but silent client is not handed over; its first request is, and is answered', async (t) => {
  await withServer(app, { tls: null, deferAccept: true }, async (port, server) => {
    const c = await open(port);
    await delay(300);
    t.is(server.connections, 0, 'still in the kernel until its first bytes');
    c.socket.write(get('/'));
    t.true(await until(() => parseResponses(c.received()).length === 1, 5000));
    t.is(parseResponses(c.received())[0]!.status, 200);
    t.is(server.connections, 1);
    c.socket.destroy();
  });
});

test('without deferAccept, the same silent client is a connection at once (the control)', async (t) => {
  await withServer(app, { tls: null }, async (port, server) => {
    const c = await open(port);
    t.true(await until(() => server.connections === 1, 3000));
    c.socket.destroy();
  });
});

test('with deferAccept, a client that never sends is still accepted in the end, and closed silently by the header timeout', async (t) => {
  await withServer(app, { tls: null, deferAccept: true, headerTimeoutMs: 1000 }, async (port) => {
    const c = await open(port);
    const closed = await Promise.race([c.closed.then(() => true), delay(15_000).then(() => false)]);
    t.true(closed, 'not held forever');
    t.is(c.received().length, 0);
  });
});

test('deferAccept and pipelined requests in the first write: all answered in order', async (t) => {
  await withServer(app, { tls: null, deferAccept: true }, async (port) => {
    const c = await open(port);
    c.socket.write(get('/a') + get('/b') + get('/c'));
    t.true(await until(() => parseResponses(c.received()).length === 3, 5000));
    t.deepEqual(parseResponses(c.received()).map((r) => r.status), [200, 200, 200]);
    c.socket.destroy();
  });
});

test('a proxyProtocol listener defers by itself: a silent balancer connection is not accepted, so the header clock has not started; its header and request are answered', async (t) => {
  await withServer(app, { tls: null, proxyProtocol: true, headerTimeoutMs: 100 }, async (port) => {
    const c = await open(port);
    // Accepted at once (no deferral), it would be closed 100 ms later for want of a header. The kernel holds it for
    // at least a second (one SYN-ACK retransmission) before handing it over without data.
    await delay(500);
    t.is(c.socket.readyState, 'open', 'not closed by the header timeout: not accepted yet');
    c.socket.write(Buffer.concat([proxyV1('192.0.2.7', '192.0.2.8', 1234, 80), Buffer.from(get('/'))]));
    t.true(await until(() => parseResponses(c.received()).length === 1, 5000));
    t.is(parseResponses(c.received())[0]!.status, 200);
    c.socket.destroy();
  });
});
