// Hello as a web-standard fetch handler on Sluice (serve({ fetch })): the 13-byte keep-alive response, built with
// the global Response, so the fetch adapter's cost shows against Sluice's own Application hello (examples/hello.ts).
import { serve } from '../src/index.js';

const server = serve({
  fetch: () => new Response('Hello, World!', { headers: { 'content-type': 'text/plain' } }),
  port: Number(process.env.PORT ?? 8080),
  hostname: '127.0.0.1',
  // SLUICE_OVERRIDE_GLOBALS=0: undici's own Response, for comparison (bench/fetch-pinned.ts).
  overrideGlobalObjects: process.env.SLUICE_OVERRIDE_GLOBALS !== '0',
});
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
