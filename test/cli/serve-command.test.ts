// Tests for `sluice serve` in-process: error descriptions and exit codes, the banner, and startServing.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from '../../src/cli/args.js';
import { printBanner } from '../../src/cli/banner.js';
import { describeError, EXIT_FAILURE, reportFailure, startServing, type CliOutput } from '../../src/cli/serve-command.js';
import { StaticRootError } from '../../src/middleware/static/static-files.js';

const DIR = mkdtempSync(join(tmpdir(), 'sluice-serve-cmd-'));
test.before(() => writeFileSync(join(DIR, 'a.txt'), 'A'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

const CONFIG: ServeConfig = { ...DEFAULT_SERVE_CONFIG, dir: DIR, port: 0, host: '127.0.0.1' };

function recorder(): CliOutput & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => void out_.push(l), err: (l) => void err_.push(l) };
}

test('describeError gives the message of errors with a code and null for bugs', (t) => {
  t.is(describeError(new StaticRootError('ENOENT', '/x', 'directory /x does not exist')), 'directory /x does not exist');
  t.is(describeError(Object.assign(new Error('port 1 is already in use'), { code: 'EADDRINUSE' })), 'port 1 is already in use');
  t.is(describeError(new TypeError('undefined is not a function')), null);
  t.is(describeError('a string'), null);
});

test('reportFailure prints one line for expected errors and the stack for bugs, exit code 1', (t) => {
  const out = recorder();
  t.is(reportFailure(Object.assign(new Error('no permission'), { code: 'EACCES' }), out), EXIT_FAILURE);
  t.deepEqual(out.err_, ['sluice: no permission']);
  const bug = recorder();
  t.is(reportFailure(new RangeError('boom'), bug), EXIT_FAILURE);
  t.regex(bug.err_[0]!, /^sluice: unexpected error: RangeError: boom\n\s+at /);
  const odd = recorder();
  reportFailure(42, odd);
  t.deepEqual(odd.err_, ['sluice: unexpected error: 42']);
});

const LOOPBACK = [{ address: '127.0.0.1', family: 'IPv4' as const, port: 8080 }];

test('printBanner names what is served, each URL, and the effective options', (t) => {
  const out = recorder();
  printBanner({ ...CONFIG, dir: 'rel' }, LOOPBACK, 8080, out, ' with 2 workers');
  t.deepEqual(out.out_.slice(0, 2), [`sluice: serving ${resolve('rel')} with 2 workers at`, '  http://127.0.0.1:8080/']);
  t.is(out.out_[2], '  options: list off, single off, clean-urls off, 404 404.html if present, dotfiles ignore, symlinks within, ' +
    'precompressed off, cache revalidate (ETag, Last-Modified), cors off, headers none, auth off, gzip off, access-log off, workers 1, tls off');
  const site = recorder();
  printBanner({ ...CONFIG, dir: null }, LOOPBACK, 1, site);
  t.is(site.out_[0], 'sluice: serving the built-in site at');
});

test('printBanner shows every option asked for, and never the password', (t) => {
  const out = recorder();
  printBanner({
    ...CONFIG, list: true, single: 'app.html', cleanUrls: true, notFound: 'missing.html', dotfiles: 'deny', symlinks: 'follow',
    precompressed: true, maxAge: 60, immutable: true, immutableHashed: true, cors: 'https://a.example',
    headers: ['X-Frame-Options: DENY', 'X-Test: 1'], auth: 'admin:s3cr3t:x', gzip: true, accessLog: '-', jsonLog: true,
    proxyProtocol: true, trustedProxies: ['10.0.0.0/8', '::1'], forwardedHeaders: true, healthPath: '/healthz', metricsPath: '/metrics',
    deferAccept: true,
  }, LOOPBACK, 8080, out);
  const options = out.out_.at(-1)!;
  t.is(options, '  options: list on, single app.html, clean-urls on, 404 missing.html, dotfiles deny, symlinks follow, precompressed on, ' +
    'cache max-age=60 immutable, hashed names immutable, cors https://a.example, headers X-Frame-Options X-Test, auth basic (user admin), ' +
    'gzip on, access-log stdout (json), workers 1, tls off, proxy-protocol required, trusted-proxy 10.0.0.0/8 ::1, forwarded-headers on, ' +
    'health /healthz, metrics /metrics, defer-accept on');
  t.false(out.out_.join('\n').includes('s3cr3t'));
});

test('startServing listens, serves the directory, and closes gracefully', async (t) => {
  const serving = startServing(CONFIG);
  try {
    t.true(serving.port > 0);
    const res = await fetch(`http://127.0.0.1:${serving.port}/a.txt`);
    t.is(await res.text(), 'A');
  } finally {
    await serving.close();
  }
  await t.throwsAsync(fetch(`http://127.0.0.1:${serving.port}/a.txt`));
});

test('startServing throws StaticRootError for a missing directory and SysError for a taken port', (t) => {
  t.throws(() => startServing({ ...CONFIG, dir: join(DIR, 'missing') }), { instanceOf: StaticRootError });
  const first = startServing(CONFIG);
  try {
    const err = t.throws(() => startServing({ ...CONFIG, port: first.port, accessLog: join(DIR, 'unused.log') }));
    t.is((err as { code?: string }).code, 'EADDRINUSE');
  } finally {
    void first.close();
  }
});
