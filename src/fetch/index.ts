// sluice/fetch: web-standard handlers on Sluice. Converts at the edge: the engine's types never mention Request or
// Response. The global Request and Response are never replaced unless the app sets overrideGlobalObjects: then the
// global Response becomes FastResponse, a subclass of undici's own that defers its body stream (lazy-response.ts).
import { fastResponse } from './global-response.js';

// ** Serving a fetch handler
export { serve } from './serve.js';
export type { FetchServeOptions, FetchServer, ServerAliases } from './serve.js';
export { fromFetch } from './fetch-app.js';
export type { FetchHandler, FetchOptions } from './fetch-app.js';

/** `new FastResponse(body, init)` is `instanceof Response` and behaves as one; the server sends it without a stream. */
export const FastResponse: typeof Response = fastResponse();

// ** WebSockets (Bun's server.upgrade, publish, subscriberCount)
export type { FetchUpgradeOptions } from './websocket-server.js';

// ** What the handler gets besides the request
export { ServeInfo } from './client-address.js';
export type { NetAddr, SocketAddress } from './client-address.js';
