// Ending TLS connections: shutdown(SHUT_WR) and close() send close_notify first (RFC 8446 §6.1), as nginx does; the
// peer's close_notify or a bare TCP FIN reads as EV_EOF after the data before it.
import test from 'ava';
import { once } from 'node:events';
import type { ConnectionOptions } from 'node:tls';
import { EV_DATA, EV_EOF } from '../../src/native/index.js';
import { checkFdLeaks, useHub } from './support/event-hub.js';
import { collect, connectRaw, connectTls, useTlsListener, tapServer } from './support/tls-harness.js';

const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

const { listener } = useTlsListener(test, hub);

// TLS 1.3 protects alerts like data: close_notify is a 19-byte record (2-byte alert, content type, 16-byte tag).
const TLS13_ALERT_RECORD = 19;
const APPLICATION_DATA = 23;
const ALERT = 21;

test.serial('shutdown(SHUT_WR) sends close_notify before the FIN; the client reads a clean end', async (t) => {
  const tap = await tapServer(listener.port);
  const client = await connectTls(tap.port);
  const fd = (await hub.next(listener.fd)).fd;
  const all = collect(client);
  const reply = Buffer.from('the whole response');
  t.is(native.send(fd, reply, 0, reply.length, false), reply.length);
  t.is(native.shutdown(fd, 1), 0);
  await tap.serverEnded;
  const last = tap.fromServer.at(-1)!;
  t.deepEqual(last, { type: APPLICATION_DATA, length: TLS13_ALERT_RECORD });
  t.deepEqual(tap.fromServer.at(-2), { type: APPLICATION_DATA, length: reply.length + 17 });
  client.end();
  const { data, error } = await all;
  t.is(data.toString(), 'the whole response');
  t.is(error, null);
  t.is((await hub.next(fd)).kind, EV_EOF, "the client's own close_notify");
  native.close(fd);
  await tap.close();
});

test.serial('close() sends close_notify before closing (TLS 1.2: an alert record)', async (t) => {
  const tap = await tapServer(listener.port);
  const client = await connectTls(tap.port, { maxVersion: 'TLSv1.2' });
  const fd = (await hub.next(listener.fd)).fd;
  const all = collect(client);
  t.is(native.close(fd), 0);
  await tap.serverEnded;
  t.is(tap.fromServer.at(-1)?.type, ALERT);
  const { error } = await all;
  t.is(error, null);
  await tap.close();
});

test.serial('a second shutdown or a close after shutdown sends nothing more', async (t) => {
  const tap = await tapServer(listener.port);
  const client = await connectTls(tap.port);
  const fd = (await hub.next(listener.fd)).fd;
  t.is(native.shutdown(fd, 1), 0);
  await tap.serverEnded;
  const records = tap.fromServer.length;
  t.is(native.shutdown(fd, 1), 0);
  t.is(native.close(fd), 0);
  await collect(client);
  t.is(tap.fromServer.length, records);
  await tap.close();
});

test.serial("the client's close_notify ends reading after the data that preceded it", async (t) => {
  const client = await connectTls(listener.port);
  const fd = (await hub.next(listener.fd)).fd;
  client.end('last words');
  const { data, end } = await hub.read(fd, 100);
  t.is(data.toString(), 'last words');
  t.is(end?.kind, EV_EOF);
  native.close(fd);
  await once(client, 'close');
});

test.serial('a TCP FIN without close_notify reads as EV_EOF too (nginx: not an error)', async (t) => {
  const tcp = await connectRaw(listener.port);
  const client = await connectTls(listener.port, { socket: tcp });
  const fd = (await hub.next(listener.fd)).fd;
  client.write('unterminated');
  t.is((await hub.next(fd)).kind, EV_DATA);
  tcp.end();
  t.is((await hub.next(fd)).kind, EV_EOF);
  native.close(fd);
  client.destroy();
  await once(client, 'close');
});

test.serial('after its close_notify the server may still send: the response to a half-closed request arrives', async (t) => {
  const client = await connectTls(listener.port, { allowHalfOpen: true } as ConnectionOptions);
  const fd = (await hub.next(listener.fd)).fd;
  const all = collect(client);
  client.end('request');
  const { end } = await hub.read(fd, 100);
  t.is(end?.kind, EV_EOF);
  const reply = Buffer.from('late response');
  t.is(native.send(fd, reply, 0, reply.length, false), reply.length);
  native.close(fd);
  t.is((await all).data.toString(), 'late response');
});
