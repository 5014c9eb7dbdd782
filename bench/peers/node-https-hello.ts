// node:https hello peer for bench/native-tls-compare.ts: node's own TLS (JS streams over TLSWrap) with the same
// certificate and response as the other HTTPS targets; /file streams FILE (the file scenario).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:https';

const port = Number(process.env.PORT ?? 8443);
const BODY = 'Hello, World!';

const FILE = process.env.FILE;

createServer({ cert: readFileSync(process.env.TLS_CERT ?? ''), key: readFileSync(process.env.TLS_KEY ?? '') }, (req, res) => {
  if (req.url === '/file' && FILE !== undefined) {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': statSync(FILE).size });
    createReadStream(FILE).pipe(res);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
}).listen(port, '127.0.0.1', Number(process.env.BACKLOG ?? 511));
