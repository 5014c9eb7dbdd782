// Tests for the CLI's application builder: the static app or the default site, gzip by lookup, the access log.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApplication, lookupMiddleware, MissingMiddlewareError } from '../../src/cli/application.js';
import type { ServeConfig } from '../../src/cli/args.js';
import { empty } from '../../src/conduit/index.js';
import { Request } from '../../src/server/request.js';
import { parseRequestHead } from '../../src/server/request-head.js';
import { respond } from '../../src/server/response.js';
import type { Application, Response } from '../../src/server/types.js';

const DIR = mkdtempSync(join(tmpdir(), 'sluice-cli-app-'));
test.before(() => writeFileSync(join(DIR, 'a.txt'), 'A'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

const CONFIG: ServeConfig = {
  dir: DIR, port: 0, host: '', workers: 1, gzip: false, accessLog: null, jsonLog: false, quiet: false,
};

function get(path: string): Request {
  const buf = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1');
  const parsed = parseRequestHead(buf, 0, buf.length);
  if (parsed.kind !== 'head') throw new Error('bad head');
  return new Request(parsed.head, empty(), { remoteAddress: () => '10.1.1.1:5', signal: new AbortController().signal });
}

test('a directory config serves that directory; no directory serves the built-in site', async (t) => {
  const files = buildApplication(CONFIG);
  t.is(((await files.app(get('/a.txt'))) as Response).kind, 'file');
  t.deepEqual(files.settings, {});
  const site = buildApplication({ ...CONFIG, dir: null });
  t.regex(Buffer.from(((await site.app(get('/'))) as Extract<Response, { kind: 'bytes' }>).body).toString(), /Sluice is running/);
  await files.close();
});

test('--gzip wraps the app with the gzip middleware found by name', async (t) => {
  const wrapped: string[] = [];
  const lookup = (name: string) => (name === 'gzip' ? () => (inner: Application): Application => {
    wrapped.push('gzip');
    return (req) => (req.path === '/z' ? respond.text(200, 'zipped') : inner(req));
  } : null);
  const built = buildApplication({ ...CONFIG, gzip: true }, lookup);
  t.deepEqual(wrapped, ['gzip']);
  t.is(((await built.app(get('/z'))) as Response).status, 200);
});

test('--gzip without a gzip middleware is a MissingMiddlewareError naming the flag', (t) => {
  const err = t.throws(() => buildApplication({ ...CONFIG, gzip: true }, () => null), { instanceOf: MissingMiddlewareError });
  t.is((err as MissingMiddlewareError).code, 'MISSING_MIDDLEWARE');
  t.regex(err!.message, /^--gzip needs the gzip\(\) middleware/);
});

test('lookupMiddleware finds exported factories and nothing else', (t) => {
  t.is(typeof lookupMiddleware('compose'), 'function');
  t.is(lookupMiddleware('noSuchMiddleware'), null);
});

test('--access-log sets the engine logger hook and close() flushes the file', async (t) => {
  const path = join(DIR, 'a.log');
  const built = buildApplication({ ...CONFIG, accessLog: path, jsonLog: true });
  t.is(typeof built.settings.logger, 'function');
  built.settings.logger!({ request: get('/a.txt'), status: 200, bytes: 1, durationMs: 0.1 });
  await built.close();
  t.like(JSON.parse(readFileSync(path, 'utf8')), { target: '/a.txt', status: 200, remote: '10.1.1.1' });
});
