// Echo: the request body Source goes straight back out as the response body (streamed, bounded memory).
import { respond, serve, type ResponseHeaders } from '../src/index.js';

const server = serve({ port: Number(process.env.PORT ?? 3000) }, (req) => {
  const length = req.head.contentLength;
  const headers: ResponseHeaders = { 'content-type': 'application/octet-stream' };
  if (length >= 0) headers['content-length'] = length;
  return respond(200, headers, req.body);
});
console.log(`echo listening on http://localhost:${server.port}/ (POST a body)`);
// Graceful: in-flight requests finish, then the process exits.
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
