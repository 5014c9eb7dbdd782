// HEAD answered by the GET handler (RFC 9110 §9.3.2: HEAD is GET without the content). Key decision: the app sees
// a GET and its response goes back untouched: the engine sends the head only (same Content-Length for bytes and
// files) and never runs a body Source for HEAD, so a streamed body is never built and acquires nothing.
import type { Application, Middleware } from '../server/index.js';
import { viewRequest } from './request-view.js';

/**
 * Serves HEAD requests with the app's GET handler; the body is dropped unproduced by the engine. List it before
 * gzip() in compose(), so HEAD reports the Content-Encoding and Content-Length a GET would get.
 */
export function autohead(): Middleware {
  return (app: Application): Application => (req) => (req.method === 'HEAD' ? app(viewRequest(req, { method: 'GET' })) : app(req));
}
