// Opens N keep-alive connections (TLS or plain) that each make one request and then stay idle, so a server's memory
// per idle connection can be read from outside. Usage: node dist/bench/idle-clients.js PORT COUNT tls|plain
// Prints "ready <n>" once every connection got its response; closes them all on SIGTERM or when stdin ends.
import { once } from 'node:events';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const secure = process.argv[4] === 'tls';
const REQUEST = 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n';
const BATCH = 100;

async function open(): Promise<Socket> {
  const socket = secure
    ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false })
    : connectTcp({ host: '127.0.0.1', port });
  await once(socket, secure ? 'secureConnect' : 'connect');
  socket.write(REQUEST);
  await once(socket, 'data'); // the whole 13-byte hello response arrives in one read
  return socket;
}

const sockets: Socket[] = [];
for (let i = 0; i < count; i += BATCH) {
  sockets.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, open))));
}
process.stdout.write(`ready ${sockets.length}\n`);
const closeAll = (): void => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
};
process.on('SIGTERM', closeAll);
process.stdin.on('end', closeAll);
process.stdin.resume();
