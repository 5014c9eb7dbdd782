// When the global Response is replaced, and what with: by default nothing is (the global Request and Response stay
// whatever they were, even another library's shim), overrideGlobalObjects: true installs Sluice's once, and uninstalling puts back exactly what was there, even @hono/node-server's shim. Serial, and
// its own file (its own worker): these tests change the global Response that other tests build with.
import test from 'ava';
import type { FetchServeOptions } from '../../src/index.js';

const runtime = Object.getOwnPropertyDescriptor(globalThis, 'Response')!;
const Runtime = globalThis.Response;

// @hono/node-server's listener replaces the global Response before Sluice is loaded, as in an app using both.
const { getRequestListener } = await import('@hono/node-server');
getRequestListener(() => new Response('hono'));
const HonoShim = globalThis.Response;
const shimDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'Response')!;
const { serve } = await import('../../src/index.js');
const { installLazyResponse, uninstallLazyResponse } = await import('../../src/fetch/global-response.js');
const { LazyResponse } = await import('../../src/fetch/lazy-response.js');
const { REAL_RESPONSE, RESPONSE_INTERNALS } = await import('../../src/fetch/undici-internals.js');

async function get(options: FetchServeOptions): Promise<globalThis.Response> {
  const server = serve({ hostname: '127.0.0.1', port: 0, onException: () => {}, ...options });
  try {
    return await fetch(`http://127.0.0.1:${server.port}/`);
  } finally {
    await server.close();
  }
}

test.serial('undici\'s own Response and its internals are found even under another library\'s shim', (t) => {
  t.not(HonoShim, Runtime);
  t.is(REAL_RESPONSE, Runtime);
  t.not(RESPONSE_INTERNALS, null);
  t.is(Object.getPrototypeOf(LazyResponse), Runtime);
});

test.serial('overrideGlobalObjects: false leaves the global Response alone, and a shim\'s Response is still served', async (t) => {
  const res = await get({ fetch: () => new Response('from the shim', { headers: { 'x-a': '1' } }), overrideGlobalObjects: false });
  t.is(globalThis.Response, HonoShim);
  t.is(res.headers.get('x-a'), '1');
  t.is(await res.text(), 'from the shim');
});

test.serial('by default neither global is replaced, and FastResponse is served without one', async (t) => {
  const Request0 = globalThis.Request;
  const { FastResponse } = await import('../../src/index.js');
  const res = await get({ fetch: () => new FastResponse('fast', { headers: { 'x-b': '2' } }) });
  t.is(globalThis.Response, HonoShim);
  t.is(globalThis.Request, Request0);
  t.deepEqual(Object.getOwnPropertyDescriptor(globalThis, 'Response'), shimDescriptor);
  t.is(res.headers.get('x-b'), '2');
  t.is(await res.text(), 'fast');
  t.is(FastResponse as unknown, LazyResponse);
  t.true(new FastResponse('x') instanceof Runtime);
});

test.serial('overrideGlobalObjects: true installs the lazy Response once; uninstalling restores what was there', async (t) => {
  const res = await get({ fetch: () => new Response('lazy'), overrideGlobalObjects: true });
  t.is(await res.text(), 'lazy');
  t.is(globalThis.Response as unknown, LazyResponse);
  t.true(installLazyResponse());
  t.is(globalThis.Response as unknown, LazyResponse);
  uninstallLazyResponse();
  t.is(globalThis.Response, HonoShim);
  t.deepEqual(Object.getOwnPropertyDescriptor(globalThis, 'Response'), shimDescriptor);
  uninstallLazyResponse();
  t.is(globalThis.Response, HonoShim);
  // Back to the runtime's own accessor, then installed and removed again over it.
  Object.defineProperty(globalThis, 'Response', runtime);
  installLazyResponse();
  t.is(globalThis.Response as unknown, LazyResponse);
  uninstallLazyResponse();
  t.deepEqual(Object.getOwnPropertyDescriptor(globalThis, 'Response'), runtime);
  t.is(globalThis.Response, Runtime);
});
