// The application contract: Application = (req) => Response | Promise<Response>; Middleware = (app) => app.
import type { Source } from '../conduit/index.js';
import type { Flushable } from '../conduit/flush.js';
import type { ResponseHeaders } from './response-head.js';
import type { Request } from './request.js';

export type { ResponseHeaders };

/** A response body stream: byte chunks and Flush markers (Flush pushes what is buffered to the socket now). */
export type BodySource = Source<Flushable<Uint8Array>>;

/** A byte range of a file, end exclusive. */
export interface FileRange {
  readonly start: number;
  readonly end: number;
}

/** What an application answers. Build them with respond(), respond.file(), respond.stream(). */
export type Response =
  | {
      readonly kind: 'bytes';
      readonly status: number;
      readonly headers: ResponseHeaders;
      /** The whole body (empty for none). */
      readonly body: Uint8Array;
    }
  | {
      readonly kind: 'stream';
      readonly status: number;
      readonly headers: ResponseHeaders;
      /** The body, pulled with backpressure; framed by `length` when known, else chunked (HTTP/1.1) or close (1.0). */
      readonly body: BodySource;
      readonly length: number | null;
    }
  | {
      readonly kind: 'file';
      readonly status: number;
      readonly headers: ResponseHeaders;
      /** Absolute or cwd-relative path; sent with sendfile from the fd cache. */
      readonly path: string;
      /** The part to send (a 206 body); null for the whole file. */
      readonly range: FileRange | null;
    };

/** An HTTP application. */
export type Application = (req: Request) => Response | Promise<Response>;

/** Wraps an application: `(app) => app`. */
export type Middleware = (app: Application) => Application;
