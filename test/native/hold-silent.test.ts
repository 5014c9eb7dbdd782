// startAccepting(..., holdSilent): a plain connection that has sent nothing is not announced at accept. Native polls
// it and announces it with its first bytes (one batch), closes it unseen when its peer leaves first or its deadline
// passes, and closes it with its listener. What the server's listeners use (src/server/server.ts).
import test from 'ava';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { EV_ACCEPT, EV_DATA, EV_EOF } from '../../src/native/index.js';
import { checkFdLeaks, countOpenFds, useHub, waitTurns, type HubEvent } from './support/event-hub.js';

const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

/** A listener accepting with holdSilent and the given deadline. */
function holdingListener(deadlineMs = 30_000): { fd: number; port: number } {
  const fd = native.listen('127.0.0.1', 0, 0, false);
  if (fd < 0) throw new Error(`listen ${fd}`);
  const r = native.startAccepting(fd, undefined, deadlineMs, false, [], false, true);
  if (r !== 0) throw new Error(`startAccepting ${r}`);
  return { fd, port: native.localPort(fd) };
}

async function connectTo(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** Records every event the hub delivers until stop(). */
function watchAll(): { seen: HubEvent[]; stop(): void } {
  const seen: HubEvent[] = [];
  hub.onRecord = (e) => seen.push(e);
  return { seen, stop: () => void (hub.onRecord = null) };
}

test.serial('a client that writes after connecting is announced once, with its bytes, in one batch', async (t) => {
  const listener = holdingListener();
  const log = watchAll();
  const client = await connectTo(listener.port);
  await waitTurns(5);
  t.false(log.seen.some((e) => e.kind === EV_ACCEPT), 'nothing announced before the first byte');
  const turnsBefore = hub.turns.length;
  client.write('GET / HTTP/1.1\r\n\r\n');
  const accepted = await hub.next(listener.fd);
  t.is(accepted.kind, EV_ACCEPT);
  const data = await hub.next(accepted.fd);
  t.is(data.data?.toString(), 'GET / HTTP/1.1\r\n\r\n');
  t.deepEqual(hub.turns.slice(turnsBefore).find((turn) => turn.kinds.includes(EV_ACCEPT))!.kinds, [EV_ACCEPT, EV_DATA]);
  log.stop();
  // Announced, it is an ordinary connection: answered, then its peer's FIN arrives as EV_EOF.
  native.send(accepted.fd, Buffer.from('pong'), 0, 4, false);
  const [reply] = (await once(client, 'data')) as [Buffer];
  t.is(reply.toString(), 'pong');
  client.end();
  t.is((await hub.next(accepted.fd)).kind, EV_EOF);
  client.destroy();
  native.close(accepted.fd);
  native.close(listener.fd);
});

test.serial('a request already there at accept is announced with it, as without holdSilent', async (t) => {
  const fd = native.listen('127.0.0.1', 0, 0, false);
  const port = native.localPort(fd);
  const client = await connectTo(port);
  client.write('early');
  await waitTurns(5);
  native.startAccepting(fd, undefined, 30_000, false, [], false, true);
  const accepted = await hub.next(fd);
  t.is(accepted.kind, EV_ACCEPT);
  t.is((await hub.next(accepted.fd)).data?.toString(), 'early');
  client.destroy();
  native.close(accepted.fd);
  native.close(fd);
});

test.serial('a client that leaves before its first byte is closed natively and never announced', async (t) => {
  const listener = holdingListener();
  const log = watchAll();
  const fdsBefore = countOpenFds();
  const client = await connectTo(listener.port);
  await waitTurns(5);
  client.end();
  await once(client, 'close');
  await waitTurns(5);
  log.stop();
  t.deepEqual(log.seen, [], 'no record for a connection that never spoke');
  t.is(countOpenFds(), fdsBefore, 'its fd was closed');
  native.close(listener.fd);
});

test.serial('a silent client is closed at the deadline, unseen', async (t) => {
  const listener = holdingListener(150);
  const log = watchAll();
  const client = await connectTo(listener.port);
  const ended = once(client, 'end');
  await ended;  // the server's FIN, once the deadline passed
  log.stop();
  t.deepEqual(log.seen, []);
  client.destroy();
  native.close(listener.fd);
});

test.serial('closing the listener closes the connections it still holds', async (t) => {
  const listener = holdingListener();
  const clients = await Promise.all([connectTo(listener.port), connectTo(listener.port)]);
  await waitTurns(5);
  const ends = clients.map((c) => once(c, 'end'));
  native.close(listener.fd);
  await Promise.all(ends);
  t.pass();
  for (const c of clients) c.destroy();
});

test.serial('behind a PROXY header that came alone, the connection is announced with the bytes that follow it', async (t) => {
  const fd = native.listen('127.0.0.1', 0, 0, false);
  t.is(native.startAccepting(fd, undefined, 30_000, true, ['127.0.0.1'], false, true), 0);
  const log = watchAll();
  const client = await connectTo(native.localPort(fd));
  client.write('PROXY TCP4 192.0.2.7 127.0.0.1 4000 80\r\n');
  await waitTurns(5);
  t.deepEqual(log.seen, [], 'a header alone announces nothing');
  const turnsBefore = hub.turns.length;
  client.write('GET / HTTP/1.1\r\n\r\n');
  const accepted = await hub.next(fd);
  t.is((await hub.next(accepted.fd)).data?.toString(), 'GET / HTTP/1.1\r\n\r\n');
  t.deepEqual(hub.turns.slice(turnsBefore).find((turn) => turn.kinds.includes(EV_ACCEPT))!.kinds, [EV_ACCEPT, EV_DATA]);
  log.stop();
  client.destroy();
  native.close(accepted.fd);
  native.close(fd);
});

test.serial('held connections are counted per listener, and releaseHeld hands them to JS as open connections', async (t) => {
  const listener = holdingListener();
  const other = holdingListener();
  const clients = await Promise.all([connectTo(listener.port), connectTo(listener.port), connectTo(other.port)]);
  await waitTurns(5);
  t.is(native.heldConnections(listener.fd), 2);
  t.is(native.heldConnections(other.fd), 1);
  const released = native.releaseHeld(listener.fd);
  t.is(released.length, 2);
  t.is(native.heldConnections(listener.fd), 0);
  t.deepEqual(native.releaseHeld(listener.fd), [], 'released once');
  // Released, a connection is JS's: its first bytes come as EV_DATA, with no EV_ACCEPT.
  clients[0]!.write('late');
  clients[1]!.write('late');
  for (const fd of released) t.is((await hub.next(fd)).data?.toString(), 'late');
  native.close(listener.fd);
  native.close(other.fd);
  for (const fd of released) native.close(fd);
  for (const c of clients) c.destroy();
});
