// A Response that is undici's own Response, minus the stream it would build for a body that is already bytes. On Node
// 20 undici's extractBody makes a ReadableStream for every body and Node makes every stream transferable, which costs
// more CPU than Sluice spends on a whole request; the server never reads that stream (it sends the bytes). So a
// string, BufferSource or URLSearchParams body is kept here, and the stream is made only when something asks for it
// (body, bodyUsed, text(), clone()...), by putting a real body record into undici's state: from then on every member
// is undici's own. Everything else undici's constructor does (status, statusText and headers validation, the Headers
// guard) it still does itself, via super(null, init). Installed as globalThis.Response by serve({ fetch }) and
// fromFetch unless `overrideGlobalObjects: false`; without undici's internals (RESPONSE_INTERNALS null) it never is.
import { isArrayBuffer } from 'node:util/types';
import { REAL_RESPONSE, RESPONSE_INTERNALS, type HeadersListMethods, type ResponseState } from './undici-internals.js';

type Source = string | Uint8Array;

/** Fetch's null body statuses (101 and 103 never get here: the constructor only accepts 200-599). */
const NULL_BODY_STATUS = new Set([204, 205, 304]);
const TEXT = 'text/plain;charset=UTF-8';
const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';
const JSON_TYPE = 'application/json';

/** Set by Response.json just before it constructs: the value to serialise, read (and cleared) first thing. */
let pendingJson: { readonly data: unknown } | null = null;

function stateOf(r: object): ResponseState & { body: ResponseState['body'] } {
  return (r as Record<symbol, ResponseState & { body: ResponseState['body'] }>)[RESPONSE_INTERNALS!.state]!;
}

/**
 * Whether undici's BodyInit conversion takes this buffer without complaint (a shared or resizable one it rejects, so
 * those go to undici to reject) and its bytes can be copied now, as extractBody copies them.
 */
function plainBuffer(buffer: ArrayBufferLike): boolean {
  return isArrayBuffer(buffer) && !(buffer as { resizable?: boolean }).resizable;
}

/** What extractBody would turn this body into without running user code: a source and a default type, or null. */
function lazyKind(body: unknown): 0 | 1 | 2 | 3 {
  if (typeof body === 'string') return 1;
  if (typeof body !== 'object' || body === null) return 0;
  if (ArrayBuffer.isView(body)) return plainBuffer(body.buffer) ? 2 : 0;
  if (isArrayBuffer(body)) return plainBuffer(body) ? 2 : 0;
  return body instanceof URLSearchParams ? 3 : 0;
}

/** extractBody's copy: the bytes as they are now, whatever happens to the app's buffer later. */
function copyBytes(body: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return new Uint8Array(body.slice(0));
}

type BodyInit = ConstructorParameters<typeof Response>[0];
/** undici's Response typed only as far as this class uses it (lib's typing declares body, clone... as fields). */
interface BaseResponse {
  readonly status: number;
  readonly statusText: string;
}
/** The body's type unless the app gave one, into this response's own header list, as undici's initializeResponse. */
function addDefaultType(r: object, state: ResponseState, type: string): void {
  if (RESPONSE_INTERNALS!.headersListMethods) {
    // The HeadersList itself: the name and value are constants, so the Headers API's validation has nothing to do.
    const list = state.headersList as HeadersListMethods;
    if (!list.contains('content-type', true)) list.append('content-type', type, true);
    return;
  }
  const headers = baseHeaders.call(r) as Headers;
  if (!headers.has('content-type')) headers.append('content-type', type);
}

const Base = REAL_RESPONSE as unknown as {
  new (body?: BodyInit, init?: ResponseInit): BaseResponse;
  readonly prototype: BaseResponse;
  json(data: unknown, init?: ResponseInit): Response;
  error(): Response;
  redirect(url: string | URL, status?: number): Response;
};

/** The body a LazyResponse has not given undici yet (the server sends it as it is), or null for any other object. */
export let lazySource: (r: object) => Source | null;
/** Gives undici the body it would have made, once; from then on undici's own members see it. */
let materialise: (r: object) => void;
const baseBody = Object.getOwnPropertyDescriptor(Base.prototype, 'body')!.get!;
const baseHeaders = Object.getOwnPropertyDescriptor(Base.prototype, 'headers')!.get!;
const baseBodyUsed = Object.getOwnPropertyDescriptor(Base.prototype, 'bodyUsed')!.get!;
const baseMethods = Base.prototype as unknown as Record<string, (this: Response) => unknown>;

/** globalThis.Response while installed. Its name is Response, as is its instances' constructor. */
export class LazyResponse extends Base {
  /** The body undici has not been given yet; null once it has (or for a body that was never lazy). */
  #source: Source | null = null;

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    const json = pendingJson;
    pendingJson = null;
    const kind = json !== null ? 4 : lazyKind(body);
    // undici validates init itself (and converts the body when it is not one of ours).
    super(kind === 0 ? body : null, init);
    if (kind === 0) return;
    // After init's conversion, as in undici: getters in init run before the body is read.
    let source: Source | undefined;
    let type: string | null = null;
    if (kind === 1) {
      source = body as string;
      type = TEXT;
    } else if (kind === 2) source = copyBytes(body as ArrayBuffer | ArrayBufferView);
    else if (kind === 3) {
      source = (body as URLSearchParams).toString();
      type = FORM;
    } else {
      source = JSON.stringify(json!.data) as string | undefined;
      if (source === undefined) throw new TypeError('Value is not JSON serializable');
      type = JSON_TYPE;
    }
    // Fetch's "initialize a response": a body with a null body status is a TypeError (undici's own message).
    const state = stateOf(this);
    if (NULL_BODY_STATUS.has(state.status)) throw new TypeError(`Response constructor: Invalid response status code ${state.status}`);
    if (type !== null) addDefaultType(this, state, type);
    this.#source = source;
  }

  /** undici's own, so that the statics are own enumerable properties as on undici's Response. */
  static override error(): Response {
    return Base.error();
  }

  static override redirect(...args: [url: string | URL, status?: number]): Response {
    return Base.redirect(...args);
  }

  /** `Response.json(data, init)`: as undici's, lazily (undici's own handles the odd argument lists). */
  static override json(...args: [data: unknown, init?: ResponseInit]): Response {
    const [data, init] = args;
    if ((args as unknown[]).length === 0 || init === null) return Base.json(...args);
    pendingJson = { data };
    try {
      return new LazyResponse(null, init) as unknown as Response;
    } finally {
      pendingJson = null;
    }
  }

  /** `x instanceof Response` holds for undici's own (from fetch(), or made before this was installed) too. */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this === LazyResponse) return x instanceof Base;
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }

  static {
    lazySource = (r) => (#source in r ? r.#source : null);
    materialise = (r) => {
      if (!(#source in r) || r.#source === null) return;
      const source = r.#source;
      r.#source = null;
      // The body record undici would have made: that of a real Response made from the same source.
      stateOf(r).body = stateOf(new Base(source)).body;
    };
  }

  get body(): ReadableStream<Uint8Array> | null {
    materialise(this);
    return baseBody.call(this) as ReadableStream<Uint8Array> | null;
  }

  get bodyUsed(): boolean {
    materialise(this);
    return baseBodyUsed.call(this) as boolean;
  }

  clone(): Response {
    // A lazy body needs no tee: the copy shares the (immutable) source; status, statusText and headers are copied.
    if (!(#source in this) || this.#source === null) return baseMethods.clone!.call(this as unknown as Response) as Response;
    const copy = new LazyResponse(null, { status: this.status, statusText: this.statusText, headers: baseHeaders.call(this) as Headers });
    copy.#source = this.#source;
    return copy as unknown as Response;
  }
}

// The body readers: give undici the body first, then run undici's own (its errors, its bodyUsed, its decoding).
for (const name of ['arrayBuffer', 'blob', 'bytes', 'formData', 'json', 'text'] as const) {
  const base = baseMethods[name];
  if (typeof base !== 'function') continue;
  Object.defineProperty(LazyResponse.prototype, name, {
    value: { [name](this: Response) { materialise(this); return base.call(this); } }[name],
    writable: true, enumerable: true, configurable: true,
  });
}
// As undici's: json, error and redirect are enumerable statics, the class is called Response and takes no required
// arguments.
for (const name of ['json', 'error', 'redirect']) Object.defineProperty(LazyResponse, name, { enumerable: true });
Object.defineProperty(LazyResponse, 'name', { value: 'Response' });
Object.defineProperty(LazyResponse, 'length', { value: 0 });

let saved: PropertyDescriptor | undefined;

/** Makes LazyResponse the global Response (idempotent); false when undici's internals are not there to use. */
export function installLazyResponse(): boolean {
  if (RESPONSE_INTERNALS === null) return false;
  if ((globalThis.Response as unknown) === LazyResponse) return true;
  const before = Object.getOwnPropertyDescriptor(globalThis, 'Response');
  // A global the app made non-configurable is the app's choice: it stays, and undici's Response is served as before.
  if (before !== undefined && before.configurable !== true) return false;
  saved = before;
  Object.defineProperty(globalThis, 'Response', { value: LazyResponse, writable: true, enumerable: false, configurable: true });
  return true;
}

/** Puts back the global Response that installLazyResponse replaced (for tests). */
export function uninstallLazyResponse(): void {
  if ((globalThis.Response as unknown) !== LazyResponse) return;
  if (saved === undefined) delete (globalThis as { Response?: unknown }).Response;
  else Object.defineProperty(globalThis, 'Response', saved);
  saved = undefined;
}
