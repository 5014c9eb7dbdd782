// Response constructors: respond(), respond.stream/file/text/json and declaredLength.
import test from 'ava';
import { fromArray } from '../../src/conduit/index.js';
import { declaredLength, respond } from '../../src/server/response.js';

test('respond with a string body is UTF-8 bytes', (t) => {
  const r = respond(201, { 'x-a': '1' }, 'héllo');
  t.is(r.kind, 'bytes');
  t.is(r.status, 201);
  t.deepEqual(r.headers, { 'x-a': '1' });
  if (r.kind !== 'bytes') return;
  t.deepEqual(Buffer.from(r.body), Buffer.from('héllo', 'utf8'));
});

test('respond with bytes keeps the very same array', (t) => {
  const body = new Uint8Array([1, 2, 3]);
  const r = respond(200, {}, body);
  t.is(r.kind === 'bytes' ? r.body : null, body);
});

test('respond without a body (undefined or null) is an empty bytes body with default headers', (t) => {
  for (const r of [respond(204), respond(204, {}, null)]) {
    t.is(r.kind, 'bytes');
    t.deepEqual(r.headers, {});
    t.is(r.kind === 'bytes' ? r.body.length : -1, 0);
  }
});

test('respond with a Source is a stream of unknown length', (t) => {
  const src = fromArray([Buffer.from('a')]);
  const r = respond(200, {}, src);
  t.is(r.kind, 'stream');
  if (r.kind !== 'stream') return;
  t.is(r.body, src);
  t.is(r.length, null);
});

test('a content-length header on a stream becomes its length (number or digit string, any case)', (t) => {
  const src = fromArray<Uint8Array>([]);
  const a = respond(200, { 'content-length': 12 }, src);
  const b = respond.stream(200, { 'Content-Length': '34' }, src);
  t.is(a.kind === 'stream' ? a.length : -1, 12);
  t.is(b.kind === 'stream' ? b.length : -1, 34);
  const c = respond.stream(200, {}, src);
  t.is(c.kind === 'stream' ? c.length : -1, null);
});

const badLengths: Array<[string, string | number]> = [
  ['a negative number', -1], ['a fraction', 1.5], ['NaN', NaN], ['a non-digit string', '12a'], ['an empty string', ''],
  ['a signed string', '+5'], ['a huge string', '1234567890123456'],
];
for (const [what, v] of badLengths) {
  test(`declaredLength rejects ${what}`, (t) => {
    t.throws(() => declaredLength({ 'content-length': v }), { instanceOf: TypeError });
  });
}

test('declaredLength ignores other headers and is null without content-length', (t) => {
  t.is(declaredLength({ 'content-type': 'x', 'content-lengthy': '5', 'x-content-length': '7' }), null);
  t.is(declaredLength({}), null);
  t.is(declaredLength({ 'CONTENT-LENGTH': '0' }), 0);
});

test('respond.file defaults to status 200, no headers and the whole file', (t) => {
  const r = respond.file('/tmp/x');
  t.deepEqual(r, { kind: 'file', status: 200, headers: {}, path: '/tmp/x', range: null });
});

test('respond.file keeps status, headers and range', (t) => {
  const r = respond.file('a.txt', { status: 206, headers: { 'content-range': 'bytes 0-9/100' }, range: { start: 0, end: 10 } });
  t.deepEqual(r, { kind: 'file', status: 206, headers: { 'content-range': 'bytes 0-9/100' }, path: 'a.txt', range: { start: 0, end: 10 } });
});

test('respond.text sets a UTF-8 text content-type that headers can override', (t) => {
  const r = respond.text(404, 'nope');
  t.is(r.headers['content-type'], 'text/plain; charset=utf-8');
  t.is(r.status, 404);
  t.is(r.kind === 'bytes' ? Buffer.from(r.body).toString() : '', 'nope');
  t.is(respond.text(200, 'x', { 'content-type': 'text/html' }).headers['content-type'], 'text/html');
});

test('respond.json serializes the value with an application/json content-type', (t) => {
  const r = respond.json(200, { a: [1, 'two'] }, { 'cache-control': 'no-store' });
  t.is(r.headers['content-type'], 'application/json');
  t.is(r.headers['cache-control'], 'no-store');
  t.is(r.kind === 'bytes' ? Buffer.from(r.body).toString() : '', '{"a":[1,"two"]}');
});
