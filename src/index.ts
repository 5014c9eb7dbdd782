// sluice: a Warp-style HTTP/1.1 server on a conduit pull-stream library and native syscalls.

// ** The engine
export * from './server/index.js';

// ** WebSocket (the full API is in 'sluice/websocket'): respond.upgrade(req, handler, options?) answers with one
export { respond, upgradeWebSocket, isWebSocketUpgrade, ServerWebSocket, Topics, defaultTopics, CloseCodes } from './websocket/index.js';
export type { Respond, RespondUpgrade, WebSocketHandler, UpgradeOptions, PerMessageDeflateOptions } from './websocket/index.js';

// ** Web-standard handlers: serve({ fetch }) beside serve(settings, app), and fromFetch(handler)
export { serve, fromFetch, ServeInfo, FastResponse } from './fetch/index.js';
export type { FetchServeOptions, FetchServer, ServerAliases, FetchUpgradeOptions, FetchHandler, FetchOptions, NetAddr, SocketAddress } from './fetch/index.js';

// ** Middleware
export * from './middleware/index.js';

// ** Streams (the full library is in 'sluice/conduit')
export {
  Source, Conduit, Sink, Pipeline, run, connect, ResumableSource, source, conduit, sink, END, FLUSH, isFlush,
  fromArray, fromIterable, fromAsyncIterable, of, empty, map, mapAsync, filter, take, fold, sinkList, bracketSource,
  concatBytes, awaitForever, withCleanup,
} from './conduit/index.js';
export type { Flush, Flushable } from './conduit/index.js';
