// uWebSockets.js WebSocket peer (npm repack `uwebsockets`, the uWS.js binary): /echo echoes with the opcode, /sub
// subscribes to 'all', /pub publishes to 'all'; 16 MiB messages, 120 s idle timeout, no compression.
import { createRequire } from 'node:module';
import type { UwsModule, UwsRequest, UwsResponse, UwsSocket } from './uws-types.js';

const uws = createRequire(import.meta.url)('uwebsockets') as UwsModule;
const port = Number(process.env.PORT ?? 3000);
const app = uws.App().ws('/*', {
  compression: uws.DISABLED,
  maxPayloadLength: 16 * 1024 * 1024,
  idleTimeout: 120,
  maxBackpressure: 16 * 1024 * 1024,
  upgrade: (res: UwsResponse, req: UwsRequest, context: unknown) => {
    res.upgrade({ url: req.getUrl() }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'),
      req.getHeader('sec-websocket-extensions'), context);
  },
  open: (ws: UwsSocket) => {
    if (ws.getUserData().url === '/sub') ws.subscribe('all');
  },
  message: (ws: UwsSocket, message: ArrayBuffer, isBinary: boolean) => {
    if (ws.getUserData().url === '/pub') app.publish('all', message, isBinary);
    else ws.send(message, isBinary);
  },
}).listen('127.0.0.1', port, (token) => {
  if (!token) {
    console.error(`uws-ws: cannot listen on ${port}`);
    process.exit(1);
  }
  console.log(`uws-ws listening on ${port}`);
});
