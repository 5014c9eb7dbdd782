// Session resumption with stateless tickets (TLS 1.3 and TLS 1.2, RFC 5077) under rotating keys: the current and the
// previous key resume, older ones mean a full handshake; a shared key resumes across contexts (reload, workers).
import test from 'ava';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:tls';
import { TICKET_KEY_BYTES } from '../../src/native/index.js';
import { checkFdLeaks, useHub } from './support/event-hub.js';
import { createContext, useTlsListener, type TlsListener } from './support/tls-harness.js';
import { testPki } from './support/test-pki.js';

const hub = useHub();
const native = hub.native;
checkFdLeaks(test);

const { context, listener } = useTlsListener(test, hub);

/** Connects (offering `session`), exchanges a byte each way, and returns the newest ticket and who saw a resumption. */
async function visit(to: TlsListener, session?: Buffer, maxVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.3'): Promise<{ ticket: Buffer; clientResumed: boolean; serverResumed: boolean }> {
  const client = connect({ host: '127.0.0.1', port: to.port, ca: testPki().root.cert, servername: 'localhost', session, maxVersion });
  let ticket = session;
  client.on('session', (fresh: Buffer) => {
    ticket = fresh;
  });
  await once(client, 'secureConnect');
  const accepted = await hub.next(to.fd);
  const serverResumed = native.transportInfo(accepted.fd)?.resumed ?? false;
  client.write('x');
  await hub.next(accepted.fd);
  // TLS 1.3 tickets follow the handshake: once this reply is read, they have been too.
  native.send(accepted.fd, Buffer.from('y'), 0, 1, false);
  await once(client, 'data');
  const clientResumed = client.isSessionReused();
  client.destroy();
  native.close(accepted.fd);
  if (ticket === undefined) throw new Error('no session ticket arrived');
  return { ticket, clientResumed, serverResumed };
}

test.serial('a TLS 1.3 ticket resumes the session, seen by both sides, and each resumption brings a fresh ticket', async (t) => {
  const first = await visit(listener);
  t.false(first.serverResumed);
  const second = await visit(listener, first.ticket);
  t.true(second.clientResumed);
  t.true(second.serverResumed);
  t.notDeepEqual(second.ticket, first.ticket, 'RFC 8446 §C.4: tickets are single-use, so a new one comes');
  const third = await visit(listener, second.ticket);
  t.true(third.serverResumed);
});

test.serial('a TLS 1.2 ticket (RFC 5077) resumes the session', async (t) => {
  const first = await visit(listener, undefined, 'TLSv1.2');
  const second = await visit(listener, first.ticket, 'TLSv1.2');
  t.true(second.clientResumed);
  t.true(second.serverResumed);
});

test.serial('after one rotation an old ticket still resumes; after two it does not', async (t) => {
  const { ticket } = await visit(listener);
  t.is(native.rotateTicketKeys(), 0);
  const once1 = await visit(listener, ticket);
  t.true(once1.serverResumed, 'the previous key still decrypts');
  t.is(native.rotateTicketKeys(), 0);
  const twice = await visit(listener, ticket);
  t.false(twice.serverResumed, 'two rotations later: full handshake');
  t.false(twice.clientResumed);
});

test.serial('a ticket issued under one context resumes under a swapped-in one (reload keeps resumption)', async (t) => {
  const { ticket } = await visit(listener);
  const next = createContext(hub);
  t.is(native.setTls(listener.fd, next), 0);
  const after = await visit(listener, ticket);
  t.true(after.serverResumed);
  t.is(native.setTls(listener.fd, context), 0);
  native.freeTlsContext(next);
});

test.serial('an explicit key (as a supervisor would share with its workers) is used as given', async (t) => {
  const key = randomBytes(TICKET_KEY_BYTES);
  t.is(native.rotateTicketKeys(key), 0);
  const { ticket } = await visit(listener);
  // Rotate away twice, then bring the same key back: its tickets resume again, so the key material is what counts.
  native.rotateTicketKeys();
  native.rotateTicketKeys();
  t.false((await visit(listener, ticket)).serverResumed);
  t.is(native.rotateTicketKeys(key), 0);
  t.true((await visit(listener, ticket)).serverResumed);
});

test('rotateTicketKeys refuses a key of the wrong size', (t) => {
  t.is(native.rotateTicketKeys(new Uint8Array(48)), -22);
  t.is(native.rotateTicketKeys('x' as unknown as Uint8Array), -22);
});
