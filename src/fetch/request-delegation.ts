// The members of the runtime's Request that a LazyRequest does not answer itself: each is delegated to the real
// Request (created on first need), and the symbols undici keeps its state under are forwarded, so undici's own code
// reading them (new Request(request), fetch(request), Request.prototype.x.call(request)) sees a real request.
import { REQUEST_INTERNALS } from './undici-internals.js';

const NativeRequest = globalThis.Request;

/** Members whose result is a promise: a failure to create the real Request rejects instead of throwing. */
const ASYNC_MEMBERS = new Set(['arrayBuffer', 'blob', 'bytes', 'formData', 'json', 'text']);

/** Calls a promise-returning member of the real Request; a failure to create it rejects. */
export function callReal(real: () => Request, name: string): Promise<unknown> {
  try {
    return (real() as unknown as Record<string, () => Promise<unknown>>)[name]!();
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Completes `proto` (a lazy request's prototype) into a Request's: every Request.prototype member it lacks is
 * delegated to `materialize(this)`, undici's state symbols are forwarded, `constructor` is the global Request, and
 * Request.prototype becomes its prototype (so `instanceof Request` holds and undici's brand checks pass).
 */
export function delegateToReal(proto: object, materialize: (request: object) => Request): void {
  const target = proto as Record<PropertyKey, unknown>;
  for (const name of Object.getOwnPropertyNames(NativeRequest.prototype)) {
    if (name === 'constructor' || Object.prototype.hasOwnProperty.call(target, name)) continue;
    const d = Object.getOwnPropertyDescriptor(NativeRequest.prototype, name)!;
    if (d.get !== undefined) {
      Object.defineProperty(target, name, {
        get(this: object) {
          return (materialize(this) as unknown as Record<string, unknown>)[name];
        },
        configurable: true,
      });
    } else if (typeof d.value === 'function') {
      const isAsync = ASYNC_MEMBERS.has(name);
      Object.defineProperty(target, name, {
        value(this: object, ...args: unknown[]) {
          if (isAsync && args.length === 0) return callReal(() => materialize(this), name);
          return (materialize(this) as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
        },
        writable: true,
        configurable: true,
      });
    }
  }
  for (const sym of REQUEST_INTERNALS?.symbols ?? []) {
    Object.defineProperty(target, sym, {
      get(this: object) {
        return (materialize(this) as unknown as Record<symbol, unknown>)[sym];
      },
      set(this: object, value: unknown) {
        (materialize(this) as unknown as Record<symbol, unknown>)[sym] = value;
      },
      configurable: true,
    });
  }
  Object.defineProperty(target, 'constructor', { value: NativeRequest, writable: true, configurable: true });
  Object.setPrototypeOf(target, NativeRequest.prototype);
}
