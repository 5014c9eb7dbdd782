// Tests for autohead(): HEAD reaches the app as GET, other methods pass, and the response comes back untouched.
import test from 'ava';
import { bracketSource, fromArray } from '../../src/conduit/index.js';
import { autohead } from '../../src/middleware/autohead.js';
import { respond } from '../../src/server/response.js';
import { Request } from '../../src/server/request.js';
import type { Application, Response } from '../../src/server/types.js';
import { fakeRequest } from './fake-request.js';

const getOnly: Application = (req) => (req.method === 'GET' ? respond.text(200, `hello ${req.path}`) : respond.text(405, 'no'));

test('autohead answers HEAD with the GET handler', async (t) => {
  const res = await autohead()(getOnly)(fakeRequest('HEAD', '/a?b=1'));
  t.is(res.status, 200);
  t.is(res.kind === 'bytes' ? Buffer.from(res.body).toString() : '', 'hello /a');
});

test('autohead leaves other methods alone', async (t) => {
  t.is((await autohead()(getOnly)(fakeRequest('POST', '/'))).status, 405);
  t.is((await autohead()(getOnly)(fakeRequest('GET', '/'))).status, 200);
});

test('the app sees the same request apart from the method', async (t) => {
  let seen: { method: string; target: string; accept: string | undefined; remote: string | null; signal: AbortSignal } | null = null;
  const original = fakeRequest('HEAD', '/x?y', { accept: 'text/html' });
  await autohead()((req) => {
    seen = { method: req.method, target: req.target, accept: req.header('accept'), remote: req.remoteAddress, signal: req.signal };
    return respond(204);
  })(original);
  t.deepEqual(seen, { method: 'GET', target: '/x?y', accept: 'text/html', remote: '127.0.0.1:40000', signal: original.signal });
  t.is(original.method, 'HEAD');
});

test('a streamed GET body is handed back unbuilt: nothing is acquired for HEAD', async (t) => {
  const log: string[] = [];
  const body = bracketSource(() => log.push('+open'), () => fromArray([Buffer.from('x')]), () => void log.push('-open'));
  const res: Response = await autohead()(() => respond.stream(200, {}, body))(fakeRequest('HEAD', '/'));
  t.is(res.kind, 'stream');
  t.deepEqual(log, []);
});

test('the GET view reads the original request\'s trailers through', async (t) => {
  const base = fakeRequest('HEAD', '/');
  const holder = { trailers: [] as Array<readonly [string, string]> };
  const original = new Request(base.head, base.body, { remoteAddress: () => null, signal: base.signal }, base.receivedAt, holder);
  let view: Request | null = null;
  await autohead()((req) => {
    view = req;
    return respond(204);
  })(original);
  holder.trailers = [['x-checksum', 'abc']]; // arrives once the body has been read
  t.deepEqual(view!.trailers, [['x-checksum', 'abc']]);
  t.is(view!.receivedAt, original.receivedAt);
});
