import { serve } from '/work/wt/fetch/dist/src/index.js';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
const app = new Hono();
app.get('/', (c) => c.text('hello'));
app.get('/json', (c) => c.json({ a: 1 }));
app.post('/echo', async (c) => c.json(await c.req.json()));
app.get('/sse', (c) => streamSSE(c, async (s) => { for (let i = 0; i < 3; i++) { await s.writeSSE({ data: 'x' + i }); await s.sleep(50); } }));
app.get('/err', () => { throw new Error('boom'); });
app.get('/info', (c) => c.json({ env: c.env.remoteAddr, ip: c.req.raw.ip, inst: c.req.raw instanceof Request, url: c.req.url }));
app.get('/clone', async (c) => { const r = new Request(c.req.raw); const r2 = c.req.raw.clone(); return c.json({ m: r.method, u: r.url, h: r.headers.get('x-a'), m2: r2.method }); });
app.get('/cookies', (c) => { c.header('set-cookie', 'a=1', { append: true }); c.header('set-cookie', 'b=2', { append: true }); return c.text('ok'); });
app.get('/status', () => new Response('x', { status: 201, statusText: 'Made It' }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
const base = `http://127.0.0.1:${server.port}`;
for (const p of ['/', '/json', '/info', '/clone', '/cookies', '/status', '/err', '/nope']) {
  const r = await fetch(base + p, { headers: { 'x-a': 'A' } });
  console.log(p, r.status, r.statusText, JSON.stringify([...r.headers]), await r.text());
}
const r = await fetch(base + '/echo', { method: 'POST', body: JSON.stringify({ q: 2 }), headers: { 'content-type': 'application/json' } });
console.log('/echo', r.status, await r.text());
const s = await fetch(base + '/sse');
console.log('/sse', s.status, [...s.headers], await s.text());
await server.close();
