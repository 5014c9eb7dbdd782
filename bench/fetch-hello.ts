// Hello as a web-standard fetch handler on Sluice (serve({ fetch })): the 13-byte keep-alive response, so the fetch
// adapter's cost shows against Sluice's own Application hello (examples/hello.ts). SLUICE_RESPONSE picks the Response:
// unset, the runtime's own global (undici's, the default: Sluice replaces no global); 'fast', Sluice's FastResponse by
// name; 'override', the global replaced by FastResponse (overrideGlobalObjects: true).
import { FastResponse, serve } from '../src/index.js';

const kind = process.env.SLUICE_RESPONSE;
const R = kind === 'fast' ? FastResponse : globalThis.Response;
const init = { headers: { 'content-type': 'text/plain' } };
const server = serve({
  // The global is read per request, as an app's `new Response` reads it, so 'override' gets the installed class.
  fetch: kind === 'fast' ? () => new R('Hello, World!', init) : () => new Response('Hello, World!', init),
  port: Number(process.env.PORT ?? 8080),
  hostname: '127.0.0.1',
  overrideGlobalObjects: kind === 'override',
});
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
