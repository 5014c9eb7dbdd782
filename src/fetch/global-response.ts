// Where the lazy Response (lazy-response.ts) is offered: by name as FastResponse, and as the global Response only when
// an app sets overrideGlobalObjects (the default leaves the global alone). Either falls back to undici's own Response
// where this runtime keeps undici's state out of reach.
import { LazyResponse, lazyResponseWorks } from './lazy-response.js';
import { REAL_RESPONSE } from './undici-internals.js';

let saved: PropertyDescriptor | undefined;
let usable: boolean | undefined;

function isUsable(): boolean {
  usable ??= lazyResponseWorks();
  return usable;
}

/**
 * The lazy Response for an app to use by name, with no global replaced (srvx's `FastResponse`):
 * `return new FastResponse('hi')`. undici's own Response where this runtime keeps undici's state out of reach.
 */
export function fastResponse(): typeof Response {
  return (isUsable() ? LazyResponse : REAL_RESPONSE) as unknown as typeof Response;
}

/** Makes LazyResponse the global Response (idempotent); false when undici's internals are not there to use. */
export function installLazyResponse(): boolean {
  if (!isUsable()) return false;
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
