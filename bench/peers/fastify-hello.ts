// fastify hello peer: the popular framework on top of node:http (logger off, as in its own benchmarks).
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 8080);
const app = Fastify({ logger: false });
app.get('/', (_req, reply) => {
  reply.header('Content-Type', 'text/plain').send('Hello, World!');
});
await app.listen({ port, host: '127.0.0.1' });
