// In-memory requests for middleware unit tests: a parsed head, a body Source, no socket.
import { empty, type Source } from '../../src/conduit/index.js';
import { parseRequestHead } from '../../src/server/request-head.js';
import { Request } from '../../src/server/request.js';

/** A Request parsed from a method, target and header lines, with `body` as its body. */
export function fakeRequest(method: string, target: string, headers: Record<string, string> = {}, body: Source<Uint8Array> = empty(),
  remoteAddress: string | null = '127.0.0.1:40000'): Request {
  const lines = Object.entries(headers).map(([n, v]) => `${n}: ${v}\r\n`).join('');
  const bytes = Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: x\r\n${lines}\r\n`, 'latin1');
  const r = parseRequestHead(bytes, 0, bytes.length);
  if (r.kind !== 'head') throw new Error(`bad fake head: ${r.kind}`);
  return new Request(r.head, body, { remoteAddress: () => remoteAddress, signal: new AbortController().signal }, Date.UTC(2024, 0, 2, 3, 4, 5));
}
