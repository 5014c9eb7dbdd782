// Request-body decompression (Content-Encoding: gzip / deflate / br uploads) with a cap on the decoded size. Key
// decisions: the body is decoded as the app reads it, 16 KiB at a time, so a zip bomb costs one output buffer of
// memory; past the cap the body Source throws RequestError('BODY_TOO_LARGE'), which this middleware answers with
// 413 itself when the app lets it propagate before responding (after the head has gone out, the engine can only
// close the connection). A coding we cannot decode is a 415 (RFC 9110 §15.5.16) naming the ones we can.
import {
  type Conduit,
  type Source,
  type ZlibError,
  type EngineSpec,
  sharedEnginePool,
  type EnginePool,
  DEFAULT_OUTPUT_CHUNK_BYTES,
  zlibConduit,
} from '../conduit/index.js';
import { RequestError, respond, type Application, type Middleware, type Response } from '../server/index.js';
import { viewRequest } from './request-view.js';

/** How decompress() behaves. */
export interface DecompressOptions {
  /** Largest decoded body accepted, in bytes (413 past it). Default 10 MiB. */
  readonly maxBytes?: number;
  /** Most content codings stacked on one body (`gzip, gzip, ...`); more is a 415. Default 2. */
  readonly maxCodings?: number;
  /** Where engines come from. Default: the process-wide pool. */
  readonly pool?: EnginePool;
}

/** Default cap on a decoded request body. */
export const DEFAULT_MAX_DECODED_BYTES = 10 * 1024 * 1024;

/** The codings decompress() decodes, as sent in a 415's Accept-Encoding. */
export const DECODABLE_CODINGS = 'gzip, deflate, br';

const DECODERS: Readonly<Record<string, EngineSpec>> = {
  gzip: { kind: 'gunzip' },
  'x-gzip': { kind: 'gunzip' },
  deflate: { kind: 'inflate' },
  br: { kind: 'unbrotli' },
};

/** The decoders for a Content-Encoding value, in the order to apply them (the reverse of the listed order,
 * RFC 9110 §8.4), or null when one is unknown. `identity` members are skipped. */
export function decodersFor(contentEncoding: string): EngineSpec[] | null {
  const out: EngineSpec[] = [];
  for (const member of contentEncoding.split(',')) {
    const coding = member.trim().toLowerCase();
    if (coding === '' || coding === 'identity') continue;
    const spec = DECODERS[coding];
    if (spec === undefined) return null;
    out.unshift(spec);
  }
  return out;
}

/**
 * Decodes compressed request bodies for the app: it sees the decoded bytes, with Content-Encoding and
 * Content-Length removed. A decoded size over `maxBytes` answers 413, corrupt data 400, an unknown coding 415.
 */
export function decompress(options: DecompressOptions = {}): Middleware {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DECODED_BYTES;
  const maxCodings = options.maxCodings ?? 2;
  const pool = options.pool ?? sharedEnginePool;
  return (app: Application): Application => (req) => {
    const encoding = req.head.contentEncoding;
    if (encoding === null) return app(req);
    const decoders = decodersFor(encoding);
    if (decoders === null || decoders.length > maxCodings) {
      return respond(415, { 'content-type': 'text/plain; charset=utf-8', 'accept-encoding': DECODABLE_CODINGS, connection: 'close' },
        'unsupported content coding\n');
    }
    if (decoders.length === 0) return app(req);
    const failures = new WeakSet<object>();
    let body: Source<Uint8Array> = req.body;
    for (const spec of decoders) body = body.pipe(decoder(spec, maxBytes, pool, failures));
    const view = viewRequest(req, { body, dropFields: ['content-encoding', 'content-length'] });
    let res: Response | Promise<Response>;
    try {
      res = app(view);
    } catch (e) {
      return answerFailure(e, failures);
    }
    return res instanceof Promise ? res.catch((e: unknown) => answerFailure(e, failures)) : res;
  };
}

function decoder(spec: EngineSpec, maxBytes: number, pool: EnginePool, failures: WeakSet<object>): Conduit<Uint8Array, Uint8Array> {
  const limit = {
    maxBytes,
    error: (n: number): Error => mark(new RequestError('BODY_TOO_LARGE', `decoded request body exceeds ${n} bytes`), failures),
  };
  const mapError = (e: ZlibError): Error => mark(e, failures);
  return zlibConduit({ spec, pool, chunkBytes: DEFAULT_OUTPUT_CHUNK_BYTES, limit, mapError }) as Conduit<Uint8Array, Uint8Array>;
}

function mark(e: Error, failures: WeakSet<object>): Error {
  failures.add(e);
  return e;
}

/** 413 / 400 for a failure our decoders raised (possibly wrapped by the app as a cause); anything else rethrown. */
function answerFailure(error: unknown, failures: WeakSet<object>): Response {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (!failures.has(e)) continue;
    // The rest of the upload is unread: close after answering (RFC 9112 §9.6).
    if (e instanceof RequestError) return respond.text(413, 'decoded request body too large\n', { connection: 'close' });
    return respond.text(400, `bad ${String((e as ZlibError).code)} in request body content coding\n`, { connection: 'close' });
  }
  throw error;
}
