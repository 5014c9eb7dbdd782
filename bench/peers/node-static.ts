// node:http + serve-static peer: what a typical user reaches for (`send` does stat/open/read/close per request).
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** serve-static's middleware shape (the package ships no types). */
type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
const require = createRequire(import.meta.url);
const serveStatic = require('serve-static') as (root: string, opts: { index: string[] }) => Middleware;

const port = Number(process.env.PORT ?? 8080);
const serve = serveStatic(process.env.WWW ?? '/tmp/sluice-bench/www', { index: ['index.html'] });
createServer((req, res) => {
  serve(req, res, () => {
    res.statusCode = 404;
    res.end('Not Found');
  });
}).listen(port, '127.0.0.1');
