// Response compression middleware (gzip, optionally br). Key decisions: the decision is a pure function of the
// request and response (planCompression); bodies in memory are compressed in one sync call and keep a
// Content-Length, streams go through a Conduit that honours Flush; files keep sendfile unless told otherwise.
import type { Request, Application, Middleware, Response, ResponseHeaders } from '../server/index.js';
import { createNegotiator } from './accept-encoding.js';
import { isCompressible } from './compressible.js';
import {
  compressBytes,
  compressConduit,
  specOf,
  type Coding,
  type CompressOptions,
  fromArray,
} from '../conduit/index.js';
import { compressFile, type FileCompression } from './gzip-files.js';
import { editFields, fieldValue, listsToken, varyWithAcceptEncoding, weakenEtag } from './response-fields.js';

export type { FileCompression } from './gzip-files.js';

/** How gzip() behaves; every field is optional. */
export interface GzipOptions extends CompressOptions {
  /** Codings offered, in server preference (ties in the client's q go to the earlier). Default ['gzip', 'br']. */
  readonly encodings?: readonly Coding[];
  /** In-memory bodies smaller than this are sent as they are (the header overhead would eat the gain). Default 1024. */
  readonly threshold?: number;
  /** Which Content-Types to compress. Default isCompressible (text/*, JSON, XML, JavaScript, SVG, wasm...). */
  readonly compressible?: (contentType: string | undefined) => boolean;
  /** In-memory bodies up to this size are compressed in one call; larger ones are streamed. Default 1 MiB. */
  readonly inlineMaxBytes?: number;
  /** File responses: keep sendfile ('ignore', the default), precompressed siblings, on the fly, or a cache folder. */
  readonly files?: FileCompression;
}

/** What to do with one response. */
export type CompressionPlan =
  /** Leave it exactly as it is (it can never be compressed by us, so it does not vary). */
  | { readonly kind: 'pass' }
  /** Do not compress this time, but add `Vary: Accept-Encoding`: another request could get it compressed. */
  | { readonly kind: 'vary' }
  /** Compress with this coding. */
  | { readonly kind: 'compress'; readonly coding: Coding };

/** Default minimum body size for compression (bytes). */
export const DEFAULT_THRESHOLD = 1024;
/** Default largest in-memory body compressed in a single synchronous call (larger ones stream in pieces). */
export const DEFAULT_INLINE_MAX_BYTES = 1024 * 1024;

const PASS: CompressionPlan = Object.freeze({ kind: 'pass' as const });
const VARY: CompressionPlan = Object.freeze({ kind: 'vary' as const });

/** Decides what gzip() does with a response; pure (exported for tests and for callers building their own). */
export function planCompression(req: Request, res: Response, options: GzipOptions = {},
  negotiate = createNegotiator(options.encodings ?? ['gzip', 'br'])): CompressionPlan {
  const status = res.status;
  // RFC 9110 §15.3.5/§15.2: 204 and 1xx have no content.
  if (status < 200 || status === 204) return PASS;
  const headers = res.headers;
  // The app did its own content coding (and its own Vary); identity means none (RFC 9110 §8.4.1).
  const encoding = fieldValue(headers, 'content-encoding');
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return PASS;
  // RFC 9111 §5.2.2.6: no-transform forbids changing the content coding.
  if (listsToken(fieldValue(headers, 'cache-control'), 'no-transform')) return PASS;
  if (!(options.compressible ?? isCompressible)(fieldValue(headers, 'content-type'))) return PASS;
  if (res.kind === 'file' && (options.files ?? IGNORE_FILES).kind === 'ignore') return PASS;
  // HEAD has no body to encode; 304 carries no body but must repeat Vary (RFC 9110 §15.4.5); 206 is a range of the
  // identity bytes (we never compress a range).
  if (req.method === 'HEAD' || status === 304 || status === 206 || res.kind === 'file' && res.range !== null) return VARY;
  const choice = negotiate(req.head.acceptEncoding);
  if (choice.kind !== 'coding') return VARY;
  const size = res.kind === 'bytes' ? res.body.byteLength : res.kind === 'stream' ? res.length : null;
  // A stream of unknown length is compressed: it is usually long-lived or large (SSE, exports).
  if (size !== null && size < (options.threshold ?? DEFAULT_THRESHOLD)) return VARY;
  return { kind: 'compress', coding: choice.coding as Coding };
}

const IGNORE_FILES: FileCompression = Object.freeze({ kind: 'ignore' as const });

/**
 * Compresses responses for clients that accept it (RFC 9110 §12.5.3). Adds or extends `Vary: Accept-Encoding` on
 * every response it could have compressed, drops Content-Length for streams, and weakens the ETag when it
 * compresses (the bytes differ, so a strong validator would lie, RFC 9110 §8.8.3). Streams keep their Flush
 * points: each Flush sync-flushes zlib, so server-sent events arrive one by one.
 */
export function gzip(options: GzipOptions = {}): Middleware {
  // Validate levels now, not on the first request.
  for (const coding of options.encodings ?? ['gzip', 'br']) specOf(coding, options);
  const negotiate = createNegotiator(options.encodings ?? ['gzip', 'br']);
  const inlineMax = options.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
  const fileOptions = { ...options, threshold: options.threshold ?? DEFAULT_THRESHOLD };
  return (app: Application): Application => (req) => {
    const res = app(req);
    return res instanceof Promise ? res.then((r) => apply(req, r)) : apply(req, res);
  };

  function apply(req: Request, res: Response): Response | Promise<Response> {
    const plan = planCompression(req, res, options, negotiate);
    if (plan.kind === 'pass') return res;
    if (plan.kind === 'vary') return { ...res, headers: editFields(res.headers, { vary: varyWithAcceptEncoding(fieldValue(res.headers, 'vary')) }) };
    const headers = encodedHeaders(res.headers, plan.coding);
    switch (res.kind) {
      case 'bytes':
        if (res.body.byteLength <= inlineMax) return { kind: 'bytes', status: res.status, headers, body: compressBytes(plan.coding, res.body, options) };
        return { kind: 'stream', status: res.status, headers, body: fromArray([res.body]).pipe(compressConduit(plan.coding, options)), length: null };
      case 'stream':
        return { kind: 'stream', status: res.status, headers, body: res.body.pipe(compressConduit(plan.coding, options)), length: null };
      case 'file':
        return compressFile(res, plan.coding, headers, options.files ?? IGNORE_FILES, fileOptions);
      default:
        // An upgrade hands the connection to another protocol: there is no body to encode.
        return res;
    }
  }
}

/** The headers of the encoded representation: Content-Encoding set, Content-Length dropped, Vary extended, ETag weak. */
export function encodedHeaders(headers: ResponseHeaders, coding: Coding): ResponseHeaders {
  const etag = fieldValue(headers, 'etag');
  return editFields(headers, {
    'content-encoding': coding,
    'content-length': null,
    vary: varyWithAcceptEncoding(fieldValue(headers, 'vary')),
    ...(etag === undefined ? {} : { etag: weakenEtag(etag) }),
  });
}
