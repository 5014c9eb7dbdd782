// sluice/server: the Warp-style HTTP/1.1 engine.

// ** Serving
export { serve, Server } from './server.js';
export type { Settings, RequestLog } from './settings.js';
export { DEFAULT_SETTINGS, resolveSettings, defaultOnException } from './settings.js';
export { checkTrustedProxy } from './trusted-proxies.js';
export { OptionError, checkKnownKeys, nearestKey } from './option-error.js';
export type { OptionErrorCode } from './option-error.js';

// ** HTTPS
export type { TlsSettings, TlsCertificate, PemSource } from './tls-settings.js';
export { checkTlsSettings } from './tls-settings.js';
export { TlsError, plainHttpReply } from './tls-context.js';
export type { TlsErrorCode } from './tls-context.js';
export { rotateTicketKeys, TICKET_KEY_ROTATION_MS } from './tls-tickets.js';

// ** Listening
export { HostResolutionError, resolveListenHost, openListeners, closeListeners, describeListenError, LOOPBACK_ADDRESSES } from './listen.js';
export type { ListenAddress, ListenSpec, Listeners } from './listen.js';
export { AcceptError, ACCEPT_ERROR_INTERVAL_MS } from './accept-errors.js';

// ** Requests and responses
export { Request } from './request.js';
export type { RequestHead } from './request-head.js';
export type { RemoteInfo, RemoteEndpoint } from './remote.js';
export { parseEndpoint } from './remote.js';
export { respond, declaredLength } from './response.js';
export type { BodyInit } from './response.js';
export { pushCopies, type ChunkSink, type ReceiveCopier } from './receive-copy.js';
export type { Application, Middleware, Response, BodySource, FileRange, ResponseHeaders, UpgradeResponse, UpgradedIO, UpgradedListener } from './types.js';
export type { Transport, TransportInfo } from './transport.js';
export { REASON_PHRASE } from './response-head.js';

// ** Errors
export { RequestError, ResponseError, errorResponse, statusOf, reasonPhraseOf } from './errors.js';
export type { RequestErrorCode, ResponseErrorCode } from './errors.js';
export { ConnectionError, isPeerGone } from './connection-error.js';
export type { ConnectionErrorCode } from './connection-error.js';

// ** File caches (shared with the static file app)
export { fileCaches, closeFileCaches } from './file-caches.js';
export { isOutOfDescriptors } from './send-response.js';
export type { FileCaches } from './file-caches.js';
export type { FileInfo, DirInfo, FileStat, EtagStrength } from './file-info-cache.js';
export { FileInfoCache, makeEtag } from './file-info-cache.js';
export { FdCache } from './fd-cache.js';
export type { FdLease } from './fd-cache.js';

// ** The native addon, for protocol layers' hot loops (a WebSocket's unmask)
export { loadNative } from '../native/index.js';
export type { NativeBytes, NativeAddon, NativeBinding } from '../native/index.js';

// ** Wire helpers
export { DateCache, formatHttpDate, parseHttpDate, DATE_VALUE_LENGTH } from './date.js';
