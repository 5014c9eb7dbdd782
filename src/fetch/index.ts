// sluice/fetch: web-standard handlers on Sluice. Converts at the edge: the engine's types never mention Request or
// Response. The global Request is never replaced; the global Response becomes a subclass of undici's own that defers
// its body stream (lazy-response.ts) unless overrideGlobalObjects is false.

// ** Serving a fetch handler
export { serve } from './serve.js';
export type { FetchServeOptions, FetchServer } from './serve.js';
export { fromFetch } from './fetch-app.js';
export type { FetchHandler, FetchOptions } from './fetch-app.js';

// ** WebSockets (Bun's server.upgrade, publish, subscriberCount)
export type { FetchUpgradeOptions } from './websocket-server.js';

// ** What the handler gets besides the request
export { ServeInfo } from './client-address.js';
export type { NetAddr, SocketAddress } from './client-address.js';
