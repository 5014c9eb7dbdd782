// Where the runtime's fetch classes (undici) keep their state, found once by probing real instances. Undici 5-6
// (Node 20, 22) keep it under own symbol keys; knowing them lets a lazy request forward to a real one and lets a
// Response's body source be read without its stream. Newer builds use private fields: every lookup is then null and
// callers take their public-API paths.

/** The symbols a real Request carries its state under (null when it uses private fields). */
export interface RequestInternals {
  /** Every own symbol of a real Request: forwarded by the lazy request so undici's own code can read them. */
  readonly symbols: readonly symbol[];
  /** The inner request record (method, urlList, headersList, body...). */
  readonly state: symbol;
}

/** What a real Response's state record looks like (undici's makeResponse). */
export interface ResponseState {
  readonly type: string;
  readonly status: number;
  readonly statusText: string;
  readonly headersList: object;
  /** The URLs a network response was fetched from; empty for one the app made. */
  readonly urlList?: readonly unknown[];
  /** null or absent for a null body. */
  readonly body: { readonly stream: ReadableStream<unknown>; readonly source: unknown; readonly length: number | null } | null | undefined;
}

/** How to read a real Response's state and its header list without going through the public getters. */
export interface ResponseInternals {
  readonly state: symbol;
  /** The header map inside a HeadersList: lower-case name -> { name, value } (set-cookie values are in `cookies`). */
  readonly headersMap: symbol;
  /** The symbol a Response keeps its Headers object under (beside `state`; both are own data properties). */
  readonly headers: symbol;
}

function symbolNamed(o: object, description: string): symbol | null {
  return Object.getOwnPropertySymbols(o).find((s) => s.description === description) ?? null;
}

function probeRequest(): RequestInternals | null {
  try {
    const probe = new Request('http://probe.invalid/x', { method: 'POST', body: 'x', headers: { 'x-probe': '1' } });
    const state = symbolNamed(probe, 'state');
    if (state === null) return null;
    const inner = (probe as unknown as Record<symbol, { method?: unknown; headersList?: unknown }>)[state];
    if (inner?.method !== 'POST' || typeof inner.headersList !== 'object') return null;
    return { symbols: Object.getOwnPropertySymbols(probe), state };
  } catch {
    return null;
  }
}

/**
 * The runtime's own Response class, even when globalThis.Response has been replaced (by Sluice's LazyResponse, or by
 * @hono/node-server's shim): Response.error() is made by undici's internal class, whatever `this` is.
 */
function realResponse(): typeof Response {
  try {
    const made = Response.error() as unknown as { constructor?: unknown };
    if (typeof made.constructor === 'function' && made instanceof (made.constructor as typeof Response)) return made.constructor as typeof Response;
  } catch {
    // A Response without error(): the global is all there is.
  }
  return Response;
}

/** undici's Response class (never a replacement of the global). */
export const REAL_RESPONSE: typeof Response = realResponse();

function probeResponse(): ResponseInternals | null {
  try {
    const probe = new REAL_RESPONSE('probe', { status: 201, statusText: 'Made', headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2']] });
    const state = symbolNamed(probe, 'state');
    if (state === null) return null;
    const inner = (probe as unknown as Record<symbol, ResponseState>)[state];
    if (inner.status !== 201 || inner.statusText !== 'Made' || inner.body?.source !== 'probe' || inner.body.length !== 5) return null;
    const list = inner.headersList as Record<symbol, unknown> & { cookies?: unknown };
    const headersMap = symbolNamed(list, 'headers map');
    if (headersMap === null || !(list[headersMap] instanceof Map) || !Array.isArray(list.cookies) || list.cookies.length !== 2) return null;
    const entry = (list[headersMap] as Map<string, { value?: unknown }>).get('content-type');
    if (typeof entry?.value !== 'string') return null;
    const headers = symbolNamed(probe, 'headers');
    if (headers === null || (probe as unknown as Record<symbol, unknown>)[headers] !== probe.headers) return null;
    return { state, headersMap, headers };
  } catch {
    return null;
  }
}

/** The Request internals of this runtime, or null. */
export const REQUEST_INTERNALS: RequestInternals | null = probeRequest();
/** The Response internals of this runtime, or null. */
export const RESPONSE_INTERNALS: ResponseInternals | null = probeResponse();
