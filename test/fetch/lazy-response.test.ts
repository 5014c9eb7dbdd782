// The global Response that overrideGlobalObjects: true installs: undici's own Response whose string or bytes body becomes a stream
// only when asked for. Every observable thing is compared with undici's Response, captured before it is installed.
import test from 'ava';
import { fromFetch } from '../../src/index.js';
import { withFetchServer, withRaw, type RawResponse } from './support.js';

/** One request over a raw connection, so the framing fields stay visible. */
function answerOver(base: string, request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', headOnly = false): Promise<RawResponse> {
  return withRaw(base, async (c) => {
    c.write(request);
    return c.readResponse(headOnly);
  });
}

const Real = globalThis.Response;
fromFetch(() => new Response('installs the global Response'), { overrideGlobalObjects: true });
const Lazy = globalThis.Response;

test('the installed Response is a subclass of undici\'s, and instanceof holds both ways', async (t) => {
  t.not(Lazy, Real);
  t.is(Object.getPrototypeOf(Lazy), Real);
  t.is(Lazy.name, 'Response');
  const lazy = new Response('x');
  t.true(lazy instanceof Real);
  t.true(lazy instanceof Response);
  t.is(lazy.constructor, Response);
  t.is(Object.prototype.toString.call(lazy), '[object Response]');
  // undici's own, made before or outside: fetch(), new on the captured class, Response.error(), Response.redirect().
  t.true(new Real('x') instanceof Response);
  t.true((await fetch('data:,hi')) instanceof Response);
  t.true(Response.error() instanceof Response);
  t.is(Response.error().type, 'error');
  t.is(Response.redirect('http://a.example/', 301).headers.get('location'), 'http://a.example/');
  t.false({ status: 200 } instanceof Response);
  t.deepEqual(Object.keys(Response).sort(), Object.keys(Real).sort());
  t.deepEqual(Object.getOwnPropertyNames(Response).sort(), Object.getOwnPropertyNames(Real).sort());
});

type BodyInit = ConstructorParameters<typeof Response>[0];

const bodies: Array<[string, () => BodyInit]> = [
  ['a string', () => 'héllo'],
  ['an empty string', () => ''],
  ['a string with a lone surrogate', () => 'a\ud800b'],
  ['URLSearchParams', () => new URLSearchParams({ a: '1', b: 'x y' })],
  ['a Uint8Array', () => new Uint8Array([104, 105])],
  ['a Buffer slice', () => Buffer.from('--bytes--').subarray(2, 7)],
  ['an ArrayBuffer', () => new TextEncoder().encode('ab').buffer],
  ['a DataView', () => new DataView(new TextEncoder().encode('view').buffer, 1, 2)],
  ['a Blob with a type', () => new Blob(['<p>'], { type: 'text/html' })],
  ['a Blob without a type', () => new Blob(['raw'])],
  ['null', () => null],
  ['undefined', () => undefined],
];

for (const [what, make] of bodies) {
  test(`${what}: headers, body and reads equal undici's`, async (t) => {
    for (const init of [undefined, { headers: { 'content-type': 'x/app' } }, { status: 201, statusText: 'Made', headers: [['x-a', '1']] as [string, string][] }]) {
      const real = new Real(make(), init);
      const lazy = new Response(make(), init);
      t.deepEqual([...lazy.headers], [...real.headers]);
      t.deepEqual([lazy.status, lazy.statusText, lazy.ok, lazy.type, lazy.url, lazy.redirected], [real.status, real.statusText, real.ok, real.type, real.url, real.redirected]);
      t.is(lazy.bodyUsed, false);
      t.is(lazy.body === null, real.body === null);
      t.deepEqual(Buffer.from(await lazy.arrayBuffer()), Buffer.from(await real.arrayBuffer()));
      t.is(lazy.bodyUsed, real.bodyUsed);
    }
    const [real, lazy] = [new Real(make()), new Response(make())];
    t.is(await lazy.text(), await real.text());
    const [realBlob, lazyBlob] = [await new Real(make()).blob(), await new Response(make()).blob()];
    t.is(lazyBlob.type, realBlob.type);
    t.is(await lazyBlob.text(), await realBlob.text());
  });
}

test('a body with a null body status is undici\'s TypeError; without a body it is fine', (t) => {
  for (const status of [204, 205, 304]) {
    const expected = t.throws(() => new Real('x', { status }))!;
    t.throws(() => new Response('x', { status }), { instanceOf: TypeError, message: expected.message });
    t.throws(() => new Response(new Uint8Array(1), { status }), { instanceOf: TypeError, message: expected.message });
    t.throws(() => Response.json({}, { status }), { instanceOf: TypeError, message: expected.message });
    t.is(new Response(null, { status }).status, status);
  }
  const range = t.throws(() => new Real('x', { status: 99 }))!;
  t.throws(() => new Response('x', { status: 99 }), { instanceOf: RangeError, message: range.message });
  const text = t.throws(() => new Real('x', { statusText: 'a\nb' }))!;
  t.throws(() => new Response('x', { statusText: 'a\nb' }), { instanceOf: TypeError, message: text.message });
});

test('Response.json is lazy and equals undici\'s, errors included', async (t) => {
  const init = { status: 201, headers: { 'x-a': '1' } };
  const [real, lazy] = [Real.json({ a: [1, 'é'] }, init), Response.json({ a: [1, 'é'] }, init)];
  t.is(lazy.constructor, Response);
  t.deepEqual([...lazy.headers], [...real.headers]);
  t.is(lazy.status, 201);
  t.deepEqual(await lazy.json(), await real.json());
  t.is(Response.json('x', { headers: { 'content-type': 'text/x' } }).headers.get('content-type'), 'text/x');
  const unserialisable = t.throws(() => Real.json(undefined))!;
  t.throws(() => Response.json(undefined), { instanceOf: TypeError, message: unserialisable.message });
  const noArgs = t.throws(() => (Real.json as () => Response)())!;
  t.throws(() => (Response.json as () => Response)(), { instanceOf: TypeError, message: noArgs.message });
});

test('body is one stream, made once; bodyUsed, text() and clone() behave as undici\'s', async (t) => {
  const res = new Response('abc');
  const body = res.body;
  t.true(body instanceof ReadableStream);
  t.is(res.body, body);
  t.false(res.bodyUsed);
  const copy = res.clone();
  t.true(copy instanceof Response);
  t.is(await res.text(), 'abc');
  t.true(res.bodyUsed);
  t.is(await copy.text(), 'abc');
  const realUsed = new Real('x');
  await realUsed.text();
  const expected = await t.throwsAsync(realUsed.text());
  await t.throwsAsync(res.text(), { instanceOf: TypeError, message: expected!.message });
  const cloneError = t.throws(() => realUsed.clone())!;
  t.throws(() => res.clone(), { instanceOf: TypeError, message: cloneError.message });
});

test('a clone made before any read is independent, with its own headers and the same body', async (t) => {
  const res = new Response('shared', { status: 202, statusText: 'Later', headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2']] });
  const copy = res.clone();
  copy.headers.set('x-copy', '1');
  t.is(res.headers.get('x-copy'), null);
  t.deepEqual(copy.headers.getSetCookie(), ['a=1', 'b=2']);
  t.deepEqual([copy.status, copy.statusText, copy.headers.get('content-type')], [202, 'Later', 'text/plain;charset=UTF-8']);
  t.is(await copy.text(), 'shared');
  t.false(res.bodyUsed);
  t.is(await res.text(), 'shared');
  // A Content-Type the app removed stays removed in the copy.
  const bare = new Response('x');
  bare.headers.delete('content-type');
  t.is(bare.clone().headers.get('content-type'), null);
});

test('the bytes are copied when the Response is made, as undici copies them', async (t) => {
  const bytes = new Uint8Array([1, 2, 3]);
  const res = new Response(bytes);
  bytes[0] = 9;
  t.deepEqual([...new Uint8Array(await res.arrayBuffer())], [1, 2, 3]);
  const bodies = [new Uint8Array(new SharedArrayBuffer(2))];
  for (const b of bodies) {
    const expected = t.throws(() => new Real(b))!;
    t.throws(() => new Response(b), { message: expected.message });
  }
});

test('formData() and bytes() read a lazy body as undici reads the real one', async (t) => {
  const form = await new Response(new URLSearchParams({ k: 'v w' })).formData();
  t.is(form.get('k'), 'v w');
  const realError = await t.throwsAsync(new Real('x').formData());
  await t.throwsAsync(new Response('x').formData(), { instanceOf: TypeError, message: realError!.message });
  const res = new Response('bytes') as Response & { bytes?: () => Promise<Uint8Array> };
  if (typeof res.bytes === 'function') t.is(Buffer.from(await res.bytes()).toString(), 'bytes');
  else t.pass();
});

test('a subclass of the installed Response is lazy too, keeps its members, and is served as bytes', async (t) => {
  class Tagged extends Response {
    readonly tag = 'mine';
    async tagged(): Promise<string> {
      return `tagged:${await this.text()}`;
    }
  }
  const own = new Tagged('sub', { headers: { 'x-kind': 'subclass' } });
  t.true(own instanceof Tagged);
  t.true(own instanceof Response);
  t.false(new Response('x') instanceof Tagged);
  t.false(new Real('x') instanceof Tagged);
  t.is(own.tag, 'mine');
  t.is(await own.tagged(), 'tagged:sub');
  t.true(own.bodyUsed);
  const raw = await withFetchServer(() => new Tagged('sub', { headers: { 'x-kind': 'subclass' } }), (base) => answerOver(base));
  t.is(raw.status, 200);
  t.is(raw.get('content-length'), '3');
  t.is(raw.get('content-type'), 'text/plain;charset=UTF-8');
  t.is(raw.get('x-kind'), 'subclass');
  t.is(raw.body.toString(), 'sub');
});

test('a lazy Response goes out as bytes with a Content-Length, and HEAD gets the length without the body', async (t) => {
  const res = await withFetchServer(() => Response.json({ ok: true }), (base) => answerOver(base));
  t.is(res.get('content-length'), '11');
  t.is(res.get('content-type'), 'application/json');
  t.is(res.body.toString(), '{"ok":true}');
  const head = await withFetchServer(() => new Response('four'), (base) => answerOver(base, 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n', true));
  t.is(head.get('content-length'), '4');
  t.is(head.body.length, 0);
  const surrogate = await withFetchServer(() => new Response('a\ud800'), (base) => answerOver(base));
  t.deepEqual([...surrogate.body], [0x61, 0xef, 0xbf, 0xbd]);
});

test('a lazy Response whose body was read, locked or cancelled is refused like a real one', async (t) => {
  const cases: Array<[string, (R: typeof Response) => Promise<Response>]> = [
    ['read', async (R) => { const r = new R('used'); await r.text(); return r; }],
    ['locked', async (R) => { const r = new R('locked'); r.body!.getReader(); return r; }],
    ['cancelled', async (R) => { const r = new R('cancelled'); await r.body!.cancel(); return r; }],
  ];
  for (const [what, make] of cases) {
    for (const R of [Real, Response]) {
      const errors: unknown[] = [];
      const res = await withFetchServer({ fetch: () => make(R), onException: (e) => errors.push(e) }, (base) => answerOver(base));
      t.is(res.status, 500, `${what} ${R === Real ? 'real' : 'lazy'}`);
      t.regex(String(errors[0]), /already been read/);
    }
  }
});

test('a body read by the app before it returns a clone still goes out whole', async (t) => {
  const res = await withFetchServer(async () => {
    const original = new Response('twice');
    const copy = original.clone();
    await original.text();
    return copy;
  }, (base) => answerOver(base));
  t.is(res.body.toString(), 'twice');
});

test('undici\'s own Response, and a lazy one whose stream was asked for but not read, go out as bytes too', async (t) => {
  for (const make of [() => new Real('own', { headers: { 'x-a': '1' } }), () => {
    const r = new Response('own', { headers: { 'x-a': '1' } });
    void r.body;
    return r;
  }]) {
    const res = await withFetchServer(make, (base) => answerOver(base));
    t.is(res.get('content-length'), '3');
    t.is(res.get('transfer-encoding'), undefined);
    t.is(res.get('x-a'), '1');
    t.is(res.body.toString(), 'own');
  }
});
