// Echo: the request body Source goes straight back out as the response body (streamed, bounded memory).
import { respond, serve, type ResponseHeaders } from '../src/index.js';

const server = serve({ port: Number(process.env.PORT ?? 3000) }, (req) => {
  const length = req.head.contentLength;
  const headers: ResponseHeaders = { 'content-type': 'application/octet-stream' };
  if (length >= 0) headers['content-length'] = length;
  return respond(200, headers, req.body);
});
console.log(`echo listening on http://localhost:${server.port}/ (POST a body)`);
process.on('SIGTERM', () => void server.close());
process.on('SIGINT', () => void server.close());
