// Micro-benchmark of the fetch adapter in one process (no sockets): CPU µs per request for Sluice's own Application
// hello, the same hello as a fetch handler (with the lazy global Response the adapter installs, and with undici's own),
// the adapter alone (a prebuilt Response), a Hono GET /json, and the Request and Response constructors, so the
// adapter's cost can be told apart from what the handler's Response costs.
// `node dist/bench/fetch-adapter.js [requests]`. Batches yield to the event loop so undici's finalizers can run.
import { Hono } from 'hono';
import { empty, fromFetch, respond, Request as EngineRequest, type Application } from '../src/index.js';
import { parseRequestHead } from '../src/server/request-head.js';

const RAW = Buffer.from('GET /json HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n');
const ORIGIN = { remoteAddress: (): string => '127.0.0.1:5555', signal: new AbortController().signal };

function engineRequest(): EngineRequest {
  const r = parseRequestHead(RAW, 0, RAW.length);
  if (r.kind !== 'head') throw new Error('bench request did not parse');
  return new EngineRequest(r.head, empty(), ORIGIN);
}

/** CPU µs per call of `fn` (one engine request parsed per call, as the server would). */
async function cpuPerCall(fn: (req: EngineRequest) => unknown, n: number): Promise<number> {
  const run = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i += 500) {
      for (let j = 0; j < 500; j++) {
        const r = fn(engineRequest());
        if (r instanceof Promise) await r;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await run(Math.min(n, 20_000));
  const before = process.cpuUsage();
  await run(n);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

// undici's own, captured before the first fromFetch below installs the lazy one as globalThis.Response.
const UndiciResponse = globalThis.Response;
const HELLO = Buffer.from('Hello, World!');
const INIT = { headers: { 'content-type': 'text/plain' } };
const hono = new Hono();
hono.get('/json', (c) => c.json({ message: 'Hello, World!' }));
const prebuilt = new UndiciResponse('Hello, World!', { headers: { 'content-type': 'text/plain' } });
const cases: Array<[string, (req: EngineRequest) => unknown]> = [
  ['parse only (subtracted below)', (req) => req],
  ['Application hello', (() => respond(200, { 'content-type': 'text/plain' }, HELLO)) as Application],
  ['fetch hello: new Response per request', fromFetch(() => new Response('Hello, World!', INIT))],
  ['fetch hello: undici\'s Response per request (overrideGlobalObjects: false)', fromFetch(() => new UndiciResponse('Hello, World!', INIT), { overrideGlobalObjects: false })],
  ['fetch adapter alone (prebuilt Response)', fromFetch(() => prebuilt)],
  ['Hono GET /json through fromFetch', fromFetch(hono.fetch)],
  ['lazy global new Response(string, init)', () => new Response('Hello, World!', INIT)],
  ['undici new Response(string, init)', () => new UndiciResponse('Hello, World!', INIT)],
  ['undici new Response(null, init)', () => new UndiciResponse(null, INIT)],
  ['undici new Request(url, { headers })', (req) => new Request(`http://${req.host ?? 'x'}${req.target}`, { headers: req.head.headers })],
];

const n = Number(process.argv[2] ?? 100_000);
const results: Array<[string, number]> = [];
for (const [name, fn] of cases) results.push([name, await cpuPerCall(fn, n)]);
const parse = results[0]![1];
console.log(`| case (${n} requests each) | CPU µs per request, request-head parsing subtracted |\n|---|---|`);
for (const [name, us] of results.slice(1)) console.log(`| ${name} | ${(us - parse).toFixed(2)} |`);
