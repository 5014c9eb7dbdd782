// `--cors`, `--auth` and `--header` over real sockets, alone and combined: preflights answered 204 with the
// Access-Control-Allow-* fields and Vary: Origin (before auth, as browsers send no credentials on a preflight), 401
// with WWW-Authenticate, and fixed headers on every response, errors included.
import test from './transport.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, withFlags } from './serve-flags.js';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-access-'));
const ORIGIN = 'https://app.example';
const PREFLIGHT = { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-token, range' };
const BASIC = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

test.before(() => writeFileSync(join(ROOT, 'data.json'), '{"ok":true}'));
test.after.always(() => rmSync(ROOT, { recursive: true, force: true }));

test('--cors answers a preflight OPTIONS with 204, Access-Control-Allow-* and Vary: Origin', async (t) => {
  await withFlags([ROOT, '--cors'], async (port) => {
    const res = await ask(port, 'OPTIONS', '/data.json', PREFLIGHT);
    t.is(res.status, 204);
    t.is(res.headers['access-control-allow-origin'], '*');
    t.is(res.headers['access-control-allow-methods'], 'GET, HEAD');
    t.is(res.headers['access-control-allow-headers'], 'x-token, range');
    t.is(res.headers['access-control-max-age'], '600');
    t.regex(res.headers.vary!, /^Origin, /);
    t.is(res.body.length, 0);
  });
});

test('--cors adds Access-Control-Allow-Origin: * to GET and HEAD responses, 404s included', async (t) => {
  await withFlags([ROOT, '--cors'], async (port) => {
    const get = await ask(port, 'GET', '/data.json', { origin: ORIGIN });
    t.is(get.headers['access-control-allow-origin'], '*');
    t.is(get.headers['access-control-expose-headers'], 'ETag, Content-Range, Accept-Ranges');
    t.is(get.body.toString(), '{"ok":true}');
    t.is((await ask(port, 'HEAD', '/data.json')).headers['access-control-allow-origin'], '*');
    t.is((await ask(port, 'GET', '/missing')).headers['access-control-allow-origin'], '*');
    // An OPTIONS that is not a preflight is the app's: the static app allows GET and HEAD only.
    t.is((await ask(port, 'OPTIONS', '/data.json', { 'content-length': '0' })).status, 405);
  });
});

test('--cors with origins echoes a listed Origin, refuses others, and always varies on Origin', async (t) => {
  await withFlags([ROOT, '--cors', `${ORIGIN},https://b.example`], async (port) => {
    const listed = await ask(port, 'GET', '/data.json', { origin: 'https://b.example' });
    t.is(listed.headers['access-control-allow-origin'], 'https://b.example');
    t.is(listed.headers.vary, 'Origin');
    const other = await ask(port, 'GET', '/data.json', { origin: 'https://evil.example' });
    t.is(other.headers['access-control-allow-origin'], undefined);
    t.is(other.headers.vary, 'Origin');
    const preflight = await ask(port, 'OPTIONS', '/data.json', { ...PREFLIGHT, origin: 'https://evil.example' });
    t.is(preflight.status, 405);
    t.is(preflight.headers['access-control-allow-origin'], undefined);
  });
});

test('without --cors there are no CORS fields and a preflight is a 405', async (t) => {
  await withFlags([ROOT], async (port) => {
    t.is((await ask(port, 'GET', '/data.json', { origin: ORIGIN })).headers['access-control-allow-origin'], undefined);
    t.is((await ask(port, 'OPTIONS', '/data.json', PREFLIGHT)).status, 405);
  });
});

test('--auth requires the credentials: 401 with WWW-Authenticate, then 200 with the right ones', async (t) => {
  await withFlags([ROOT, '--auth', 'admin:s3cret:x', '--max-age', '60'], async (port) => {
    const none = await ask(port, 'GET', '/data.json');
    t.is(none.status, 401);
    t.is(none.headers['www-authenticate'], 'Basic realm="sluice", charset="UTF-8"');
    t.is((await ask(port, 'GET', '/data.json', { authorization: BASIC('admin', 'wrong') })).status, 401);
    t.is((await ask(port, 'GET', '/data.json', { authorization: BASIC('admin', 's3cret') })).status, 401);
    t.is((await ask(port, 'GET', '/data.json', { authorization: 'Bearer abc' })).status, 401);
    t.is((await ask(port, 'GET', '/data.json', { authorization: 'Basic !!!' })).status, 401);
    const ok = await ask(port, 'GET', '/data.json', { authorization: BASIC('admin', 's3cret:x') });
    t.is(ok.status, 200);
    t.is(ok.body.toString(), '{"ok":true}');
    // A shared cache must not keep what only this user may see.
    t.is(ok.headers['cache-control'], 'private, max-age=60');
    t.is((await ask(port, 'GET', '/data.json', { authorization: `basic ${BASIC('admin', 's3cret:x').slice(6)}` })).status, 200);
  });
});

test('SLUICE_AUTH sets the credentials without --auth on the command line', async (t) => {
  await withFlags([ROOT], async (port) => {
    t.is((await ask(port, 'GET', '/data.json')).status, 401);
    t.is((await ask(port, 'GET', '/data.json', { authorization: BASIC('u', 'p') })).status, 200);
  }, { SLUICE_AUTH: 'u:p' });
});

test('--auth with --cors: the preflight is answered without credentials, the 401 carries CORS, the GET needs them', async (t) => {
  await withFlags([ROOT, '--auth', 'u:p', '--cors', ORIGIN], async (port) => {
    const preflight = await ask(port, 'OPTIONS', '/data.json', { ...PREFLIGHT, 'access-control-request-headers': 'authorization' });
    t.is(preflight.status, 204);
    t.is(preflight.headers['access-control-allow-origin'], ORIGIN);
    t.is(preflight.headers['access-control-allow-headers'], 'authorization');
    t.is(preflight.headers['access-control-allow-credentials'], 'true');
    const denied = await ask(port, 'GET', '/data.json', { origin: ORIGIN });
    t.is(denied.status, 401);
    t.is(denied.headers['access-control-allow-origin'], ORIGIN);
    const ok = await ask(port, 'GET', '/data.json', { origin: ORIGIN, authorization: BASIC('u', 'p') });
    t.is(ok.status, 200);
    t.is(ok.headers['access-control-allow-credentials'], 'true');
  });
});

test('--header adds fields to every response (repeatable), replacing the app\'s own', async (t) => {
  await withFlags([ROOT, '--header', 'X-Frame-Options: DENY', '--header', 'Cache-Control: no-store', '--header', 'X-Multi: a', '--header', 'X-Multi: b'], async (port) => {
    for (const path of ['/data.json', '/missing']) {
      const res = await ask(port, 'GET', path);
      t.is(res.headers['x-frame-options'], 'DENY', path);
      t.is(res.headers['cache-control'], 'no-store');
      t.is(res.headers['x-multi'], 'a, b');
    }
    t.is((await ask(port, 'POST', '/data.json', { 'content-length': '0' })).headers['x-frame-options'], 'DENY');
  });
});
