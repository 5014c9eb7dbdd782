// node:https hello peer for bench/native-tls-compare.ts: node's own TLS (JS streams over TLSWrap) with the same
// certificate and response as the other HTTPS targets.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const port = Number(process.env.PORT ?? 8443);
const BODY = 'Hello, World!';

createServer({ cert: readFileSync(process.env.TLS_CERT ?? ''), key: readFileSync(process.env.TLS_KEY ?? '') }, (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
}).listen(port, '127.0.0.1', Number(process.env.BACKLOG ?? 511));
