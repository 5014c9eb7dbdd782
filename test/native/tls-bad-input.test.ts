// Bad input at a TLS port, all handled natively before JS hears of the connection: plain HTTP gets JS's plain reply
// (or a clean close), a garbage ClientHello an alert and a close, a stalled handshake the deadline; renegotiation is
// refused; and none of it leaks an fd, a native object or memory.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { EV_ACCEPT } from '../../src/native/index.js';
import { runClientChild } from './support/client-child.js';
import { checkFdLeaks, useHub } from './support/event-hub.js';
import { collect, connectRaw, connectTls, useTlsListener } from './support/tls-harness.js';

const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

const CLIENTS = fileURLToPath(new URL('./fixtures/tls-bad-clients.js', import.meta.url));
const PLAIN_REPLY = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
const { listener } = useTlsListener(test, hub, { plainHttpReply: PLAIN_REPLY }, 300);
const { listener: quietListener } = useTlsListener(test, hub, {}, 300);

const ALERT = 0x15;

/** Sends raw bytes and collects what comes back until the server closes. */
async function exchange(port: number, bytes: Uint8Array | null): Promise<{ data: Buffer; error: Error | null; ended: boolean }> {
  const socket: Socket = await connectRaw(port);
  let ended = false;
  socket.on('end', () => {
    ended = true;
  });
  const result = collect(socket);
  if (bytes !== null) socket.write(bytes);
  const { data, error } = await result;
  return { data, error, ended };
}

test.serial('plain HTTP to the TLS port gets the plain reply JS composed, then a clean close (nginx)', async (t) => {
  const { data, error, ended } = await exchange(listener.port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  t.is(data.toString(), PLAIN_REPLY.toString());
  t.is(error, null, 'no reset');
  t.true(ended);
  t.is(hub.pending(listener.fd), 0, 'never announced to JS');
});

test.serial('without a plain reply, plain HTTP gets a clean close and no bytes', async (t) => {
  const { data, error, ended } = await exchange(quietListener.port, Buffer.from('POST /x HTTP/1.1\r\n\r\n'));
  t.is(data.length, 0);
  t.is(error, null);
  t.true(ended);
});

test.serial('a garbage ClientHello gets an alert, then a close', async (t) => {
  const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]), Buffer.alloc(0x40, 0xee)]);
  const { data, error } = await exchange(listener.port, hello);
  t.is(error, null);
  t.true(data.length >= 7, `an alert record (${data.toString('hex')})`);
  t.is(data[0], ALERT);
  t.is(data[5], 2, 'fatal');
});

test.serial('bytes that are neither TLS nor HTTP get an alert (or nothing) and a close, never a hang', async (t) => {
  const { data, error } = await exchange(listener.port, randomBytes(300));
  t.is(error, null);
  t.true(data.length === 0 || data[0] === ALERT);
});

test.serial('a client that connects and sends nothing is closed at the handshake deadline, unannounced', async (t) => {
  const { data, ended } = await exchange(listener.port, null);
  t.is(data.length, 0);
  t.true(ended);
  t.is(native.tlsStats().preludes, 0);
  t.is(hub.pending(listener.fd), 0);
});

test.serial('a slowloris that trickles half a ClientHello is closed at the deadline too', async (t) => {
  const socket = await connectRaw(listener.port);
  const result = collect(socket);
  socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
  const timer = setInterval(() => socket.write(Buffer.from([0x00])), 50);
  const { data } = await result;
  clearInterval(timer);
  t.is(data.length, 0);
  t.is(native.tlsStats().preludes, 0);
});

test.serial('a handshake finished in time is not cut by the deadline afterwards', async (t) => {
  const client = await connectTls(listener.port);
  const accepted = await hub.next(listener.fd);
  t.is(accepted.kind, EV_ACCEPT);
  await new Promise((resolve) => setTimeout(resolve, 500));
  client.write('still open');
  t.is((await hub.read(accepted.fd, 10)).data.toString(), 'still open');
  client.destroy();
  native.close(accepted.fd);
});

test.serial('renegotiation is refused (TLS 1.2): the client is told no_renegotiation', async (t) => {
  const client: TLSSocket = await connectTls(listener.port, { maxVersion: 'TLSv1.2' });
  const accepted = await hub.next(listener.fd);
  const refused = await new Promise<Error>((resolve) => {
    client.on('error', resolve);
    client.renegotiate({ rejectUnauthorized: true }, (error) => {
      if (error) resolve(error);
    });
    client.write('poke');
  });
  t.regex(refused.message, /no renegotiation/i);
  client.destroy();
  native.close(accepted.fd);
});

const abuse = (connections: number): Promise<void> => runClientChild(CLIENTS, listener.port, connections);

test.serial('thousands of bad connections leave no fd, native object or memory behind', async (t) => {
  // The server closes what it is given; its JS allocates nothing per connection, so the allocator sees OpenSSL's.
  hub.onRecord = (e) => {
    if (e.kind === EV_ACCEPT && e.a === listener.fd) native.close(e.fd);
  };
  await abuse(400);
  await new Promise((resolve) => setTimeout(resolve, 400));
  const before = native.tlsStats().mallocInUse;
  await abuse(3000);
  await new Promise((resolve) => setTimeout(resolve, 400));
  hub.onRecord = null;
  const after = native.tlsStats();
  t.like(after, { contexts: 2, connections: 0, preludes: 0, pendingBytes: 0 });
  const grown = after.mallocInUse - before;
  t.log(`malloc in use grew ${(grown / 1024).toFixed(0)} KiB over 3,000 connections`);
  // A leaked SSL (or its BIO, or the record buffers) is KBs: 3,000 connections would add MBs.
  if (before >= 0) t.true(grown < 1024 * 1024, `malloc in use grew ${grown} bytes`);
});
