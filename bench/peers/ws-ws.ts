// `ws` WebSocket peer (the library most Node servers use): /echo echoes with the opcode, /sub joins the subscriber
// set, /pub sends each message to every subscriber (ws has no pub/sub: this is its documented broadcast loop).
// 16 MiB messages, no compression.
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.PORT ?? 3000);
const subscribers = new Set<WebSocket>();
const server = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const path = req.url ?? '/';
  if (path === '/sub') {
    subscribers.add(ws);
    ws.on('close', () => subscribers.delete(ws));
  }
  ws.on('message', (data, isBinary) => {
    if (path === '/pub') for (const s of subscribers) s.send(data, { binary: isBinary });
    else ws.send(data, { binary: isBinary });
  });
});
server.listen(port, '127.0.0.1', () => console.log(`ws-ws listening on ${port}`));
