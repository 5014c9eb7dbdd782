// A Hono app on Sluice: `npm run example hono`, then curl localhost:3000/json (or /, /echo, /events, /hello/you).
// Hono's app.fetch is a web-standard fetch handler, so serve({ fetch }) runs it as it is.
import { Hono } from 'hono';
import { logger } from 'hono/logger';
import { streamSSE } from 'hono/streaming';
import { serve } from '../src/index.js';

const app = new Hono();
if (process.env.QUIET === undefined) app.use('/hello/*', logger());
app.get('/', (c) => c.text('Hello, World!'));
app.get('/json', (c) => c.json({ message: 'Hello, World!' }));
app.get('/hello/:name', (c) => c.json({ hello: c.req.param('name'), from: c.req.header('user-agent') ?? null }));
app.post('/echo', async (c) => c.json(await c.req.json()));
app.get('/events', (c) => streamSSE(c, async (sse) => {
  for (let i = 1; i <= 5 && !c.req.raw.signal.aborted; i++) {
    await sse.writeSSE({ id: String(i), data: `tick ${i} at ${new Date().toISOString()}` });
    await sse.sleep(1000);
  }
}));

// Sluice replaces no global. HONO_FAST=1 opts in to overrideGlobalObjects: Hono's `new Response` then gets Sluice's
// FastResponse, which skips undici's body stream (several µs per request on Node 20).
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), overrideGlobalObjects: process.env.HONO_FAST === '1' });
if (process.env.QUIET === undefined) console.log(`hono listening on http://localhost:${server.port}/ (try /json, /events)`);
// Graceful: in-flight requests finish, then the process exits.
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
