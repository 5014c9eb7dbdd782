// A small JSON API: GET /json returns a document (BENCH_JSON=<file> serves that file's bytes), POST /items echoes JSON.
// Responses are compressed for clients that accept gzip or br (gzip level 6, like express `compression`), and
// gzip uploads are decoded: this is the bench's `sluice-gzip` target.
import { readFileSync } from 'node:fs';
import { compose, concatBytes, decompress, gzip, respond, serve, type Application } from '../src/index.js';

const payload = process.env.BENCH_JSON ? readFileSync(process.env.BENCH_JSON) : Buffer.from(JSON.stringify({ hello: 'world' }));
const app: Application = async (req) => {
  if (req.path === '/json' && req.method === 'GET') return respond(200, { 'content-type': 'application/json' }, payload);
  if (req.path === '/items' && req.method === 'POST') {
    const bytes = await req.body.runAsync(concatBytes());
    try {
      return respond.json(201, { received: JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown });
    } catch {
      return respond.text(400, 'body must be JSON\n');
    }
  }
  return respond.text(404, 'not found\n');
};
const server = serve({ port: Number(process.env.PORT ?? 3000) }, compose(gzip(), decompress())(app));
console.log(`json API listening on http://localhost:${server.port}/json`);
// Graceful: in-flight requests finish, then the process exits.
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
