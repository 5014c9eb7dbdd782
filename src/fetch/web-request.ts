// The Request a fetch handler receives: `instanceof Request`, built lazily. method, url and headers cost nothing
// until read, body is a stream only when asked for (never for GET/HEAD), and the runtime's own Request is created
// only for what needs it (clone, formData, fetch(request), ...). Every other member delegates to that real Request,
// and where the runtime keeps its state under symbols (undici in Node 20/22) those are forwarded too, so undici's own
// code sees a real request (request-delegation.ts).
import type { Request as EngineRequest } from '../server/index.js';
import { bodyStream, readBody, type BodyErrorContext } from './request-body.js';
import { isDisturbed } from './response-body.js';
import { requestUrl } from './request-url.js';
import { REQUEST_INTERNALS } from './undici-internals.js';
import { callReal, delegateToReal } from './request-delegation.js';
import { clientGoneReason } from './abort-reason.js';

const NativeRequest = globalThis.Request;

/** Methods a Request normalizes to upper case (Fetch §2.2.1 "normalize a method"). */
const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
/** Methods undici refuses to construct a Request with (Fetch "forbidden method"); they still reach the handler. */
const FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK']);

function normalizeMethod(method: string): string {
  if (method === 'GET' || method === 'POST') return method;
  const upper = method.toUpperCase();
  return NORMALIZED.has(upper) ? upper : method;
}

/** What the adapter tells a lazy request about the exchange it belongs to. */
export interface ExchangeHooks {
  /** The request body failed with `error` (so the adapter can tell a body failure from a handler bug). */
  bodyFailed(error: unknown): void;
  /** Keeps work the handler started beyond its response (request.waitUntil). */
  waitUntil(promise: PromiseLike<unknown>): void;
}

/** A fetch Request over an engine request; see the file header. */
export class LazyRequest {
  #engine: EngineRequest;
  #origin: string;
  #hooks: ExchangeHooks;
  #url: string | null = null;
  #headers: Headers | null = null;
  /** Our body stream: undefined until asked for, null for a bodiless method. */
  #body: ReadableStream<Uint8Array> | null | undefined = undefined;
  #real: Request | null = null;
  /** The real Request got a stand-in body (ours was already used): body/bodyUsed answer from ours. */
  #standIn = false;
  /** The body was read whole by text()/json()/arrayBuffer()/bytes() without a stream (the fast path). */
  #consumed = false;
  #controller: AbortController | null = null;
  #onAbort: (() => void) | null = null;
  /** The response went out whole: the signal no longer follows the connection. */
  #settled = false;
  #waitUntil: ((promise: PromiseLike<unknown>) => void) | null = null;

  constructor(engine: EngineRequest, origin: string, hooks: ExchangeHooks) {
    this.#engine = engine;
    this.#origin = origin;
    this.#hooks = hooks;
  }

  /** The method, normalized as a Request normalizes it (get -> GET, PATCH kept). */
  get method(): string {
    return normalizeMethod(this.#engine.method);
  }

  /** The absolute URL (WHATWG-serialized, as `new Request(url).url` would give). */
  get url(): string {
    return (this.#url ??= requestUrl(this.#engine.head, this.#origin));
  }

  /** A real Headers with every request field, built on first read. */
  get headers(): Headers {
    if (this.#headers === null) this.#headers = this.#real !== null ? this.#real.headers : headersOf(this.#engine);
    return this.#headers;
  }

  /** The body as a ReadableStream fed from the connection with backpressure; null for GET and HEAD. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#real !== null && !this.#standIn) return this.#real.body;
    if (this.#body === undefined) {
      if (!this.#hasBody()) this.#body = null;
      // Read whole by the fast path: what is left is a used (disturbed) stream, as a real Request would show.
      else if (this.#consumed) this.#body = usedStream();
      else this.#body = bodyStream(this.#engine.body, this.#errorContext());
    }
    return this.#body;
  }

  /** Whether the body has been read (or cancelled). */
  get bodyUsed(): boolean {
    if (this.#real !== null && !this.#standIn) return this.#real.bodyUsed;
    if (this.#consumed) return true;
    const body = this.#body;
    return body !== null && body !== undefined && isDisturbed(body);
  }

  /** Aborted (with an AbortError whose code is ECONNRESET: abort-reason.ts) when the client goes away before the response is sent. */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      const controller = new AbortController();
      this.#controller = controller;
      if (!this.#settled) {
        const connection = this.#engine.signal;
        if (connection.aborted) controller.abort(clientGoneReason(connection.reason));
        else {
          this.#onAbort = () => controller.abort(clientGoneReason(connection.reason));
          connection.addEventListener('abort', this.#onAbort, { once: true });
        }
      }
    }
    return this.#controller.signal;
  }

  /** The body as text (UTF-8, a BOM dropped); read straight from the connection when nothing else touched it. */
  text(): Promise<string> {
    return this.#readWhole('text', (bytes) => UTF8.decode(bytes)) as Promise<string>;
  }

  /** The body parsed as JSON. */
  json(): Promise<unknown> {
    return this.#readWhole('json', (bytes) => JSON.parse(UTF8.decode(bytes)) as unknown);
  }

  /** The body's bytes in a fresh ArrayBuffer. */
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#readWhole('arrayBuffer', (bytes) => new Uint8Array(bytes).buffer) as Promise<ArrayBuffer>;
  }

  /** The body's bytes. */
  bytes(): Promise<Uint8Array> {
    return this.#readWhole('bytes', (bytes) => new Uint8Array(bytes)) as Promise<Uint8Array>;
  }

  /** The client's IP address (srvx's `request.ip`), or undefined when unknown. */
  get ip(): string | undefined {
    return this.#engine.remote?.address;
  }

  /**
   * srvx's `request.waitUntil(promise)` (Cloudflare's ctx.waitUntil): work that may outlive the response; a rejection
   * is reported to onException, and the server's close() waits for it. A function of its own, so it works detached.
   */
  get waitUntil(): (promise: PromiseLike<unknown>) => void {
    const hooks = this.#hooks;
    return (this.#waitUntil ??= (promise) => hooks.waitUntil(promise));
  }

  #hasBody(): boolean {
    const method = this.method;
    return method !== 'GET' && method !== 'HEAD';
  }

  #errorContext(): BodyErrorContext {
    return { connectionSignal: this.#engine.signal, onError: (e) => this.#hooks.bodyFailed(e) };
  }

  /**
   * Fast path for the whole-body readers: with no stream opened and no real Request made, the body Source is read
   * into one buffer directly (no ReadableStream, no Request). Otherwise the real Request answers, as it would.
   */
  #readWhole(name: 'text' | 'json' | 'arrayBuffer' | 'bytes', finish: (bytes: Buffer) => unknown): Promise<unknown> {
    if (this.#real !== null || this.#body !== undefined || this.#consumed) return callReal(() => LazyRequest.materialize(this), name);
    if (!this.#hasBody()) return Promise.resolve(EMPTY_BODY).then(finish);
    this.#consumed = true;
    return readBody(this.#engine.body, this.#errorContext()).then(finish);
  }

  /** The response has gone out whole: from now on a closing connection is not an abort of this request. */
  static settle(request: LazyRequest): void {
    request.#settled = true;
    if (request.#onAbort !== null) {
      request.#engine.signal.removeEventListener('abort', request.#onAbort);
      request.#onAbort = null;
    }
  }

  /** The exchange hooks of a request this adapter made, or null for anything else (another Request, a clone). */
  static hooksOf(x: unknown): ExchangeHooks | null {
    return typeof x === 'object' && x !== null && #hooks in x ? (x as LazyRequest).#hooks : null;
  }

  /** The body stream if the handler asked for one (so the adapter can cancel what it left unread), else null. */
  static openedBody(request: LazyRequest): ReadableStream<Uint8Array> | null {
    return request.#body ?? null;
  }

  /** The runtime's own Request for this one, created on first need. */
  static materialize(request: LazyRequest): Request {
    return request.#real ?? request.#createReal();
  }

  #createReal(): Request {
    const method = this.method;
    const forbidden = FORBIDDEN.has(method.toUpperCase());
    let body = this.body;
    if (body !== null && (this.#consumed || body.locked || isDisturbed(body))) {
      // Already read: the real Request gets a used stand-in, so its reads fail "Body is unusable" as they should.
      this.#standIn = true;
      body = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    }
    const init: RequestInit & { duplex?: 'half' } = {
      method: forbidden ? (body === null ? 'GET' : 'POST') : method,
      headers: this.headers,
      body,
      signal: this.signal,
    };
    if (body !== null) init.duplex = 'half';
    const real = new NativeRequest(this.url, init);
    if (this.#standIn && body !== null) void body.getReader().read();
    // A forbidden method still reaches the handler (RFC 9110 §9.1: any token): the real request carries it too.
    if (forbidden && REQUEST_INTERNALS !== null) (real as unknown as Record<symbol, { method: string }>)[REQUEST_INTERNALS.state]!.method = method;
    this.#real = real;
    return real;
  }
}

const UTF8 = new TextDecoder();
const EMPTY_BODY = Buffer.alloc(0);

/** A stream that has been read to its end: what a used body looks like (disturbed, not locked). */
function usedStream(): ReadableStream<Uint8Array> {
  const stream = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const reader = stream.getReader();
  void reader.read().then(() => reader.releaseLock());
  return stream;
}

/** A real Headers holding every field line in order (repeated names combined as Headers combines them). */
function headersOf(engine: EngineRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of engine.head.headers) headers.append(name, value);
  return headers;
}

delegateToReal(LazyRequest.prototype, (request) => LazyRequest.materialize(request as LazyRequest));
