// Tests for the CLI's application builder: the static app or the default site, gzip, and the engine access log.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApplication } from '../../src/cli/application.js';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from '../../src/cli/args.js';
import { empty, isFlush, sinkList } from '../../src/conduit/index.js';
import { Request } from '../../src/server/request.js';
import { parseRequestHead } from '../../src/server/request-head.js';
import type { Response } from '../../src/server/types.js';

const DIR = mkdtempSync(join(tmpdir(), 'sluice-cli-app-'));
const TEXT = 'compress me '.repeat(500);
test.before(() => {
  writeFileSync(join(DIR, 'a.txt'), 'A');
  writeFileSync(join(DIR, 'big.txt'), TEXT);
});
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

const CONFIG: ServeConfig = { ...DEFAULT_SERVE_CONFIG, dir: DIR, port: 0 };

function get(path: string, extra = ''): Request {
  const buf = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`, 'latin1');
  const parsed = parseRequestHead(buf, 0, buf.length);
  if (parsed.kind !== 'head') throw new Error('bad head');
  return new Request(parsed.head, empty(), { remoteAddress: () => '10.1.1.1:5', signal: new AbortController().signal });
}

test('a directory config serves that directory; no directory serves the built-in site', async (t) => {
  const files = buildApplication(CONFIG);
  t.is(((await files.app(get('/a.txt'))) as Response).kind, 'file');
  t.deepEqual(files.settings, {});
  t.is(await files.close(), null);
  const site = buildApplication({ ...CONFIG, dir: null });
  t.regex(Buffer.from(((await site.app(get('/'))) as Extract<Response, { kind: 'bytes' }>).body).toString(), /Sluice is running/);
});

test('--gzip compresses a compressible file for a client that accepts gzip, and leaves it alone otherwise', async (t) => {
  const built = buildApplication({ ...CONFIG, gzip: true });
  const zipped = (await built.app(get('/big.txt', 'Accept-Encoding: gzip\r\n'))) as Response;
  t.is(zipped.headers['content-encoding'], 'gzip');
  t.is(zipped.kind, 'stream');
  if (zipped.kind === 'stream') {
    const chunks = await zipped.body.run(sinkList());
    const { gunzipSync } = await import('node:zlib');
    t.is(gunzipSync(Buffer.concat(chunks.filter((c): c is Uint8Array => !isFlush(c)))).toString(), TEXT);
  }
  const plain = (await built.app(get('/big.txt'))) as Response;
  t.is(plain.kind, 'file');
  t.false('content-encoding' in plain.headers);
});

test('--access-log sets the engine logger hook and close() flushes the file', async (t) => {
  const path = join(DIR, 'a.log');
  const built = buildApplication({ ...CONFIG, accessLog: path, jsonLog: true });
  t.is(typeof built.settings.logger, 'function');
  built.settings.logger!({ request: get('/a.txt'), status: 200, bytes: 1, durationMs: 0.1 });
  t.is(await built.close(), null);
  t.like(JSON.parse(readFileSync(path, 'utf8')), { target: '/a.txt', status: 200, remote: '10.1.1.1' });
});

test('an access log that cannot be written is reported at close with the lines lost', async (t) => {
  const built = buildApplication({ ...CONFIG, accessLog: join(DIR, 'no', 'such', 'dir', 'x.log') });
  built.settings.logger!({ request: get('/a.txt'), status: 200, bytes: 1, durationMs: 0.1 });
  await new Promise((r) => setTimeout(r, 200));
  built.settings.logger!({ request: get('/a.txt'), status: 200, bytes: 1, durationMs: 0.1 });
  const warning = await built.close();
  t.regex(warning ?? '', /^access log .*x\.log: ENOENT.*; \d+ line\(s\) dropped$/);
});
