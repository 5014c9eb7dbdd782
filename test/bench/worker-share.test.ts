import test from 'ava';
import { fork } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { findSocketInodes, TCP_ESTABLISHED } from '../../bench/ports.js';
import { computeShares, formatWorkerShare, readWorkerConnections } from '../../bench/worker-share.js';

const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:4650 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000 100 0 0 10 0
   1: 0100007F:4650 0100007F:97ED 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000 20 0 0 11 -1
   2: 0100007F:97ED 0100007F:4650 01 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000 20 0 0 11 -1
`;

test('findSocketInodes picks the server side of established connections on the port', (t) => {
  t.deepEqual(findSocketInodes(TABLE, 0x4650, TCP_ESTABLISHED), [3333]);
  t.deepEqual(findSocketInodes(TABLE, 0x97ed, TCP_ESTABLISHED), [4444]);
});

test('computeShares divides by the total and is empty when no connection was held', (t) => {
  t.deepEqual(computeShares([1, 3]), [0.25, 0.75]);
  t.deepEqual(computeShares([0, 0]), []);
});

test('formatWorkerShare shows counts and rounded percentages', (t) => {
  t.is(formatWorkerShare([31, 33]), '31/33 (48/52%)');
  t.is(formatWorkerShare([0, 0]), '0/0');
  t.is(formatWorkerShare(undefined), '-');
  t.is(formatWorkerShare([]), '-');
});

// A child that accepts connections and holds them: its count must match what the client opened.
const HOLDER = `
const net = require('node:net');
const held = [];
const server = net.createServer((s) => held.push(s)).listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('message', () => process.exit(0));
`;

test('readWorkerConnections counts the connections a child process holds on the port', async (t) => {
  const child = fork('-e', [HOLDER], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const sockets: Socket[] = [];
  try {
    const [port] = (await once(child, 'message')) as [number];
    for (let i = 0; i < 3; i++) {
      const s = connect(port, '127.0.0.1');
      await once(s, 'connect');
      sockets.push(s);
    }
    // The child accepts on its own loop turn: poll until it holds all three.
    let counts: number[] = [];
    for (let i = 0; i < 100; i++) {
      counts = readWorkerConnections(process.pid, port);
      if (counts.includes(3)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    t.true(counts.includes(3), `counts ${JSON.stringify(counts)}`);
    t.is(counts.reduce((a, b) => a + b, 0), 3);
  } finally {
    for (const s of sockets) s.destroy();
    child.send('stop');
    await once(child, 'exit');
  }
});
