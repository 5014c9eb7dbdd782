// A small JSON API: GET /json returns a document (BENCH_JSON=<file> serves that file's bytes), POST /items echoes JSON.
import { readFileSync } from 'node:fs';
import { concatBytes, respond, serve } from '../src/index.js';

const payload = process.env.BENCH_JSON ? readFileSync(process.env.BENCH_JSON) : Buffer.from(JSON.stringify({ hello: 'world' }));
const server = serve({ port: Number(process.env.PORT ?? 3000) }, async (req) => {
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
});
console.log(`json API listening on http://localhost:${server.port}/json`);
process.on('SIGTERM', () => void server.close());
process.on('SIGINT', () => void server.close());
