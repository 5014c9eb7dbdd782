// The Hono `GET /json` app on @hono/node-server, as its users run it: the peer for Sluice's examples/hono.ts.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/json', (c) => c.json({ message: 'Hello, World!' }));
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8080), hostname: '127.0.0.1' });
