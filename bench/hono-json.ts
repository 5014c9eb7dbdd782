// The Hono `GET /json` app on Sluice (serve({ fetch: app.fetch })): the same app as bench/peers/hono-node-json.ts.
import { Hono } from 'hono';
import { serve } from '../src/index.js';

const app = new Hono();
app.get('/json', (c) => c.json({ message: 'Hello, World!' }));
const server = serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 8080),
  hostname: '127.0.0.1',
  // SLUICE_RESPONSE=override: Hono's `new Response` gets FastResponse (the global replaced, as @hono/node-server does
  // by default); unset, the runtime's own Response (Sluice's default).
  overrideGlobalObjects: process.env.SLUICE_RESPONSE === 'override',
});
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
