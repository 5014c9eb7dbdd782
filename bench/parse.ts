// Micro-benchmark of the HTTP/1.1 wire leaves: ns per parse/compose/decode, median of several rounds.
// Run: npx tsc -p . && node dist/bench/parse.js [roundMs]. Numbers swing ±30% on shared machines; compare within a run.

import { ChunkedDecoder } from '../src/conduit/chunked-codec.js';
import { wantsKeepAlive } from '../src/server/connection-header.js';
import { DateCache } from '../src/server/date.js';
import { parseRequestHead } from '../src/server/request-head.js';
import { composeResponseHead, type EngineHeaders } from '../src/server/response-head.js';

const ROUND_MS = Number(process.argv[2] ?? 200);
const ROUNDS = 7;

/** Runs `op` in batches for ROUND_MS per round and returns the median ns per call. */
function measure(op: () => number): { ns: number; sink: number } {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += op(); // warm up to optimized code
  const perRound: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let calls = 0;
    const t0 = process.hrtime.bigint();
    const deadline = t0 + BigInt(ROUND_MS) * 1_000_000n;
    let now = t0;
    while (now < deadline) {
      for (let i = 0; i < 1000; i++) sink += op();
      calls += 1000;
      now = process.hrtime.bigint();
    }
    perRound.push(Number(now - t0) / calls);
  }
  perRound.sort((a, b) => a - b);
  return { ns: perRound[ROUNDS >> 1]!, sink };
}

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

const MINIMAL = latin1('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
const TYPICAL = latin1('GET /hello/world?x=1 HTTP/1.1\r\nHost: localhost:3000\r\nUser-Agent: wrk/4.2\r\nAccept: */*\r\n\r\n');
const BROWSER = latin1([
  'GET /assets/app.js?v=12 HTTP/1.1', 'Host: www.example.com', 'Connection: keep-alive',
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Accept: */*', 'Sec-Fetch-Site: same-origin', 'Sec-Fetch-Mode: no-cors', 'Sec-Fetch-Dest: script',
  'Referer: https://www.example.com/', 'Accept-Encoding: gzip, deflate, br', 'Accept-Language: en-US,en;q=0.9',
  'Cookie: session=abcdef0123456789; theme=dark', 'If-None-Match: "5f2b-18c3"', '', '',
].join('\r\n'));
// The same minimal request inside a 64 KiB recv buffer, as the engine sees it.
const RECV = new Uint8Array(65536);
RECV.set(MINIMAL, 0);

const out = new Uint8Array(16 * 1024);
const dates = new DateCache();
const engine: EngineHeaders = { date: dates.bytes(), server: 'sluice', contentLength: 13, chunked: false, close: false };
const helloHeaders = { 'content-type': 'text/plain' };
const CHUNKED = latin1('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');

const cases: Array<[string, number, () => number]> = [
  ['parseRequestHead minimal', MINIMAL.length, () => headSize(parseRequestHead(MINIMAL, 0, MINIMAL.length))],
  ['parseRequestHead minimal in 64 KiB buf', MINIMAL.length, () => headSize(parseRequestHead(RECV, 0, MINIMAL.length))],
  ['parseRequestHead typical (wrk)', TYPICAL.length, () => headSize(parseRequestHead(TYPICAL, 0, TYPICAL.length))],
  ['parseRequestHead browser', BROWSER.length, () => headSize(parseRequestHead(BROWSER, 0, BROWSER.length))],
  ['parse + wantsKeepAlive', TYPICAL.length, () => {
    const r = parseRequestHead(TYPICAL, 0, TYPICAL.length);
    return r.kind === 'head' && wantsKeepAlive(r.head) ? 1 : 0;
  }],
  ['composeResponseHead hello', 0, () => composeResponseHead(out, 0, 200, helloHeaders, { ...engine, date: dates.bytes() })],
  ...((): Array<[string, number, () => number]> => {
    const peer = llhttpParse(TYPICAL);
    return peer === null ? [] : [['peer: node llhttp binding, typical', TYPICAL.length, peer]];
  })(),
  ['ChunkedDecoder 2 chunks', CHUNKED.length, () => decodeAll(CHUNKED)],
  ['DateCache.bytes', 0, () => dates.bytes().length],
];

/**
 * Peer anchor: llhttp through node's own binding (what node:http runs per request, minus IncomingMessage),
 * fed the same bytes, with the headers-complete callback node:http relies on. Null when the binding is gone.
 */
function llhttpParse(bytes: Uint8Array): (() => number) | null {
  try {
    process.noDeprecation = true; // process.binding warns once; the number is what we want here
    const binding = (process as unknown as { binding(name: string): unknown }).binding('http_parser');
    const { HTTPParser } = binding as { HTTPParser: LlhttpParserClass };
    const parser = new HTTPParser();
    let seen = 0;
    parser[HTTPParser.kOnHeadersComplete] = (_maj: number, _min: number, headers: string[], _m: number, url: string) => {
      seen += headers.length + url.length;
      return 0;
    };
    parser[HTTPParser.kOnMessageComplete] = () => 0;
    parser.initialize(HTTPParser.REQUEST, {});
    const input = Buffer.from(bytes);
    return () => {
      parser.execute(input);
      return seen;
    };
  } catch {
    return null;
  }
}

interface LlhttpParser {
  [slot: number]: (...args: never[]) => number;
  initialize(kind: number, resource: object): void;
  execute(data: Buffer): unknown;
}
interface LlhttpParserClass {
  new (): LlhttpParser;
  REQUEST: number;
  kOnHeadersComplete: number;
  kOnMessageComplete: number;
}

function headSize(r: ReturnType<typeof parseRequestHead>): number {
  if (r.kind !== 'head') throw new Error(`bench input did not parse: ${r.kind}`);
  return r.consumed;
}

function decodeAll(buf: Uint8Array): number {
  const d = new ChunkedDecoder();
  let pos = 0;
  let data = 0;
  for (;;) {
    const step = d.decode(buf, pos, buf.length);
    if (step.kind === 'data') {
      data += step.end - step.start;
      pos += step.consumed;
    } else if (step.kind === 'done') return data;
    else throw new Error(`bench body did not decode: ${step.kind}`);
  }
}

let total = 0;
const results = new Map<string, number>();
console.log(`${'case'.padEnd(40)} ${'bytes'.padStart(6)} ${'ns/op'.padStart(9)} ${'ops/s'.padStart(12)}`);
for (const [name, bytes, op] of cases) {
  const { ns, sink } = measure(op);
  total += sink;
  results.set(name, ns);
  console.log(`${name.padEnd(40)} ${String(bytes).padStart(6)} ${ns.toFixed(1).padStart(9)} ${Math.round(1e9 / ns).toLocaleString('en-US').padStart(12)}`);
}
const ours = results.get('parseRequestHead typical (wrk)')!;
const peer = results.get('peer: node llhttp binding, typical');
if (peer !== undefined) console.log(`typical head: sluice / llhttp-binding = ${(ours / peer).toFixed(2)} (same run)`);
if (total === 0) console.log('(sink)'); // keeps every result observable
