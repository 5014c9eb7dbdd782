// sluice/middleware: Middleware = (app) => app.

// ** Composition
export { compose } from './compose.js';

// ** Static files
export { staticFiles, serveStatic, StaticRootError } from './static/static-files.js';
export type { StaticOptions, DotfilePolicy, SymlinkPolicy } from './static/static-options.js';
export { isHashedName, IMMUTABLE_CACHE_CONTROL } from './static/cache-control.js';
export type { CacheControlOptions } from './static/cache-control.js';
export { renderListingHtml, escapeHtml } from './static/listing.js';
export { evaluateConditionals } from './static/conditionals.js';
export type { ListingEntry } from './static/listing.js';

// ** Site-wide policies: CORS, HTTP Basic auth, fixed response headers
export { cors } from './cors.js';
export type { CorsOptions } from './cors.js';
export { basicAuth, parseUserPassword } from './basic-auth.js';
export type { BasicAuthOptions } from './basic-auth.js';
export { setHeaders, parseHeaderLine, collectHeaderLines, RESERVED_FIELDS } from './set-headers.js';

// ** Compression (gzip, br), HEAD, request-body decoding, access logs
export { gzip, planCompression, encodedHeaders } from './gzip.js';
export type { GzipOptions, CompressionPlan, FileCompression } from './gzip.js';
export { compressConduit, gzipConduit, compressBytes } from '../conduit/index.js';
export type { Coding, CompressOptions } from '../conduit/index.js';
export { negotiateEncoding, parseAcceptEncoding } from './accept-encoding.js';
export type { EncodingChoice, CodingWeight } from './accept-encoding.js';
export { isCompressible } from './compressible.js';
export { createEnginePool } from '../conduit/index.js';
export type { EnginePool } from '../conduit/index.js';
export type { EngineSpec } from '../conduit/index.js';
export { autohead } from './autohead.js';
export { decompress } from './decompress.js';
export type { DecompressOptions } from './decompress.js';
export { accessLog, logger, countBytes } from './logger.js';
export type { AccessLog, LoggerOptions, LoggingMiddleware, LogControl } from './logger.js';
export { formatCombined, formatJson } from './log-format.js';
export type { LogEntry, LogFormat } from './log-format.js';

// ** Operations behind a load balancer: readiness and Prometheus metrics
export { serverMetrics, healthCheck, addMetrics, isMetricsSnapshot, renderMetrics, NO_METRICS } from './server-metrics.js';
export type { ServerMetrics, MetricsSnapshot } from './server-metrics.js';
