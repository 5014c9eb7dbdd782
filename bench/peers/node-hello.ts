// node:http hello peer: the baseline every hello figure is divided by.
// Content-Length is set so the response is framed like every other target's (without it node sends chunked).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const BODY = 'Hello, World!';

createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
}).listen(port, '127.0.0.1', Number(process.env.BACKLOG ?? 511)); // node's default backlog is 511
