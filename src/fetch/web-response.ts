// A fetch Response as the engine's Response, converted at the edge. Fastest path: a LazyResponse (the global Response
// while installed) that nothing has asked undici for yet is its status, field lines and body source, converted in one
// pass. Fast path (undici's own Response, a subclass included): status, headers and the body's source are read from
// its state in one pass, so `new Response('hello')` and `Response.json(x)` go out as bytes with a Content-Length and
// their stream is never touched. Anything else that looks like a Response (another realm, another fetch
// implementation) goes through the public API.
import {
  REASON_PHRASE,
  reasonPhraseOf,
  type Response as EngineResponse,
  type ResponseHeaders,
} from '../server/index.js';
import { empty, type Flushable, type Source } from '../conduit/index.js';
import { isDisturbed, isErrored, streamSource } from './response-body.js';
import { forwardNetworkHeaders, isNetworkResponse } from './network-response.js';
import { lazyParts } from './lazy-response.js';
import type { ResponseParts } from './response-init.js';
import { RESPONSE_INTERNALS, type ResponseState } from './undici-internals.js';

const EMPTY = new Uint8Array(0);
const NO_BODY: Source<Flushable<Uint8Array>> = empty();

type Headerish = { forEach(cb: (value: string, name: string) => void): void; getSetCookie?(): string[] };
type Responseish = { status: number; statusText?: unknown; headers: Headerish; body: ReadableStream<unknown> | null; bodyUsed?: boolean };

/** Whether x is shaped like a fetch Response (status, headers, body); a plain object with a body string is not. */
export function isResponseLike(x: unknown): x is Responseish {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Partial<Responseish>;
  if (typeof r.status !== 'number' || typeof r.headers !== 'object' || r.headers === null || typeof r.headers.forEach !== 'function') return false;
  return r.body === null || (typeof r.body === 'object' && typeof (r.body as { getReader?: unknown }).getReader === 'function');
}

/** What the conversion needs to know about the exchange. */
export interface ExchangeFacts {
  /** The request method (HEAD gets no body). */
  readonly method: string;
  /** Runs once the response has gone out whole (or was stopped): the request's signal stops following the connection. */
  settle(): void;
}

/**
 * Converts a handler's answer; throws a TypeError for something that is not a usable Response. A streamed body is
 * answered through a promise, which rejects with the stream's error when it fails before anything is sent.
 */
export function toEngineResponse(res: unknown, facts: ExchangeFacts): EngineResponse | Promise<EngineResponse> {
  if (typeof res === 'object' && res !== null) {
    // Hot path first: a LazyResponse not made yet (reading its state symbol would make it).
    const parts = lazyParts(res);
    if (parts !== null) return fromParts(parts, facts);
  }
  // Then undici's own Response (or a subclass, or a made LazyResponse), read from its state, without its public getters.
  if (RESPONSE_INTERNALS !== null && typeof res === 'object' && res !== null) {
    const state = (res as Record<symbol, ResponseState | undefined>)[RESPONSE_INTERNALS.state];
    if (typeof state === 'object' && state !== null && typeof state.status === 'number') return fromState(state, facts);
  }
  if (!isResponseLike(res)) throw new TypeError(`the fetch handler returned ${describe(res)}, not a Response`);
  return fromPublic(res, facts);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return `an object that is not a Response (${Object.prototype.toString.call(x)})`;
}

function fromState(state: ResponseState, facts: ExchangeFacts): EngineResponse | Promise<EngineResponse> {
  if (state.type === 'error' || state.status === 0) throw new TypeError('the fetch handler returned Response.error()');
  const headers = headersFromList(state.headersList);
  addReason(headers, state.status, state.statusText);
  // fetch()'s own Response returned as the answer: forwarded without what described the upstream hop.
  const decoded = isNetworkResponse(state) && forwardNetworkHeaders(headers);
  const body = state.body;
  if (body === null || body === undefined) return noBody(state.status, headers, facts);
  const source = body.source;
  if (typeof source === 'string' || source instanceof Uint8Array) {
    // A body read with text()/json()/... leaves its stream locked; one cancelled is disturbed.
    if (body.stream.locked || isDisturbed(body.stream)) throw usedBody();
    facts.settle();
    // Hot path: the bytes go out in the head's send; undici's stream for them is never read.
    return { kind: 'bytes', status: state.status, headers, body: typeof source === 'string' ? utf8(source) : source };
  }
  return fromStream(state.status, headers, body.stream, decoded ? null : body.length ?? declaredLength(headers), facts);
}

function fromParts(parts: ResponseParts, facts: ExchangeFacts): EngineResponse {
  const headers = headersFromFields(parts.fields);
  addReason(headers, parts.status, parts.statusText);
  const source = parts.source;
  if (source === null) return noBody(parts.status, headers, facts);
  facts.settle();
  // Nothing has read the body (undici was never given it): the bytes go out in the head's send.
  return { kind: 'bytes', status: parts.status, headers, body: typeof source === 'string' ? utf8(source) : source };
}

/** Bodies up to this many UTF-16 units are remembered (one at a time): see utf8. */
const REMEMBERED = 1024;
let lastText = '';
let lastBytes = new Uint8Array(0);

/**
 * A string body as UTF-8, the last one's bytes reused when the text is the same (a handler's constant, or the same
 * JSON each time): a comparison instead of an allocation and an encoding. Shared as an Application's constant body
 * is shared: the engine copies a body into its send buffer or queues it as it is, and never writes into it.
 */
function utf8(text: string): Uint8Array {
  if (text === lastText) return lastBytes;
  const bytes = Buffer.from(text, 'utf8');
  if (text.length <= REMEMBERED) {
    lastText = text;
    lastBytes = bytes;
  }
  return bytes;
}

function fromPublic(res: Responseish, facts: ExchangeFacts): EngineResponse | Promise<EngineResponse> {
  if (res.status < 200 || res.status > 599) throw new RangeError(`the Response status ${res.status} cannot be sent`);
  const headers = headersFromPublic(res.headers);
  addReason(headers, res.status, typeof res.statusText === 'string' ? res.statusText : '');
  if (res.body === null) return noBody(res.status, headers, facts);
  return fromStream(res.status, headers, res.body, declaredLength(headers), facts);
}

/** RFC 9110 §6.4.1: HEAD, 1xx, 204 and 304 carry no content. */
function isBodiless(status: number, method: string): boolean {
  return method === 'HEAD' || status < 200 || status === 204 || status === 304;
}

function noBody(status: number, headers: ResponseHeaders, facts: ExchangeFacts): EngineResponse {
  facts.settle();
  // A HEAD answer keeps the Content-Length the app declared (a GET's length) and otherwise sends none, never 0.
  if (facts.method === 'HEAD') return { kind: 'stream', status, headers, body: NO_BODY, length: declaredLength(headers) };
  return { kind: 'bytes', status, headers, body: EMPTY };
}

function fromStream(
  status: number, headers: ResponseHeaders, stream: ReadableStream<unknown>, length: number | null, facts: ExchangeFacts,
): EngineResponse | Promise<EngineResponse> {
  if (stream.locked || isDisturbed(stream)) throw usedBody();
  // A body that failed before anything was sent is the handler's failure (a 500 with its error), not a 200 cut short.
  if (isErrored(stream)) return failedBody(stream);
  if (isBodiless(status, facts.method)) {
    // The engine never runs a body here: cancel the stream now so its producer stops (timers, upstream fetches).
    stream.cancel().catch(() => undefined);
    facts.settle();
    return { kind: 'stream', status, headers, body: NO_BODY, length: facts.method === 'HEAD' ? length : null };
  }
  const response: EngineResponse = { kind: 'stream', status, headers, body: streamSource(stream, () => facts.settle()), length };
  // As @hono/node-server's readWithoutBlocking: the stream gets a few microtasks (never a timer, so an event's head is
  // not delayed) to fail in its start() or first pull(); one that does is a 500 too, before any head is sent.
  let window = Promise.resolve();
  for (let i = 0; i < PEEK_HOPS; i++) window = window.then();
  return window.then(() => (isErrored(stream) ? failedBody(stream) : response));
}

/** Microtask hops a stream gets before its head goes out: an async start() or a first pull() that throws needs two. */
const PEEK_HOPS = 4;

/** Rejects with the error an errored stream holds: an errored stream's reader is `closed` with it, never fulfilled. */
function failedBody(stream: ReadableStream<unknown>): Promise<never> {
  return stream.getReader().closed as Promise<never>;
}

function usedBody(): TypeError {
  return new TypeError('the Response body has already been read');
}

/** undici's header list in one pass: lower-case names, combined values, Set-Cookie as separate field lines. */
function headersFromList(list: object): ResponseHeaders {
  const out: Record<string, string | readonly string[]> = {};
  const map = (list as Record<symbol, Map<string, { value: string }>>)[RESPONSE_INTERNALS!.headersMap]!;
  for (const [name, entry] of map) {
    if (name === 'set-cookie') {
      const cookies = (list as { cookies?: string[] | null }).cookies;
      out[name] = cookies !== null && cookies !== undefined && cookies.length > 1 ? cookies.slice() : entry.value;
    } else out[name] = entry.value;
  }
  return out;
}

/** A LazyResponse's field lines, combined as undici's HeadersList combines them (Set-Cookie kept apart). */
function headersFromFields(fields: readonly string[] | null): ResponseHeaders {
  const out: Record<string, string | readonly string[]> = {};
  if (fields === null) return out;
  for (let i = 0; i < fields.length; i += 3) {
    const name = fields[i + 1]!;
    const value = fields[i + 2]!;
    const prev = out[name];
    if (prev === undefined) {
      if (name === '__proto__') Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
      else out[name] = value;
    } else if (name === 'set-cookie') out[name] = typeof prev === 'string' ? [prev, value] : [...prev, value];
    else out[name] = `${prev as string}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out;
}

function headersFromPublic(headers: Headerish): ResponseHeaders {
  const out: Record<string, string | readonly string[]> = {};
  const cookies = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : null;
  headers.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (lower === 'set-cookie' && cookies !== null) return;
    const prev = out[lower];
    out[lower] = prev === undefined ? value : `${prev as string}, ${value}`;
  });
  if (cookies !== null && cookies.length > 0) out['set-cookie'] = cookies.length === 1 ? cookies[0]! : cookies;
  return out;
}

/** A statusText other than the standard phrase goes on the status line (CR/LF and other CTLs dropped, never sent). */
function addReason(headers: ResponseHeaders, status: number, statusText: string): void {
  if (statusText === '' || statusText === reasonPhraseOf(status)) return;
  // eslint-disable-next-line no-control-regex
  const clean = statusText.replace(/[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/g, '');
  if (clean !== '') (headers as { [REASON_PHRASE]?: string })[REASON_PHRASE] = clean;
}

/** The app's Content-Length for a streamed body, when it is a plain decimal and no Transfer-Encoding overrides it. */
function declaredLength(headers: ResponseHeaders): number | null {
  const v = headers['content-length'];
  if (typeof v !== 'string' || headers['transfer-encoding'] !== undefined || !/^\d{1,15}$/.test(v)) return null;
  return Number(v);
}
