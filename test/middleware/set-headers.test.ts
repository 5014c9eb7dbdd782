// setHeaders() in memory: header lines parsed, reserved and malformed fields refused, app fields replaced.
import test from 'ava';
import { collectHeaderLines, parseHeaderLine, setHeaders } from '../../src/middleware/set-headers.js';
import { OptionError, respond } from '../../src/server/index.js';
import { fakeRequest } from './fake-request.js';

test('parseHeaderLine lower-cases the name and trims the value; a line without a name is refused', (t) => {
  t.deepEqual(parseHeaderLine('X-Frame-Options:  DENY '), ['x-frame-options', 'DENY']);
  t.deepEqual(parseHeaderLine('X-Empty:'), ['x-empty', '']);
  t.deepEqual(parseHeaderLine('Link: <https://a.example/>; rel=preload'), ['link', '<https://a.example/>; rel=preload']);
  for (const bad of ['NoColon', ': v', 'Bad Name: v', 'X(1): v']) t.throws(() => parseHeaderLine(bad), { instanceOf: OptionError });
});

test('collectHeaderLines turns a repeated name into a list', (t) => {
  t.deepEqual(collectHeaderLines(['A: 1', 'a: 2', 'a: 3', 'B: x']), { a: ['1', '2', '3'], b: 'x' });
});

test('setHeaders refuses framing and hop-by-hop fields, bad names and CR/LF in values', (t) => {
  for (const name of ['Content-Length', 'transfer-encoding', 'Connection', 'Date', 'TE']) {
    t.throws(() => setHeaders({ [name]: '1' }), { message: new RegExp(`header ${name} cannot be set: the server writes it`) });
  }
  t.throws(() => setHeaders({ 'bad name': 'v' }), { message: /is not a valid field name/ });
  t.throws(() => setHeaders({ 'x-a': 'one\r\nInjected: 1' }), { message: /without CR, LF or NUL/ });
  t.throws(() => setHeaders({ 'x-a': ['ok', 'bad\n'] }), { message: /without CR, LF or NUL/ });
});

test('setHeaders replaces the app\'s field of the same name in any case, for sync and async apps', async (t) => {
  const mw = setHeaders({ 'Cache-Control': 'no-store', 'x-list': ['a', 'b'] });
  const res = await mw(async () => respond(200, { 'CACHE-CONTROL': 'public', etag: '"1"' }))(fakeRequest('GET', '/'));
  t.deepEqual(res.headers, { etag: '"1"', 'cache-control': 'no-store', 'x-list': ['a', 'b'] });
});
