// Tests for `sluice` argument parsing: every flag, defaults, the optional --access-log value, and usage errors.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PORT, fillAccessLogValue, parseCliArgs, USAGE, type CliCommand, type ServeConfig } from '../../src/cli/args.js';

const DIR = mkdtempSync(join(tmpdir(), 'sluice-args-'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

const DEFAULTS: ServeConfig = {
  dir: null, port: DEFAULT_PORT, host: '', workers: 1, gzip: false, accessLog: null, jsonLog: false, quiet: false,
};

const serves = test.macro({
  exec(t, argv: string[], expected: Partial<ServeConfig>) {
    t.deepEqual(parseCliArgs(argv, () => 6), { kind: 'serve', config: { ...DEFAULTS, ...expected } });
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

test('--access-log followed by an existing directory treats it as the dir to serve, not the log file', (t) => {
  t.deepEqual(parseCliArgs(['serve', '--access-log', DIR]), { kind: 'serve', config: { ...DEFAULTS, dir: DIR, accessLog: '-' } });
  t.deepEqual(fillAccessLogValue(['serve', '--access-log', DIR]), ['serve', '--access-log=-', DIR]);
  t.deepEqual(fillAccessLogValue(['serve', '--', '--access-log']), ['serve', '--', '--access-log']);
});

test('--workers auto is at least 1 even when the CPU count is unknown', (t) => {
  const cmd = parseCliArgs(['serve', '--workers', 'auto'], () => 0);
  t.is(cmd.kind === 'serve' ? cmd.config.workers : -1, 1);
});

test('--help and --version win over everything else', (t) => {
  t.deepEqual(parseCliArgs(['--help']), { kind: 'help' });
  t.deepEqual(parseCliArgs(['serve', 'x', '-h']), { kind: 'help' });
  t.deepEqual(parseCliArgs(['--version']), { kind: 'version' });
  t.deepEqual(parseCliArgs(['-v']), { kind: 'version' });
  t.true(USAGE.includes('--workers'));
});

const rejects = test.macro({
  exec(t, argv: string[], message: RegExp) {
    const cmd: CliCommand = parseCliArgs(argv);
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
test(rejects, ['serve', '--port', '-1'], /--port/);
test(rejects, ['serve', '--workers', '0'], /--workers must be a positive number/);
test(rejects, ['serve', '--workers', 'many'], /--workers must be a positive number/);
test(rejects, ['serve', '--gzip=yes'], /gzip/);
