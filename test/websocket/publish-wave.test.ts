// A publish wave over real sockets: many messages published in one synchronous run to many subscribers go out in
// order to each (chained per subscriber, flushed mid-wave when the cork fills), also when one subscriber has a backlog
// that its writes must queue behind and another closed just before the wave.
import test from 'ava';
import type WebSocket from 'ws';
import { Topics, type ServerWebSocket, type WebSocketHandler } from '../../src/websocket/index.js';
import { opened, until, withWsServer } from './support/server.js';

const SUBSCRIBERS = 150;
/** 150 x 120 records is over the reactor's records per flush, and 120 is over a connection's longest chain. */
const MESSAGES = 120;
const SIZE = 1000;
/** Sent straight to the slow subscriber before the wave: more than loopback buffers take while it does not read. */
const BACKLOG = 64 * 64 * 1024;

function message(i: number): Buffer {
  const b = Buffer.alloc(SIZE, i & 0xff);
  b.writeUInt32BE(i, 0);
  return b;
}

test('a wave of publishes reaches every subscriber whole and in order: one behind a backlog, one closed', async (t) => {
  const topics = new Topics();
  const sockets: Array<ServerWebSocket<string>> = [];
  const handler: WebSocketHandler<string> = {
    topics,
    open: (ws) => {
      ws.subscribe('all');
      sockets.push(ws);
    },
    message: (ws, m) => {
      const command = m.toString();
      if (command === 'fill') {
        // The slow subscriber's client stopped reading: this backlog stays queued in the server.
        for (let k = 0; k < BACKLOG / (64 * 1024); k++) ws.send(Buffer.alloc(64 * 1024, 7));
        ws.send('filled');
        return;
      }
      for (let i = 0; i < MESSAGES; i++) topics.publish('all', message(i));
    },
  };
  await withWsServer(handler, async ({ url }) => {
    const clients: WebSocket[] = [];
    const got: Buffer[][] = [];
    for (let k = 0; k < SUBSCRIBERS; k++) {
      const c = await opened(url);
      const mine: Buffer[] = [];
      got.push(mine);
      c.on('message', (d: Buffer, binary: boolean) => {
        if (binary && d.length === SIZE) mine.push(d);
      });
      clients.push(c);
    }
    await until(() => sockets.length === SUBSCRIBERS);
    const slow = clients[1]!;
    const slowSocket = (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    slowSocket.pause();
    slow.send('fill');
    await until(() => sockets[1]!.bufferedAmount > 0);
    // One subscriber goes away right before the wave; its session drops out of the topic once the server sees it.
    clients[2]!.terminate();
    clients[0]!.send('publish');
    const live = got.filter((_, k) => k !== 1 && k !== 2);
    await until(() => live.every((m) => m.length === MESSAGES), 20_000);
    t.is(got[1]!.length, 0, 'the slow subscriber reads nothing yet');
    slowSocket.resume();
    await until(() => got[1]!.length === MESSAGES, 20_000);
    for (const [k, mine] of got.entries()) {
      if (k === 2) continue;
      const order = mine.map((d) => d.readUInt32BE(0));
      if (order.some((v, i) => v !== i) || mine.some((d, i) => !d.equals(message(i)))) return t.fail(`subscriber ${k} got them out of order or changed`);
    }
    t.pass();
    for (const c of clients) c.terminate();
  });
});
