// What a connection's protocol loops need from their server (the Server implements it): settings, the app, the
// file caches, the clock and the reactor, and whether a graceful shutdown has begun.
import type { ConnectionOwner } from './connection.js';
import type { FileCaches } from './file-caches.js';
import type { WriterContext } from './response-writer.js';
import type { Settings } from './settings.js';
import type { Application } from './types.js';

/** Everything the per-connection loops need from their server. */
export interface Engine extends WriterContext, ConnectionOwner {
  readonly settings: Settings;
  readonly app: Application;
  readonly files: FileCaches;
  /** True once graceful shutdown began: finish in-flight requests with Connection: close. */
  readonly shuttingDown: boolean;
}
