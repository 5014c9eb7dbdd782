// Settings: defaults filled in, ranges checked, each bad value a TypeError naming the setting.
import test from 'ava';
import { OptionError } from '../../src/server/option-error.js';
import { DEFAULT_SETTINGS, defaultOnException, resolveSettings, type Settings } from '../../src/server/settings.js';

test('resolveSettings with nothing gives the documented defaults', (t) => {
  const s = resolveSettings();
  t.is(s.port, 3000);
  t.is(s.host, '');
  t.is(s.backlog, 4096);
  t.false(s.reusePort);
  t.is(s.fd, null);
  t.is(s.idleTimeoutMs, 65_000);
  t.is(s.headerTimeoutMs, 30_000);
  t.is(s.bodyTimeoutMs, 30_000);
  t.is(s.sendTimeoutMs, 60_000);
  t.deepEqual(s.headLimits, { maxHeaderBytes: 65536, maxTargetBytes: 8192, maxHeaders: 100 });
  t.is(s.maxBodyBytes, Number.MAX_SAFE_INTEGER);
  t.is(s.maxBodyFlush, 8192);
  t.is(s.serverName, 'Sluice');
  t.is(s.gracefulShutdownMs, 10_000);
  t.is(s.onException, defaultOnException);
  t.is(s.logger, null);
});

test('idle timeout outlasts the common 60 s load-balancer idle timeout', (t) => {
  t.true(DEFAULT_SETTINGS.idleTimeoutMs > 60_000);
});

test('the defaults are frozen and resolveSettings returns a fresh object', (t) => {
  t.true(Object.isFrozen(DEFAULT_SETTINGS));
  t.true(Object.isFrozen(DEFAULT_SETTINGS.headLimits));
  const a = resolveSettings();
  a.port = 1;
  a.headLimits.maxHeaders = 1;
  t.is(resolveSettings().port, 3000);
  t.is(resolveSettings().headLimits.maxHeaders, 100);
});

test('given fields override defaults; partial headLimits keep the other limits', (t) => {
  const s = resolveSettings({ port: 0, host: '127.0.0.1', headLimits: { maxTargetBytes: 100 } as Settings['headLimits'] });
  t.is(s.port, 0);
  t.is(s.host, '127.0.0.1');
  t.deepEqual(s.headLimits, { maxHeaderBytes: 65536, maxTargetBytes: 100, maxHeaders: 100 });
});

const bad: Array<[string, Partial<Settings>, RegExp]> = [
  ['a negative port', { port: -1 }, /settings\.port/],
  ['a port above 65535', { port: 65536 }, /settings\.port/],
  ['a fractional port', { port: 80.5 }, /settings\.port/],
  ['a string port', { port: '80' as unknown as number }, /settings\.port/],
  ['a negative idle timeout', { idleTimeoutMs: -1 }, /settings\.idleTimeoutMs/],
  ['a NaN header timeout', { headerTimeoutMs: NaN }, /settings\.headerTimeoutMs/],
  ['a string body timeout', { bodyTimeoutMs: '5' as unknown as number }, /settings\.bodyTimeoutMs/],
  ['a negative send timeout', { sendTimeoutMs: -5 }, /settings\.sendTimeoutMs/],
  ['a negative grace period', { gracefulShutdownMs: -1 }, /settings\.gracefulShutdownMs/],
  ['a negative body flush', { maxBodyFlush: -1 }, /settings\.maxBodyFlush/],
  ['a negative minimum rate', { minBodyBytesPerSecond: -1 }, /settings\.minBodyBytesPerSecond/],
  ['a negative backlog', { backlog: -1 }, /settings\.backlog/],
  ['a negative body limit', { maxBodyBytes: -1 }, /settings\.maxBodyBytes/],
  ['a NaN body limit', { maxBodyBytes: NaN }, /settings\.maxBodyBytes/],
  ['a CR in serverName', { serverName: 'x\r\nInjected: 1' }, /settings\.serverName/],
  ['a LF in serverName', { serverName: 'x\ny' }, /settings\.serverName/],
  ['a NUL in serverName', { serverName: 'x\0' }, /settings\.serverName/],
];

for (const [what, partial, message] of bad) {
  test(`resolveSettings rejects ${what} with a TypeError naming it`, (t) => {
    const e = t.throws(() => resolveSettings(partial), { instanceOf: TypeError });
    t.regex(e!.message, message);
  });
}

test('zero is accepted for timeouts and limits (0 = off or immediate)', (t) => {
  const s = resolveSettings({ idleTimeoutMs: 0, maxBodyBytes: 0, maxBodyFlush: 0, minBodyBytesPerSecond: 0, port: 0 });
  t.is(s.maxBodyBytes, 0);
  t.is(s.minBodyBytesPerSecond, 0);
});

test('defaultOnException stays quiet for ordinary network events and prints the rest', (t) => {
  const printed: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args);
  try {
    for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECANCELED', 'ABORT_ERR']) {
      defaultOnException(Object.assign(new Error(code), { code }));
    }
    t.is(printed.length, 0);
    const e = new Error('app bug');
    defaultOnException(e);
    defaultOnException('a string');
    defaultOnException(null);
    t.is(printed.length, 3);
    t.is(printed[0]![1], e);
  } finally {
    console.error = original;
  }
});

test('resolveSettings rejects a misspelled key with an OptionError naming it and the nearest key', (t) => {
  const e = t.throws(() => resolveSettings({ idleTimeoutMS: 5 } as Partial<Settings>), { instanceOf: OptionError });
  t.is(e!.code, 'UNKNOWN_OPTION');
  t.is(e!.key, 'idleTimeoutMS');
  t.is(e!.suggestion, 'idleTimeoutMs');
  t.is(e!.message, "unknown setting 'idleTimeoutMS' (did you mean 'idleTimeoutMs'?)");
  t.true(e instanceof TypeError);
  const far = t.throws(() => resolveSettings({ zzz: 1 } as Partial<Settings>), { instanceOf: OptionError });
  t.regex(far!.message, /^unknown setting 'zzz'; known keys: port, host, /);
  const limit = t.throws(() => resolveSettings({ headLimits: { maxHeader: 1 } as unknown as Settings['headLimits'] }), { instanceOf: OptionError });
  t.is(limit!.message, "unknown headLimits key 'maxHeader' (did you mean 'maxHeaders'?)");
});

test('resolveSettings rejects a bad value with an OptionError INVALID_OPTION naming the key', (t) => {
  const e = t.throws(() => resolveSettings({ port: -1 }), { instanceOf: OptionError });
  t.is(e!.code, 'INVALID_OPTION');
  t.is(e!.key, 'port');
  t.throws(() => resolveSettings({ host: 1 as unknown as string }), { message: /settings\.host must be a string/ });
  t.throws(() => resolveSettings({ onException: null as unknown as Settings['onException'] }), { message: /settings\.onException must be a function, got object/ });
  t.throws(() => resolveSettings({ logger: 'yes' as unknown as Settings['logger'] }), { message: /settings\.logger must be a function or null, got string/ });
  t.throws(() => resolveSettings(null as unknown as Partial<Settings>), { message: /settings must be an object, got null/ });
});

test('resolveSettings treats an explicit undefined as the default', (t) => {
  const s = resolveSettings({ port: undefined, host: undefined } as unknown as Partial<Settings>);
  t.is(s.port, 3000);
  t.is(s.host, '');
});

test('proxy settings: trustedProxies must be CIDR ranges, the switches booleans, forwardedHeaders needs trusted proxies', (t) => {
  t.like(resolveSettings({ proxyProtocol: true, trustedProxies: ['10.0.0.0/8', '::1'] }), { proxyProtocol: true, forwardedHeaders: false });
  t.like(t.throws(() => resolveSettings({ trustedProxies: ['10.0.0.0/40'] }))!, { code: 'INVALID_OPTION', key: 'trustedProxies' });
  t.like(t.throws(() => resolveSettings({ trustedProxies: '10.0.0.0/8' as unknown as string[] }))!, { key: 'trustedProxies' });
  t.like(t.throws(() => resolveSettings({ proxyProtocol: 'yes' as unknown as boolean }))!, { key: 'proxyProtocol' });
  t.like(t.throws(() => resolveSettings({ deferAccept: 'yes' as unknown as boolean }))!, { key: 'deferAccept' });
  t.like(t.throws(() => resolveSettings({ forwardedHeaders: true }))!, { key: 'forwardedHeaders' });
  t.like(resolveSettings({ forwardedHeaders: true, trustedProxies: ['127.0.0.1'] }), { forwardedHeaders: true });
});
