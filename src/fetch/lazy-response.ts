// FastResponse (exported by name; the global Response too when an app sets overrideGlobalObjects): undici's own Response,
// made only when something asks for it. On Node 20 undici's constructor converts init through WebIDL, builds a Headers, a HeadersList
// and its Map, and a ReadableStream for any body (which Node makes transferable): more CPU than Sluice spends on a whole
// request, for objects the server never reads. So for a string, BufferSource, URLSearchParams or Response.json body
// (or none) with an init of the usual shape (response-init.ts), the constructor keeps only the status, reason phrase,
// field lines and body source, after undici's checks (a body with status 204/205/304 is its TypeError), and the server
// sends them as they are. The first touch of undici's state (headers, body, text(), clone() of a read one, undici's
// own code reading its state symbols) builds undici's Response from them, and from then on every member is undici's.
// Anything else is undici's at once. The class does not call undici's constructor: it is a base class whose prototype
// chain is undici's, so instances are `instanceof` undici's Response, and subclasses (`extends Response`) work.
import * as workerThreads from 'node:worker_threads';
import { isArrayBuffer } from 'node:util/types';
import { Handoff, readInit, ResponseParts } from './response-init.js';
import { REAL_RESPONSE, RESPONSE_INTERNALS, type ResponseState } from './undici-internals.js';

const TEXT = 'text/plain;charset=UTF-8';
const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';
const JSON_TYPE = 'application/json';
/** Fetch's null body statuses (the constructor only accepts 200-599, so 101 and 103 never get here). */
const NULL_BODY_STATUS = new Set([204, 205, 304]);

/** undici's Node 22+ constructor marks every Response uncloneable; Node 20 has no such function. */
const markAsUncloneable = (workerThreads as { markAsUncloneable?: (o: object) => void }).markAsUncloneable;

type BodyInit = ConstructorParameters<typeof Response>[0];
type Base = typeof Response & { json(data: unknown, init?: unknown): Response };
const Base = REAL_RESPONSE as Base;
const K_STATE = RESPONSE_INTERNALS?.state ?? Symbol('no state');
const K_HEADERS = RESPONSE_INTERNALS?.headers ?? Symbol('no headers');

/** Set by Response.json just before it constructs: the value to serialise, read (and cleared) first thing. */
let pendingJson: { readonly data: unknown } | null = null;

/** The body kinds undici's extractBody turns into bytes without running app code. */
const OTHER = 0;
const NONE = 1;
const STRING = 2;
const BYTES = 3;
const FORM_BODY = 4;
const JSON_BODY = 5;

/** A buffer undici's BodyInit conversion takes (a shared or resizable one it rejects, so those go to undici). */
function plainBuffer(buffer: ArrayBufferLike): boolean {
  return isArrayBuffer(buffer) && !(buffer as { resizable?: boolean }).resizable;
}

function bodyKind(body: unknown): number {
  if (body === undefined || body === null) return NONE;
  if (typeof body === 'string') return STRING;
  if (typeof body !== 'object') return OTHER;
  if (ArrayBuffer.isView(body)) return plainBuffer(body.buffer) ? BYTES : OTHER;
  if (isArrayBuffer(body)) return plainBuffer(body) ? BYTES : OTHER;
  return body instanceof URLSearchParams ? FORM_BODY : OTHER;
}

/** extractBody's copy: the bytes as they are now, whatever happens to the app's buffer later. */
function copyBytes(body: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return new Uint8Array(body.slice(0));
}

function hasContentType(fields: readonly string[] | null): boolean {
  if (fields === null) return false;
  for (let i = 1; i < fields.length; i += 3) if (fields[i] === 'content-type') return true;
  return false;
}

function defineOwn(o: object, key: symbol, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The state of a Response frozen (or sealed) by the app before it was made: it cannot take own properties. */
const FROZEN = new WeakMap<object, Record<symbol, unknown>>();

/** Gives `r` the state and Headers of undici's Response `real`, as own properties (undici's own layout). */
function adopt(r: object, real: Response): void {
  const own = real as unknown as Record<symbol, unknown>;
  if (!Object.isExtensible(r)) {
    FROZEN.set(r, { [K_STATE]: own[K_STATE], [K_HEADERS]: own[K_HEADERS] });
    return;
  }
  defineOwn(r, K_STATE, own[K_STATE]);
  defineOwn(r, K_HEADERS, own[K_HEADERS]);
}

/** The parts of a Response not yet given to undici, or null (undici's own, a made one, anything else). */
export let lazyParts: (r: object) => ResponseParts | null;
/** Builds undici's Response for `r` from its parts, once. */
let materialise: (r: object) => void;

const baseGet = (name: string): ((this: unknown) => unknown) => Object.getOwnPropertyDescriptor(Base.prototype, name)!.get!;
const baseMethods = Base.prototype as unknown as Record<string, (this: unknown) => unknown>;
const BASE_STATUS = baseGet('status');
const BASE_STATUS_TEXT = baseGet('statusText');
const BASE_OK = baseGet('ok');
const BASE_BODY_USED = baseGet('bodyUsed');

/** globalThis.Response while installed. Its name is Response, as is its instances' constructor. */
export class LazyResponse {
  /** What undici has not been given yet; null once it has (or when it had everything from the start). */
  #parts: ResponseParts | null = null;

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    markAsUncloneable?.(this);
    const json = pendingJson;
    pendingJson = null;
    const kind = json !== null ? JSON_BODY : bodyKind(body);
    if (kind === OTHER) {
      adopt(this, new Base(body, init));
      return;
    }
    // The init first, as undici converts it before it reads the body (a getter in init runs before toString()).
    const parts = readInit(init);
    if (parts instanceof Handoff) {
      adopt(this, json !== null ? Base.json(json.data, parts.init) : new Base(body, parts.init as ResponseInit));
      return;
    }
    let type: string | null = null;
    if (kind === STRING) {
      parts.source = body as string;
      type = TEXT;
    } else if (kind === BYTES) parts.source = copyBytes(body as ArrayBuffer | ArrayBufferView);
    else if (kind === FORM_BODY) {
      parts.source = (body as URLSearchParams).toString();
      type = FORM;
    } else if (kind === JSON_BODY) {
      const text = JSON.stringify(json!.data) as string | undefined;
      if (text === undefined) throw new TypeError('Value is not JSON serializable');
      parts.source = text;
      type = JSON_TYPE;
    }
    if (parts.source !== null) {
      // Fetch's "initialize a response": a body with a null body status is a TypeError (undici's own message).
      if (NULL_BODY_STATUS.has(parts.status)) throw new TypeError(`Response constructor: Invalid response status code ${parts.status}`);
      // The body's type unless the app gave one, after the app's fields, as undici appends it.
      if (type !== null && !hasContentType(parts.fields)) parts.fields = [...(parts.fields ?? []), 'content-type', 'content-type', type];
    }
    this.#parts = parts;
  }

  static {
    lazyParts = (r) => (#parts in r ? r.#parts : null);
    materialise = (r) => {
      if (!(#parts in r)) return;
      const parts = r.#parts;
      if (parts === null) return;
      r.#parts = null;
      const fields = parts.fields ?? [];
      const headers: [string, string][] = [];
      for (let i = 0; i < fields.length; i += 3) headers.push([fields[i]!, fields[i + 2]!]);
      // undici's Response from the same status, reason and fields (valid already, so its checks pass) ...
      const real = new Base(null, { status: parts.status, statusText: parts.statusText, headers });
      // ... and the body record undici would have made: that of a real Response made from the same source.
      if (parts.source !== null) (real as unknown as Record<symbol, ResponseState & { body: unknown }>)[K_STATE]!.body = stateOf(new Base(parts.source)).body;
      adopt(r, real);
    };
  }

  /** undici's own, so that the statics are own enumerable properties as on undici's Response. */
  static error(): Response {
    return Base.error();
  }

  static redirect(...args: [url: string | URL, status?: number]): Response {
    return (Base.redirect as (url: string | URL, status?: number) => Response)(...args);
  }

  /** `Response.json(data, init)`: as undici's, lazily (undici's own handles the odd argument lists). */
  static json(...args: [data: unknown, init?: ResponseInit]): Response {
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
  static [Symbol.hasInstance](x: unknown): boolean {
    if (this === LazyResponse) return x instanceof Base;
    return Function.prototype[Symbol.hasInstance].call(this, x);
  }

  get status(): number {
    const p = lazyParts(this);
    return p !== null ? p.status : (BASE_STATUS.call(this) as number);
  }

  get statusText(): string {
    const p = lazyParts(this);
    return p !== null ? p.statusText : (BASE_STATUS_TEXT.call(this) as string);
  }

  get ok(): boolean {
    const p = lazyParts(this);
    return p !== null ? p.status >= 200 && p.status <= 299 : (BASE_OK.call(this) as boolean);
  }

  get bodyUsed(): boolean {
    return lazyParts(this) !== null ? false : (BASE_BODY_USED.call(this) as boolean);
  }

  clone(): Response {
    const p = lazyParts(this);
    if (p === null) return baseMethods.clone!.call(this) as Response;
    // Nothing to tee: the copy shares the (immutable) source and fields, and gets its own Headers when made.
    const copy = new LazyResponse();
    const parts = new ResponseParts(p.status, p.statusText, p.fields);
    parts.source = p.source;
    copy.#parts = parts;
    return copy as unknown as Response;
  }
}

function stateOf(r: object): ResponseState & { body: unknown } {
  return (r as unknown as Record<symbol, ResponseState & { body: unknown }>)[K_STATE]!;
}

// Everything else is undici's own, on undici's state: made first. The state symbols themselves, read by undici's code
// (its getters, body mixin, clone), make it too; a write replaces what was made, as on undici's own object.
for (const name of ['headers', 'body']) {
  const get = baseGet(name);
  Object.defineProperty(LazyResponse.prototype, name, { get: { [name](this: object) { materialise(this); return get.call(this); } }[name], configurable: true });
}
for (const name of ['arrayBuffer', 'blob', 'bytes', 'formData', 'json', 'text']) {
  const base = baseMethods[name];
  if (typeof base !== 'function') continue;
  Object.defineProperty(LazyResponse.prototype, name, {
    value: { [name](this: object) { materialise(this); return base.call(this); } }[name],
    writable: true, configurable: true,
  });
}
for (const key of [K_STATE, K_HEADERS]) {
  Object.defineProperty(LazyResponse.prototype, key, {
    get(this: object) {
      materialise(this);
      return Object.hasOwn(this, key) ? (this as Record<symbol, unknown>)[key] : FROZEN.get(this)?.[key];
    },
    set(this: object, value: unknown) {
      materialise(this);
      defineOwn(this, key, value);
    },
    configurable: true,
  });
}
// undici's members are enumerable (for...in over a Response lists them); so are these, which stand in for them.
for (const name of Object.getOwnPropertyNames(LazyResponse.prototype)) {
  if (name !== 'constructor') Object.defineProperty(LazyResponse.prototype, name, { enumerable: true });
}
Object.setPrototypeOf(LazyResponse.prototype, Base.prototype);
Object.setPrototypeOf(LazyResponse, Base);
// As undici's: json, error and redirect are enumerable statics, the class is called Response and takes no required
// arguments.
for (const name of ['json', 'error', 'redirect']) Object.defineProperty(LazyResponse, name, { enumerable: true });
Object.defineProperty(LazyResponse, 'name', { value: 'Response' });
Object.defineProperty(LazyResponse, 'length', { value: 0 });

/** Whether undici reads its state the way this class stands in for it (global-response.ts checks once, on a made
 *  Response). */
export function lazyResponseWorks(): boolean {
  if (RESPONSE_INTERNALS === null) return false;
  try {
    const r = new LazyResponse('ok', { status: 201, headers: { 'X-A': '1' } }) as unknown as Response;
    const headers = baseGet('headers').call(r) as Headers;
    return lazyParts(r) === null && BASE_STATUS.call(r) === 201 && headers.get('x-a') === '1'
      && headers.get('content-type') === TEXT && (stateOf(r).body as { source?: unknown } | null)?.source === 'ok';
  } catch {
    return false;
  }
}
