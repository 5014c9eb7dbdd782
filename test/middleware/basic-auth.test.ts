// basicAuth() in memory: option checks, credential parsing, constant-time comparison inputs, and Cache-Control.
import test from 'ava';
import { basicAuth, parseUserPassword } from '../../src/middleware/basic-auth.js';
import { OptionError, respond, type Application } from '../../src/server/index.js';
import { fakeRequest } from './fake-request.js';

const auth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

test('parseUserPassword splits at the first colon and refuses a missing user or password', (t) => {
  t.deepEqual(parseUserPassword('u:p:q'), { user: 'u', password: 'p:q' });
  for (const bad of ['u', ':p', 'u:', '']) t.throws(() => parseUserPassword(bad), { instanceOf: OptionError, message: /user:password/ });
});

test('basicAuth() refuses unusable users, passwords, realms and unknown keys', (t) => {
  t.throws(() => basicAuth({ user: 'a:b', password: 'p' }), { message: /basicAuth user/ });
  t.throws(() => basicAuth({ user: '', password: 'p' }), { message: /basicAuth user/ });
  t.throws(() => basicAuth({ user: 'u', password: '' }), { message: /basicAuth password/ });
  t.throws(() => basicAuth({ user: 'u', password: 'p\n' }), { message: /basicAuth password/ });
  t.throws(() => basicAuth({ user: 'u', password: 'p', realm: 'a"b' }), { message: /basicAuth realm/ });
  t.throws(() => basicAuth({ user: 'u', password: 'p', relm: 'x' } as never), { message: /unknown basicAuth option 'relm' \(did you mean 'realm'\?\)/ });
});

test('non-ASCII credentials compare as UTF-8; the realm is configurable', async (t) => {
  const app = basicAuth({ user: 'zoë', password: 'pässwörd', realm: 'staff' })(() => respond(200));
  const denied = await app(fakeRequest('GET', '/'));
  t.is(denied.headers['www-authenticate'], 'Basic realm="staff", charset="UTF-8"');
  t.is((await app(fakeRequest('GET', '/', { authorization: auth('zoë', 'pässwörd') }))).status, 200);
  t.is((await app(fakeRequest('GET', '/', { authorization: auth('zoe', 'pässwörd') }))).status, 401);
  t.is((await app(fakeRequest('GET', '/', { authorization: 'Basic' }))).status, 401);
});

test('an authorized response never carries Cache-Control: public; other directives are kept; async apps work', async (t) => {
  const mk = (cc: string | undefined): Application => basicAuth({ user: 'u', password: 'p' })(async () => respond(200, cc === undefined ? {} : { 'Cache-Control': cc }));
  const ok = { authorization: auth('u', 'p') };
  t.deepEqual((await mk('public, max-age=60, immutable')(fakeRequest('GET', '/', ok))).headers, { 'cache-control': 'private, max-age=60, immutable' });
  t.deepEqual((await mk('no-store')(fakeRequest('GET', '/', ok))).headers, { 'Cache-Control': 'no-store' });
  t.deepEqual((await mk(undefined)(fakeRequest('GET', '/', ok))).headers, {});
});
