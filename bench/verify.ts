// Response check before load: a fast wrong server must not win, so each target must first answer the scenario's
// request with the expected status and body length (decoded length, for gzip).
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import WebSocket from 'ws';
import type { Expectation, Scenario } from './scenarios.js';

/** A response as seen by the checker. */
export interface Observed {
  status: number;
  encoding: string | undefined;
  body: Buffer | null;
  bodyBytes: number;
}

/** Size of the body the echo check sends (the load itself uploads 64 MiB). */
export const ECHO_PROBE_BYTES = 4096;

/** Compares an observed response with the expectation; returns the problem, or null when it matches. */
export function checkResponse(expect: Expectation, seen: Observed, echoed?: Buffer): string | null {
  if (seen.status !== expect.status) return `status ${seen.status}, expected ${expect.status}`;
  if (expect.encoding === 'gzip') {
    if (seen.encoding !== 'gzip') return `content-encoding ${seen.encoding ?? '(none)'}, expected gzip`;
    let decoded: Buffer;
    try {
      decoded = gunzipSync(seen.body ?? Buffer.alloc(0));
    } catch (err) {
      return `body is not valid gzip: ${(err as Error).message}`;
    }
    return decoded.length === expect.bodyBytes ? null : `decoded body ${decoded.length} B, expected ${expect.bodyBytes} B`;
  }
  if (echoed) return seen.body !== null && seen.body.equals(echoed) ? null : `echo differs from the ${echoed.length} B sent (got ${seen.bodyBytes} B)`;
  return seen.bodyBytes === expect.bodyBytes ? null : `body ${seen.bodyBytes} B, expected ${expect.bodyBytes} B`;
}

/** Sends one request and collects status, encoding and body (bodies are kept only when `keepBody`). */
export function fetchOnce(port: number, path: string, opts: { method?: string; headers?: Record<string, string>;
  body?: Buffer; keepBody: boolean; timeoutMs?: number }): Promise<Observed> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', agent: false, headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      let bodyBytes = 0;
      res.on('data', (c: Buffer) => {
        bodyBytes += c.length;
        if (opts.keepBody) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, encoding: res.headers['content-encoding'],
        body: opts.keepBody ? Buffer.concat(chunks) : null, bodyBytes }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(Object.assign(new Error('verify request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Parses "Name: value" header lines into an object. */
export function parseHeaderLines(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) out[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return out;
}

/** A WebSocket target: /echo echoes a binary probe; /sub gets what /pub is sent. Resolves the problem, or null. */
async function verifyWebSocket(port: number, bytes: number): Promise<string | null> {
  const open = (path: string): Promise<WebSocket> => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`no upgrade: status ${res.statusCode ?? 0}`)));
  });
  const message = (ws: WebSocket): Promise<Buffer> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5000);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
  const probe = Buffer.alloc(bytes, 'sluice-ws-probe ');
  const [echo, sub, pub] = await Promise.all([open('/echo'), open('/sub'), open('/pub')]);
  try {
    const echoed = message(echo);
    echo.send(probe);
    if (!(await echoed).equals(probe)) return `/echo answered something other than the ${bytes} B probe`;
    // The subscriber joined in the server's open hook; give a server that answers 101 first a moment to get there.
    await new Promise((r) => setTimeout(r, 100));
    const published = message(sub);
    pub.send(probe);
    return (await published).equals(probe) ? null : '/sub did not get the message sent to /pub';
  } finally {
    for (const ws of [echo, sub, pub]) ws.terminate();
  }
}

/** Verifies a target for one scenario; returns the problem, or null when the response is right. */
export async function verifyTarget(port: number, path: string, s: Scenario): Promise<string | null> {
  try {
    if (s.load.kind === 'ws' || s.load.kind === 'ws-idle') return await verifyWebSocket(port, s.expect.bodyBytes);
    if (s.load.kind === 'upload') {
      const probe = Buffer.alloc(ECHO_PROBE_BYTES, 'sluice-echo-probe ');
      const seen = await fetchOnce(port, path, { method: 'POST', body: probe, keepBody: true,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(probe.length) } });
      return checkResponse({ status: s.expect.status, bodyBytes: probe.length }, seen, probe);
    }
    const headers = s.load.kind === 'wrk' ? parseHeaderLines(s.load.headers) : {};
    const seen = await fetchOnce(port, path, { headers, keepBody: s.expect.encoding !== undefined });
    return checkResponse(s.expect, seen);
  } catch (err) {
    return `request failed: ${(err as Error).message}`;
  }
}
