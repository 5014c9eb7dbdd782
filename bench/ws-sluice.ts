// Sluice's WebSocket bench target: /echo echoes every message with its opcode, /sub subscribes to the topic 'all',
// and /pub publishes each message it gets to 'all' (framed once for every subscriber). The same three routes as the
// uWebSockets.js and ws peers, with the same limits and no compression (the load client offers none).
import { respond, serve, Topics, type WebSocketHandler } from '../src/index.js';

const topics = new Topics();
// WS_HEAP_MB=N: keeps about N MB of small objects alive, as an application's own data would. The bench server alone
// has ~8 MB of old generation, where V8 11 keeps incremental marking running back to back while 64 KiB messages
// arrive (a full GC every ~500 of them); with a few tens of MB of live heap it frees them by scavenges only
// (docs/websocket.md, "Fifth pass"). Off by default: the bench measures the bare server.
const ballastMb = Number(process.env.WS_HEAP_MB ?? 0);
const ballast: unknown[] = Array.from({ length: Math.round(ballastMb * 7_800) }, (_, i) => ({ i, s: `k${i}`, a: [i] }));
(globalThis as { wsBenchBallast?: unknown[] }).wsBenchBallast = ballast;
// WS_REUSE=1: binary messages are lent (reuseMessageBuffers), as uWebSockets.js lends its ArrayBuffers.
const limits = { maxPayloadLength: 16 * 1024 * 1024, idleTimeout: 120, topics, reuseMessageBuffers: process.env.WS_REUSE === '1' } as const;
const echo: WebSocketHandler = { ...limits, message: (ws, m) => void ws.send(m) };
const sub: WebSocketHandler = { ...limits, open: (ws) => ws.subscribe('all') };
const pub: WebSocketHandler = { ...limits, message: (_ws, m) => void topics.publish('all', m) };
const routes: Record<string, WebSocketHandler> = { '/echo': echo, '/sub': sub, '/pub': pub };

const server = serve({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' }, (req) => {
  const handler = routes[req.path];
  return handler === undefined ? respond.text(404, 'Not Found\n') : respond.upgrade(req, handler);
});
console.log(`ws-sluice listening on ${server.port}`);
