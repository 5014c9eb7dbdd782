// node:http + compression peer: serves the bench's 100 KiB JSON (env BENCH_JSON) gzipped per request (level 6),
// the same payload as sluice-gzip. The body is read once at startup so only compression is measured.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** compression's middleware shape (the package ships no types). */
type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
const require = createRequire(import.meta.url);
const compression = require('compression') as (opts?: { threshold?: number }) => Middleware;

const port = Number(process.env.PORT ?? 8080);
const body = readFileSync(process.env.BENCH_JSON ?? '/tmp/sluice-bench/data/bench.json');
const gzip = compression({ threshold: 0 });
createServer((req, res) => {
  gzip(req, res, () => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
}).listen(port, '127.0.0.1');
