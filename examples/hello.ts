// Hello world: the 13-byte keep-alive benchmark response. `npm run example hello`, then curl localhost:3000.
import { respond, serve } from '../src/index.js';

const HELLO = Buffer.from('Hello, World!');
const server = serve({ port: Number(process.env.PORT ?? 3000) }, () => respond(200, { 'content-type': 'text/plain' }, HELLO));
console.log(`hello listening on http://localhost:${server.port}/`);
// Graceful: in-flight requests finish, then the process exits.
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
