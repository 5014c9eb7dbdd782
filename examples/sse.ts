// Server-sent events: a Source of events, each followed by FLUSH so it reaches the client at once (gzip included).
import { FLUSH, respond, serve, source } from '../src/index.js';
import { setTimeout as sleep } from 'node:timers/promises';

function ticks(count: number) {
  return source<Uint8Array | typeof FLUSH>(function* (io) {
    for (let i = 1; i <= count; i++) {
      yield* io.emit(Buffer.from(`id: ${i}\ndata: tick ${i} at ${new Date().toISOString()}\n\n`));
      yield* io.emit(FLUSH);
      if (i < count) yield* io.await(sleep(1000));
    }
  });
}

const server = serve({ port: Number(process.env.PORT ?? 3000) }, () =>
  respond(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, ticks(10)));
console.log(`sse listening on http://localhost:${server.port}/ (curl -N)`);
// Graceful: in-flight requests finish, then the process exits.
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
