// node:http echo peer: a POST body streamed straight back (pipe, so backpressure holds memory flat).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
createServer((req, res) => {
  const length = req.headers['content-length'];
  // RFC 9112 §6.3: keep the request's framing when it has one, else node chunks the response.
  res.writeHead(200, length === undefined ? { 'Content-Type': 'application/octet-stream' }
    : { 'Content-Type': 'application/octet-stream', 'Content-Length': length });
  req.pipe(res);
}).listen(port, '127.0.0.1');
