// cors() in memory: option checks, async apps, Vary merging, and which preflights it answers.
import test from 'ava';
import { cors } from '../../src/middleware/cors.js';
import { OptionError, respond, type Application, type Response } from '../../src/server/index.js';
import { fakeRequest } from './fake-request.js';

const ok: Application = () => respond(200, { 'content-type': 'text/plain', Vary: 'Accept-Encoding' }, 'ok');

async function run(app: Application, method: string, headers: Record<string, string> = {}): Promise<Response> {
  return app(fakeRequest(method, '/x', headers));
}

test('cors() refuses bad origins, credentials with *, bad tokens and unknown keys', (t) => {
  for (const origin of ['app.example', 'https://app.example/', 'https://app.example/path', '']) {
    t.throws(() => cors({ origin }), { instanceOf: OptionError, message: /cors origin must be/ });
  }
  t.throws(() => cors({ credentials: true }), { message: /credentials need a list of origins/ });
  t.throws(() => cors({ methods: ['GET POST'] }), { message: /cors methods must be/ });
  t.throws(() => cors({ allowHeaders: ['x:y'] }), { message: /cors allowHeaders must be/ });
  t.throws(() => cors({ maxAge: -1 }), { message: /cors maxAge must be/ });
  t.throws(() => cors({ orgin: '*' } as never), { instanceOf: OptionError, message: /unknown cors option 'orgin' \(did you mean 'origin'\?\)/ });
});

test('with a list of origins, Vary gains Origin once (merged with the app\'s, any case) and async apps work', async (t) => {
  const app = cors({ origin: ['https://a.example'], exposeHeaders: [], credentials: true })(async (req) => ok(req));
  const res = await run(app, 'GET', { origin: 'https://a.example' });
  t.is(res.headers.vary, 'Accept-Encoding, Origin');
  t.false('Vary' in res.headers);
  t.is(res.headers['access-control-allow-origin'], 'https://a.example');
  t.is(res.headers['access-control-allow-credentials'], 'true');
  t.false('access-control-expose-headers' in res.headers);
  const star = cors({ origin: ['https://a.example'] })(() => respond(200, { vary: '*' }));
  t.is((await run(star, 'GET')).headers.vary, '*');
  const already = cors({ origin: ['https://a.example'] })(() => respond(200, { vary: 'origin' }));
  t.is((await run(already, 'GET')).headers.vary, 'origin');
});

test('with *, a response to a request without Origin still carries the field (caches may reuse it for CORS requests)', async (t) => {
  const res = await run(cors()(ok), 'GET');
  t.is(res.headers['access-control-allow-origin'], '*');
  t.is(res.headers.Vary, 'Accept-Encoding');
});

test('a preflight with configured headers and methods answers those; a malformed asked list is not echoed', async (t) => {
  const fixed = cors({ methods: ['GET', 'POST'], allowHeaders: ['X-Token'], maxAge: 5 })(ok);
  const res = await run(fixed, 'OPTIONS', { origin: 'https://a.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-other' });
  t.is(res.status, 204);
  t.is(res.headers['access-control-allow-methods'], 'GET, POST');
  t.is(res.headers['access-control-allow-headers'], 'X-Token');
  t.is(res.headers['access-control-max-age'], '5');
  const echo = cors()(ok);
  const bad = await run(echo, 'OPTIONS', { origin: 'https://a.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-a, <script>' });
  t.false('access-control-allow-headers' in bad.headers);
  // Without Access-Control-Request-Method it is an ordinary OPTIONS for the app.
  t.is((await run(echo, 'OPTIONS', { origin: 'https://a.example' })).status, 200);
});
