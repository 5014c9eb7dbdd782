// Tests for `sluice` argument parsing: every flag, defaults, optional values, --config files, SLUICE_AUTH, and usage errors.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVE_CONFIG, parseCliArgs, rewriteArgv, USAGE, type CliCommand, type ServeConfig } from '../../src/cli/args.js';

const DIR = mkdtempSync(join(tmpdir(), 'sluice-args-'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

const DEFAULTS: ServeConfig = DEFAULT_SERVE_CONFIG;
const NO_ENV: NodeJS.ProcessEnv = {};

function parse(argv: string[], env: NodeJS.ProcessEnv = NO_ENV): CliCommand {
  return parseCliArgs(argv, () => 6, env);
}

const serves = test.macro({
  exec(t, argv: string[], expected: Partial<ServeConfig>) {
    t.deepEqual(parse(argv), { kind: 'serve', config: { ...DEFAULTS, ...expected } });
  },
  title: (_, argv: string[]) => `parseCliArgs serves for: ${argv.join(' ')}`,
});

test(serves, ['serve'], {});
test(serves, ['serve', './public'], { dir: './public' });
test(serves, ['serve', 'site', '--port', '9000'], { dir: 'site', port: 9000 });
test(serves, ['serve', '-p', '0'], { port: 0 });
test(serves, ['serve', '--port=65535'], { port: 65535 });
test(serves, ['serve', '--host', '127.0.0.1'], { host: '127.0.0.1' });
test(serves, ['serve', '-H', '::1'], { host: '::1' });
test(serves, ['serve', '--workers', '4'], { workers: 4 });
test(serves, ['serve', '-w', 'auto'], { workers: 6 });
test(serves, ['serve', '--gzip', '--quiet'], { gzip: true, quiet: true });
test(serves, ['serve', '-q'], { quiet: true });
test(serves, ['serve', '--access-log'], { accessLog: '-' });
test(serves, ['serve', '--access-log', 'access.log'], { accessLog: 'access.log' });
test(serves, ['serve', '--access-log=access.log', 'site'], { accessLog: 'access.log', dir: 'site' });
test(serves, ['serve', '--access-log', '--gzip'], { accessLog: '-', gzip: true });
test(serves, ['serve', '--access-log='], { accessLog: '-' });
test(serves, ['serve', '--json-log'], { accessLog: '-', jsonLog: true });
test(serves, ['serve', '--json-log', '--access-log', 'a.log'], { accessLog: 'a.log', jsonLog: true });
test(serves, ['serve', '--', '--weird-dir'], { dir: '--weird-dir' });
test(serves, ['serve', 'site', '--list'], { dir: 'site', list: true });
test(serves, ['serve', 'site', '-l'], { dir: 'site', list: true });
test(serves, ['serve', 'site', '--single'], { dir: 'site', single: 'index.html' });
test(serves, ['serve', 'site', '-s'], { dir: 'site', single: 'index.html' });
test(serves, ['serve', 'site', '--single', 'app.html'], { dir: 'site', single: 'app.html' });
test(serves, ['serve', 'site', '--single', '--list'], { dir: 'site', single: 'index.html', list: true });
test(serves, ['serve', 'site', '--single=shell/app.html'], { dir: 'site', single: 'shell/app.html' });
test(serves, ['serve', 'site', '--clean-urls'], { dir: 'site', cleanUrls: true });
test(serves, ['serve', 'site', '--404', 'missing.html'], { dir: 'site', notFound: 'missing.html' });
test(serves, ['serve', 'site', '--404', '/srv/errors/404.html'], { dir: 'site', notFound: '/srv/errors/404.html' });
test(serves, ['serve', '--cors'], { cors: '*' });
test(serves, ['serve', '--cors', 'https://a.example'], { cors: 'https://a.example' });
test(serves, ['serve', '--cors', 'https://a.example, https://b.example:8443'], { cors: 'https://a.example,https://b.example:8443' });
test(serves, ['serve', '--cors', '--gzip'], { cors: '*', gzip: true });
test(serves, ['serve', 'site', '--max-age', '3600'], { dir: 'site', maxAge: 3600 });
test(serves, ['serve', 'site', '--max-age', '0', '--immutable'], { dir: 'site', maxAge: 0, immutable: true });
test(serves, ['serve', 'site', '--immutable-hashed'], { dir: 'site', immutableHashed: true });
test(serves, ['serve', '--header', 'X-Frame-Options: DENY', '--header', 'X-A: 1'], { headers: ['X-Frame-Options: DENY', 'X-A: 1'] });
test(serves, ['serve', 'site', '--dotfiles', 'deny'], { dir: 'site', dotfiles: 'deny' });
test(serves, ['serve', 'site', '--dotfiles', 'allow', '--symlinks', 'follow'], { dir: 'site', dotfiles: 'allow', symlinks: 'follow' });
test(serves, ['serve', 'site', '--symlinks', 'deny'], { dir: 'site', symlinks: 'deny' });
test(serves, ['serve', '--auth', 'admin:pa:ss'], { auth: 'admin:pa:ss' });
test(serves, ['serve', 'site', '--precompressed'], { dir: 'site', precompressed: true });

test('--access-log, --single and --cors followed by an existing directory treat it as the dir to serve', (t) => {
  t.deepEqual(parse(['serve', '--access-log', DIR]), { kind: 'serve', config: { ...DEFAULTS, dir: DIR, accessLog: '-' } });
  t.deepEqual(parse(['serve', '--single', DIR]), { kind: 'serve', config: { ...DEFAULTS, dir: DIR, single: 'index.html' } });
  t.deepEqual(parse(['serve', '--cors', DIR]), { kind: 'serve', config: { ...DEFAULTS, dir: DIR, cors: '*' } });
  t.deepEqual(rewriteArgv(['serve', '--access-log', DIR]), ['serve', '--access-log=-', DIR]);
  t.deepEqual(rewriteArgv(['serve', '--', '--access-log']), ['serve', '--', '--access-log']);
  t.deepEqual(rewriteArgv(['serve', '-p', '-1', '-s']), ['serve', '--port=-1', '--single=']);
});

test('SLUICE_AUTH supplies --auth so the password stays out of ps; the flag wins', (t) => {
  t.deepEqual(parse(['serve'], { SLUICE_AUTH: 'u:p' }), { kind: 'serve', config: { ...DEFAULTS, auth: 'u:p' } });
  t.deepEqual(parse(['serve', '--auth', 'a:b'], { SLUICE_AUTH: 'u:p' }), { kind: 'serve', config: { ...DEFAULTS, auth: 'a:b' } });
  t.deepEqual(parse(['serve'], { SLUICE_AUTH: '' }), { kind: 'serve', config: DEFAULTS });
  const bad = parse(['serve'], { SLUICE_AUTH: 'nocolon' });
  t.is(bad.kind, 'usage-error');
});

test('--config reads options from a JSON file; flags win; a relative dir is relative to the file', (t) => {
  const file = join(DIR, 'sluice.json');
  writeFileSync(file, JSON.stringify({
    dir: 'public', port: 9000, list: true, single: true, cleanUrls: true, cors: ['https://a.example'], maxAge: 60,
    headers: { 'X-Frame-Options': 'DENY' }, dotfiles: 'deny', accessLog: true, workers: 'auto', notFound: 'oops.html',
  }));
  t.deepEqual(parse(['serve', '--config', file, '--port', '9001']), {
    kind: 'serve',
    config: {
      ...DEFAULTS, dir: join(DIR, 'public'), port: 9001, list: true, single: 'index.html', cleanUrls: true, cors: 'https://a.example',
      maxAge: 60, headers: ['X-Frame-Options: DENY'], dotfiles: 'deny', accessLog: '-', workers: 6, notFound: 'oops.html',
    },
  });
  // The dir on the command line wins over the file's.
  const cmd = parse(['serve', 'other', '-c', file]);
  t.is(cmd.kind === 'serve' ? cmd.config.dir : null, 'other');
  const off = join(DIR, 'off.json');
  writeFileSync(off, JSON.stringify({ single: false, cors: false, accessLog: false, headers: ['X-A: 1'] }));
  t.deepEqual(parse(['serve', '-c', off]), { kind: 'serve', config: { ...DEFAULTS, headers: ['X-A: 1'] } });
});

let configFiles = 0;
const configRejects = test.macro({
  exec(t, content: string, message: RegExp) {
    const file = join(DIR, `bad-${++configFiles}.json`);
    writeFileSync(file, content);
    const cmd = parse(['serve', '--config', file]);
    t.is(cmd.kind, 'usage-error');
    if (cmd.kind === 'usage-error') t.regex(cmd.message, message);
  },
  title: (provided = '') => `--config is a usage error for ${provided}`,
});

test('an unknown key, naming the nearest', configRejects, '{"cleanURL": true}', /unknown key 'cleanURL' \(did you mean 'cleanUrls'\?\)/);
test('an unknown key with no near one', configRejects, '{"zzzzzzzz": 1}', /unknown key 'zzzzzzzz'; known keys: dir, port/);
test('a wrong type', configRejects, '{"port": "80"}', /'port' must be a port number, got "80"/);
test('a bad value', configRejects, '{"port": 70000}', /--port must be a number from 0 to 65535/);
test('bad headers', configRejects, '{"headers": {"X": 1}}', /'headers' must be an object of name: value pairs/);
test('not JSON', configRejects, '{port: 1}', /is not valid JSON/);
test('not an object', configRejects, '[1]', /must hold a JSON object/);

test('--config names a file that cannot be read', (t) => {
  const cmd = parse(['serve', '--config', join(DIR, 'none.json')]);
  t.deepEqual(cmd, { kind: 'usage-error', message: `cannot read config file ${join(DIR, 'none.json')}: no such file` });
});

test('--workers auto is at least 1 even when the CPU count is unknown', (t) => {
  const cmd = parseCliArgs(['serve', '--workers', 'auto'], () => 0, NO_ENV);
  t.is(cmd.kind === 'serve' ? cmd.config.workers : -1, 1);
});

test('--help and --version win over everything else', (t) => {
  t.deepEqual(parse(['--help']), { kind: 'help' });
  t.deepEqual(parse(['serve', 'x', '-h']), { kind: 'help' });
  t.deepEqual(parse(['--version']), { kind: 'version' });
  t.deepEqual(parse(['-v']), { kind: 'version' });
  for (const flag of ['--workers', '--list', '--single', '--clean-urls', '--404', '--cors', '--max-age', '--immutable', '--immutable-hashed',
    '--header', '--dotfiles', '--symlinks', '--auth', 'SLUICE_AUTH', '--precompressed', '--config', '--proxy-protocol', '--trusted-proxy',
    '--forwarded-headers', '--health-path', '--metrics-path']) t.true(USAGE.includes(flag), flag);
});

const rejects = test.macro({
  exec(t, argv: string[], message: RegExp) {
    const cmd: CliCommand = parse(argv);
    t.is(cmd.kind, 'usage-error');
    if (cmd.kind === 'usage-error') t.regex(cmd.message, message);
  },
  title: (_, argv: string[]) => `parseCliArgs is a usage error for: ${argv.join(' ') || '(nothing)'}`,
});

test(rejects, [], /missing command/);
test(rejects, ['start'], /unknown command 'start'/);
test(rejects, ['serve', '--bogus'], /Unknown option '--bogus'/);
test(rejects, ['serve', '-x'], /Unknown option '-x'/);
test(rejects, ['serve', 'a', 'b'], /unexpected argument 'b'/);
test(rejects, ['serve', '--port'], /--port/);
test(rejects, ['serve', '--port', 'http'], /--port must be a number/);
test(rejects, ['serve', '--port', '65536'], /--port must be a number/);
test(rejects, ['serve', '--port', '-1'], /^--port must be a number from 0 to 65535, got '-1'$/);
test(rejects, ['serve', '-p', '-80'], /^--port must be a number from 0 to 65535, got '-80'$/);
test(rejects, ['serve', '--workers', '-2'], /^--workers must be a positive number or 'auto', got '-2'$/);
test(rejects, ['serve', '--max-age', '-5'], /^--max-age must be a whole number of seconds, got '-5'$/);
test(rejects, ['serve', '--max-age', '1.5'], /--max-age must be a whole number/);
test(rejects, ['serve', '--dotfiles', 'hide'], /^--dotfiles must be ignore, deny, allow; got 'hide'$/);
test(rejects, ['serve', '--symlinks', 'yes'], /^--symlinks must be within, follow, deny; got 'yes'$/);
test(rejects, ['serve', '--cors', 'a.example'], /^--cors: cors origin must be '\*' or origins like https:\/\/app.example/);
test(rejects, ['serve', '--cors', '*,https://a.example'], /--cors takes '\*' or a list of origins, not both/);
test(rejects, ['serve', '--auth', 'admin'], /--auth: credentials must look like 'user:password'/);
test(rejects, ['serve', '--auth', ':pw'], /--auth: credentials must look like 'user:password'/);
test(rejects, ['serve', '--header', 'NoColon'], /--header: a header must look like 'Name: value'/);
test(rejects, ['serve', '--header', 'Content-Length: 5'], /--header: header content-length cannot be set: the server writes it/);
test(rejects, ['serve', '--single', '../outside.html'], /--single must name a file inside the served directory/);
test(rejects, ['serve', '--404', 'a/../b'], /--404 must name a file inside the served directory/);
test(rejects, ['serve', '--config'], /--config/);
test(rejects, ['serve', '--workers', '0'], /--workers must be a positive number/);
test(rejects, ['serve', '--workers', 'many'], /--workers must be a positive number/);
test(rejects, ['serve', '--gzip=yes'], /gzip/);
test(rejects, ['serve', '--list'], /^--list needs a directory to serve \(sluice serve <dir> --list\)$/);
test(rejects, ['serve', '--max-age', '60'], /^--max-age needs a directory to serve/);

test(serves, ['serve', '--proxy-protocol', '--trusted-proxy', '10.0.0.0/8', '--trusted-proxy=::1'], { proxyProtocol: true, trustedProxies: ['10.0.0.0/8', '::1'] });
test(serves, ['serve', '--forwarded-headers', '--trusted-proxy', '127.0.0.1'], { forwardedHeaders: true, trustedProxies: ['127.0.0.1'] });
test(serves, ['serve', '--health-path', '/healthz', '--metrics-path', '/metrics'], { healthPath: '/healthz', metricsPath: '/metrics' });
test(serves, ['serve', '--defer-accept'], { deferAccept: true });
test('a bad --trusted-proxy range', rejects, ['serve', '--trusted-proxy', '10.0.0.0/40'], /--trusted-proxy: '10\.0\.0\.0\/40' has a bad prefix length/);
test('a --trusted-proxy that is a name', rejects, ['serve', '--trusted-proxy', 'lb.example'], /--trusted-proxy: 'lb\.example' is not an IP address/);
test('--forwarded-headers without trusted proxies', rejects, ['serve', '--forwarded-headers'], /--forwarded-headers needs --trusted-proxy/);
test('a --health-path that is not a path', rejects, ['serve', '--health-path', 'healthz'], /--health-path must be a path like \/healthz/);
test('the same --health-path and --metrics-path', rejects, ['serve', '--health-path', '/x', '--metrics-path', '/x'], /must differ/);

test('--config takes the load-balancer keys, a single trusted proxy as a string', (t) => {
  const file = join(DIR, 'lb.json');
  writeFileSync(file, JSON.stringify({ proxyProtocol: true, trustedProxies: '10.0.0.0/8', healthPath: '/healthz', metricsPath: '/metrics' }));
  t.like(parse(['serve', '-c', file]), { kind: 'serve', config: { proxyProtocol: true, trustedProxies: ['10.0.0.0/8'], healthPath: '/healthz', metricsPath: '/metrics' } });
});
test('trusted proxies of the wrong type', configRejects, '{"trustedProxies": [1]}', /'trustedProxies' must be a string or a list of strings/);
