// The same fetch-handler hello on @hono/node-server (node:http underneath, lightweight Request/Response shims).
import { serve } from '@hono/node-server';

serve({ fetch: () => new Response('Hello, World!', { headers: { 'content-type': 'text/plain' } }), port: Number(process.env.PORT ?? 8080), hostname: '127.0.0.1' });
