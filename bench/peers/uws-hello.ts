// uWebSockets.js HTTP peer (npm repack `uwebsockets`): "Hello, World!" as text/plain, keep-alive, on 127.0.0.1.
import { createRequire } from 'node:module';
import type { UwsModule } from './uws-types.js';

const uws = createRequire(import.meta.url)('uwebsockets') as UwsModule;
const port = Number(process.env.PORT ?? 8080);
uws.App().get('/*', (res) => {
  res.writeHeader('content-type', 'text/plain').end('Hello, World!');
}).listen('127.0.0.1', port, (token) => {
  if (!token) {
    console.error(`uws-hello: cannot listen on ${port}`);
    process.exit(1);
  }
});
