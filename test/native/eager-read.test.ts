// The read right after accept4: a connection whose request is already in the socket reaches JS with its bytes in
// the accept's own batch, and polling starts only after that batch, for connections JS kept open.
import test from 'ava';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { constants } from 'node:os';
import { EV_ACCEPT, EV_DATA, EV_EOF, EV_NONE } from '../../src/native/index.js';
import { useHub, waitTurns, type HubEvent, checkFdLeaks } from './support/event-hub.js';

const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

/** A listener that is not accepting yet, so clients can connect (and write) before the accept. */
function idleListener(): { fd: number; port: number } {
  const fd = native.listen('127.0.0.1', 0, 0, false);
  if (fd < 0) throw new Error(`listen ${fd}`);
  return { fd, port: native.localPort(fd) };
}

async function connectTo(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** A listener not accepting yet, and a client connected to it whose `request` is already in the server's socket. */
async function waitingClient(request: string): Promise<{ listener: { fd: number; port: number }; client: Socket }> {
  const listener = idleListener();
  const client = await connectTo(listener.port);
  client.write(request);
  await settle(client);
  return { listener, client };
}

/** The kinds of the records in the first batch since `turnsBefore` that announced a connection. */
function acceptBatch(turnsBefore: number): number[] {
  return hub.turns.slice(turnsBefore).find((turn) => turn.kinds.includes(EV_ACCEPT))!.kinds;
}

/** Waits until what the client wrote has left it (and a few loop turns more). */
async function settle(client: Socket): Promise<void> {
  await new Promise<void>((resolve) => client.write('', () => resolve()));
  await waitTurns(5);
}

test.serial('a request already in the socket arrives with its EV_ACCEPT, in the same batch', async (t) => {
  const { listener, client } = await waitingClient('GET / HTTP/1.1\r\n\r\n');
  const seen: HubEvent[] = [];
  hub.onRecord = (e) => seen.push(e);
  const turnsBefore = hub.turns.length;
  t.is(native.startAccepting(listener.fd), 0);
  const accepted = await hub.next(listener.fd);
  hub.onRecord = null;
  t.is(accepted.kind, EV_ACCEPT);
  const data = await hub.next(accepted.fd);
  t.is(data.kind, EV_DATA);
  t.is(data.data?.toString(), 'GET / HTTP/1.1\r\n\r\n');
  // Both records came in the one batch that announced the connection.
  t.deepEqual(acceptBatch(turnsBefore), [EV_ACCEPT, EV_DATA]);
  t.deepEqual(seen.map((e) => e.kind), [EV_ACCEPT, EV_DATA]);
  client.destroy();
  native.close(accepted.fd);
  native.close(listener.fd);
});

test.serial('a client that connected and hung up before the accept gets EV_ACCEPT then EV_EOF in one batch', async (t) => {
  const listener = idleListener();
  const client = await connectTo(listener.port);
  client.end();
  await once(client, 'finish');
  await waitTurns(5);
  const turnsBefore = hub.turns.length;
  native.startAccepting(listener.fd);
  const accepted = await hub.next(listener.fd);
  t.is((await hub.next(accepted.fd)).kind, EV_EOF);
  t.deepEqual(acceptBatch(turnsBefore), [EV_ACCEPT, EV_EOF]);
  client.destroy();
  native.close(accepted.fd);
  native.close(listener.fd);
});

test.serial('a connection closed while its accept batch is delivered is closed once and reports nothing more', async (t) => {
  const { listener, client } = await waitingClient('first');
  let closedFd = -1;
  hub.onRecord = (e) => {
    if (e.kind !== EV_ACCEPT) return;
    closedFd = e.fd;
    t.is(native.close(e.fd), 0);
  };
  const turnsBefore = hub.turns.length;
  native.startAccepting(listener.fd);
  await hub.next(listener.fd);
  hub.onRecord = null;
  // The eager read's record was voided when JS closed the fd mid-batch.
  t.deepEqual(acceptBatch(turnsBefore), [EV_ACCEPT, EV_NONE]);
  await once(client, 'end');
  client.destroy();
  await waitTurns(5);
  t.is(hub.pending(closedFd), 1, 'only the voided record was queued for the fd');
  t.is((await hub.next(closedFd)).kind, EV_NONE);
  t.is(native.close(closedFd), -constants.errno.EBADF, 'a second close of the number is EBADF, not a close of something else');
  native.close(listener.fd);
});

test.serial('a connection with nothing to read at accept is polled after the batch and gets its data later', async (t) => {
  const listener = idleListener();
  native.startAccepting(listener.fd);
  const before = native.pollsCreated();
  const client = await connectTo(listener.port);
  const accepted = await hub.next(listener.fd);
  t.is(hub.pending(accepted.fd), 0);
  await waitTurns(3);
  t.is(native.pollsCreated() - before, 1, 'nothing to read at accept: polled');
  client.write('late');
  const data = await hub.next(accepted.fd);
  t.is(data.kind, EV_DATA);
  t.is(data.data?.toString(), 'late');
  client.destroy();
  t.is((await hub.next(accepted.fd)).kind, EV_EOF);
  native.close(accepted.fd);
  native.close(listener.fd);
});

test.serial('reading paused while the accept batch is delivered holds later data back until resumed', async (t) => {
  const listener = idleListener();
  hub.onRecord = (e) => {
    if (e.kind === EV_ACCEPT) t.is(native.setReading(e.fd, false), 0);
  };
  native.startAccepting(listener.fd);
  const client = await connectTo(listener.port);
  const accepted = await hub.next(listener.fd);
  hub.onRecord = null;
  client.write('held');
  await settle(client);
  await waitTurns(10);
  t.is(hub.pending(accepted.fd), 0, 'no EV_DATA while paused');
  t.is(native.setReading(accepted.fd, true), 0);
  const data = await hub.next(accepted.fd);
  t.is(data.data?.toString(), 'held');
  client.destroy();
  native.close(accepted.fd);
  native.close(listener.fd);
});

test.serial('a request answered and closed in its accept batch never gets a poll handle (only the listener does)', async (t) => {
  const { listener, client } = await waitingClient('ping');
  const before = native.pollsCreated();
  hub.onRecord = (e) => {
    if (e.kind !== EV_DATA) return;
    native.send(e.fd, Buffer.from('pong'), 0, 4, false);
    native.close(e.fd);
  };
  native.startAccepting(listener.fd);
  await hub.next(listener.fd);
  const [reply] = (await once(client, 'data')) as [Buffer];
  hub.onRecord = null;
  t.is(reply.toString(), 'pong');
  await waitTurns(3);
  t.is(native.pollsCreated() - before, 1);
  client.destroy();
  native.close(listener.fd);
});
