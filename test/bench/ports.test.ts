import test from 'ava';
import { createServer } from 'node:net';
import { findListenerInodes, findListenerOwners, isPortFree, pickFreePort, PORT_RANGE } from '../../bench/ports.js';

const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1505 1 0000 100 0 0 10 0
   1: 0100007F:4650 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000 100 0 0 10 0
   2: 0100007F:4650 0100007F:97ED 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000 20 0 0 11 -1
`;
const TABLE6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:4650 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000 100 0 0 10 0
`;

test('findListenerInodes picks listening sockets on the port and skips connections', (t) => {
  t.deepEqual(findListenerInodes(TABLE, 0x4650), [2222]);
  t.deepEqual(findListenerInodes(TABLE, 2024), [1505]);
  t.deepEqual(findListenerInodes(TABLE, 80), []);
});

test('findListenerInodes reads IPv6 tables', (t) => {
  t.deepEqual(findListenerInodes(TABLE6, 0x4650), [4444]);
});

test('findListenerOwners names this process for its own listener and nobody for a free port', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    t.false(isPortFree(port));
    t.deepEqual(findListenerOwners(port, [process.pid]), [process.pid]);
    t.deepEqual(findListenerOwners(port, [process.ppid]), []);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  t.true(isPortFree(port));
});

test('pickFreePort skips a port that is taken', async (t) => {
  // Take the first free port of the range, then start the scan exactly there: it must move on.
  let taken = PORT_RANGE.first;
  while (!isPortFree(taken)) taken++;
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(taken, '127.0.0.1', resolve));
  try {
    const port = pickFreePort(() => (taken - PORT_RANGE.first) / PORT_RANGE.count);
    t.not(port, taken);
    t.true(port >= PORT_RANGE.first && port < PORT_RANGE.first + PORT_RANGE.count);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
