// The installed Response's constructor reads ResponseInit itself for the usual shapes and builds undici's Response only
// when its state is touched. Everything observable is compared with undici's own Response (captured before it is
// installed): what each init becomes, the errors, the order in which getters and proxy traps run, and the state once
// made; and on the wire, what the server sends for a Response nothing touched.
import test from 'ava';
import { inspect } from 'node:util';
import { fromFetch } from '../../src/index.js';
import { lazyParts } from '../../src/fetch/lazy-response.js';
import { withFetchServer, withRaw } from './support.js';

const Real = globalThis.Response;
fromFetch(() => new Response('installs the global Response'), { overrideGlobalObjects: true });

type Init = ResponseInit | undefined;
type BodyInit = ConstructorParameters<typeof Response>[0];
type HeadersInit = ConstructorParameters<typeof Headers>[0];
type Made = { ok: true; status: number; statusText: string; headers: [string, string][]; cookies: string[]; body: string } | { ok: false; error: string };

/** What a Response made by `R` from (body, init) looks like through the public API, or the error its constructor threw. */
async function made(R: typeof Response, body: BodyInit | null | undefined, init: () => Init): Promise<Made> {
  let r: Response;
  try {
    r = new R(body, init());
  } catch (e) {
    return { ok: false, error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
  return { ok: true, status: r.status, statusText: r.statusText, headers: [...r.headers], cookies: r.headers.getSetCookie(), body: await r.text() };
}

const inits: Array<[string, () => Init]> = [
  ['no init', () => undefined],
  ['null', () => null as unknown as Init],
  ['an empty object', () => ({})],
  ['status and statusText', () => ({ status: 201, statusText: 'Made It' })],
  ['a fractional status (WebIDL truncates it)', () => ({ status: 200.7 })],
  ['a status as a string', () => ({ status: '202' as unknown as number })],
  ['status null', () => ({ status: null as unknown as number })],
  ['status 600', () => ({ status: 600 })],
  ['status 65736 (wraps to 200)', () => ({ status: 65736 })],
  ['statusText with a line break', () => ({ statusText: 'a\r\nb' })],
  ['statusText beyond Latin-1', () => ({ statusText: 'Ok \u2713' })],
  ['statusText obs-text', () => ({ statusText: 'caf\u00e9' })],
  ['a record', () => ({ headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc' } })],
  ['names differing in case', () => ({ headers: { 'X-A': '1', 'x-a': '2' } })],
  ['two Set-Cookie spellings', () => ({ headers: { 'Set-Cookie': 'a=1', 'set-cookie': 'b=2' } })],
  ['Cookie twice (joined with ;)', () => ({ headers: { Cookie: 'a=1', cookie: 'b=2' } })],
  ['an integer-like name', () => ({ headers: { 'x-b': '1', 123: '2' } })],
  ['a value to trim', () => ({ headers: { 'x-a': '  padded\t' } })],
  ['an empty value', () => ({ headers: { 'x-a': '' } })],
  ['a value with a control character', () => ({ headers: { 'x-a': 'a\u0001b' } })],
  ['a value with a line feed', () => ({ headers: { 'x-a': 'a\nb' } })],
  ['a value beyond Latin-1', () => ({ headers: { 'x-a': '\u2713' } })],
  ['a number value', () => ({ headers: { 'x-a': 7 as unknown as string } })],
  ['an object value', () => ({ headers: { 'x-a': { toString: () => 'from toString' } as unknown as string } })],
  ['an invalid name', () => ({ headers: { 'bad name': 'x' } })],
  ['a symbol key', () => ({ headers: { [Symbol('s')]: 'x', 'x-a': '1' } as unknown as Record<string, string> })],
  ['a non-enumerable own name', () => ({ headers: Object.defineProperty({ 'x-a': '1' }, 'x-hidden', { value: 'h', enumerable: false }) })],
  ['a null-prototype record', () => ({ headers: Object.assign(Object.create(null) as Record<string, string>, { 'x-a': '1' }) })],
  ['headers null', () => ({ headers: null as unknown as HeadersInit })],
  ['headers a string', () => ({ headers: 'x' as unknown as HeadersInit })],
  ['a Headers', () => ({ headers: new Headers([['x-a', '1'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]) })],
  ['pairs', () => ({ headers: [['x-a', '1'], ['X-A', '2']] as [string, string][] })],
  ['a Map (iterable)', () => ({ headers: new Map([['x-a', '1']]) as unknown as HeadersInit })],
  ['a class instance', () => ({ headers: new (class { 'x-a' = '1'; })() as unknown as HeadersInit })],
  ['an app Content-Type', () => ({ headers: { 'content-type': 'text/x' } })],
  ['a 204 status', () => ({ status: 204 })],
];

const bodies: Array<[string, () => BodyInit | null | undefined]> = [
  ['no body', () => undefined],
  ['a string', () => 'héllo'],
  ['bytes', () => new Uint8Array([104, 105])],
  ['URLSearchParams', () => new URLSearchParams({ a: 'b c' })],
];

for (const [what, init] of inits) {
  test(`${what}: every body makes what undici makes, or undici's error`, async (t) => {
    for (const [kind, body] of bodies) t.deepEqual(await made(Response, body(), init), await made(Real, body(), init), `${kind}`);
  });
}

test('Response.json with any init equals undici\'s', async (t) => {
  for (const [what, init] of inits) {
    const of = async (R: typeof Response): Promise<Made> => {
      try {
        const r = R.json({ a: 1 }, init());
        return { ok: true, status: r.status, statusText: r.statusText, headers: [...r.headers], cookies: r.headers.getSetCookie(), body: await r.text() };
      } catch (e) {
        return { ok: false, error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
      }
    };
    t.deepEqual(await of(Response), await of(Real), what);
  }
});

/** Every property read of init and its record, in order, through getters (and through a proxy's traps). */
function recorded(log: string[], proxy: boolean, badAt: string | null): ResponseInit {
  const headers: Record<string, unknown> = {};
  for (const name of ['x-a', 'x-b', 'x-c']) {
    Object.defineProperty(headers, name, {
      get: () => {
        log.push(`get ${name}`);
        return name === badAt ? { toString: () => (log.push(`toString ${name}`), 'v') } : 'v';
      },
      enumerable: true,
    });
  }
  const init = {
    get status() { log.push('status'); return 201; },
    get statusText() { log.push('statusText'); return 'S'; },
    get headers() { log.push('headers'); return proxy ? trap(headers, log) : headers; },
  };
  return init as ResponseInit;
}

function trap<T extends object>(target: T, log: string[]): T {
  return new Proxy(target, {
    get: (o, k, r) => (log.push(`trap get ${String(k)}`), Reflect.get(o, k, r)),
    ownKeys: (o) => (log.push('trap ownKeys'), Reflect.ownKeys(o)),
    getOwnPropertyDescriptor: (o, k) => (log.push(`trap gopd ${String(k)}`), Reflect.getOwnPropertyDescriptor(o, k)),
    getPrototypeOf: (o) => (log.push('trap getPrototypeOf'), Reflect.getPrototypeOf(o)),
  });
}

test('getters, toString() and proxy traps run once each, in undici\'s order', (t) => {
  for (const proxy of [false, true]) {
    for (const badAt of [null, 'x-a', 'x-b', 'x-c']) {
      const [real, lazy]: string[][] = [[], []];
      new Real('x', recorded(real, proxy, badAt));
      new Response('x', recorded(lazy, proxy, badAt));
      t.deepEqual(lazy, real, `proxy ${proxy}, an object value at ${badAt}`);
      const [realJson, lazyJson]: string[][] = [[], []];
      Real.json({}, recorded(realJson, proxy, badAt));
      Response.json({}, recorded(lazyJson, proxy, badAt));
      t.deepEqual(lazyJson, realJson);
    }
  }
  // A proxy as the init itself.
  const [real, lazy]: string[][] = [[], []];
  new Real('x', trap({ status: 202, headers: { 'x-a': '1' } }, real));
  new Response('x', trap({ status: 202, headers: { 'x-a': '1' } }, lazy));
  t.deepEqual(lazy, real);
});

test('the init is read when the Response is made: later changes to it do not show', async (t) => {
  const headers: Record<string, string> = { 'x-a': '1' };
  const init = { status: 201, headers };
  const res = new Response('x', init);
  headers['x-a'] = '2';
  headers['x-b'] = '3';
  init.status = 500;
  t.is(res.status, 201);
  t.deepEqual([...res.headers], [['content-type', 'text/plain;charset=UTF-8'], ['x-a', '1']]);
});

test('status, statusText, ok and bodyUsed answer without making undici\'s Response; headers and body make it', (t) => {
  const res = new Response('x', { status: 299, statusText: 'Fine', headers: { 'x-a': '1' } });
  t.deepEqual([res.status, res.statusText, res.ok, res.bodyUsed], [299, 'Fine', true, false]);
  t.not(lazyParts(res), null);
  t.is(res.headers.get('x-a'), '1');
  t.is(lazyParts(res), null);
  const other = new Response(null, { status: 404 });
  t.false(other.ok);
  t.is(other.body, null);
  t.is(lazyParts(other), null);
  t.deepEqual([other.type, other.url, other.redirected], ['default', '', false]);
});

test('undici\'s own members and state readers work on it, made or not', async (t) => {
  const status = Object.getOwnPropertyDescriptor(Real.prototype, 'status')!.get!;
  t.is(status.call(new Response('x', { status: 203 })), 203);
  t.is(await Real.prototype.text.call(new Response('via undici')), 'via undici');
  const copy = Real.prototype.clone.call(new Response('cloned', { headers: { 'x-a': '1' } }));
  t.is(await copy.text(), 'cloned');
  t.is(copy.headers.get('x-a'), '1');
  t.is(inspect(new Response('i', { status: 202 })), inspect(new Real('i', { status: 202 })));
  t.deepEqual(structuredClone(new Response('s')), structuredClone(new Real('s')));
  t.throws(() => status.call({}), { instanceOf: TypeError });
  const unmade = new Response('x');
  t.deepEqual(Object.keys(unmade), Object.keys(new Real('x')));
  const keys: string[] = [];
  for (const k in unmade) keys.push(k);
  const realKeys: string[] = [];
  for (const k in new Real('x')) realKeys.push(k);
  t.deepEqual(keys.sort(), realKeys.sort());
});

test('a clone of an untouched Response is untouched too, with its own headers once made', async (t) => {
  const res = new Response('shared', { status: 202, headers: { 'Set-Cookie': 'a=1', 'set-cookie': 'b=2' } });
  const copy = res.clone();
  t.not(lazyParts(copy), null);
  t.true(copy instanceof Response);
  copy.headers.append('x-copy', '1');
  t.is(res.headers.get('x-copy'), null);
  t.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
  t.deepEqual(copy.headers.getSetCookie(), ['a=1', 'b=2']);
  t.is(await copy.text(), 'shared');
  t.is(await res.text(), 'shared');
  t.true(res.bodyUsed);
  await t.throwsAsync(res.text(), { instanceOf: TypeError });
});

test('a subclass with fields and private fields gets them on the untouched Response', async (t) => {
  class Tagged extends Response {
    readonly tag = 'mine';
    #secret = 's';
    secret(): string {
      return this.#secret;
    }
  }
  const res = new Tagged('sub', { status: 201, headers: { 'x-kind': 'sub' } });
  t.true(res instanceof Tagged);
  t.true(res instanceof Real);
  t.is(res.constructor, Tagged);
  t.deepEqual([res.tag, res.secret(), res.status], ['mine', 's', 201]);
  t.not(lazyParts(res), null);
  t.is(await res.text(), 'sub');
});

test('an untouched Response goes out with the fields combined as undici combines them', async (t) => {
  const raw = await withFetchServer(
    () => new Response('body', { status: 201, statusText: 'Made', headers: { 'X-A': '1', 'x-a': '2', 'Set-Cookie': 'a=1', 'set-cookie': 'b=2', Cookie: 'c=1', cookie: 'd=2' } }),
    (base) => withRaw(base, async (c) => {
      c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      return c.readResponse();
    }),
  );
  t.is(raw.status, 201);
  t.is(raw.reason, 'Made');
  t.is(raw.get('x-a'), '1, 2');
  t.deepEqual(raw.all('set-cookie'), ['a=1', 'b=2']);
  t.is(raw.get('cookie'), 'c=1; d=2');
  t.is(raw.get('content-type'), 'text/plain;charset=UTF-8');
  t.is(raw.get('content-length'), '4');
  t.is(raw.body.toString(), 'body');
});

test('a Response frozen before anything touched it still reads, clones and is served as undici\'s frozen one is', async (t) => {
  const of = async (R: typeof Response): Promise<unknown[]> => {
    const r = Object.freeze(new R('frozen', { status: 201, headers: { 'x-a': '1' } }));
    const copy = r.clone();
    return [r.status, [...r.headers], await copy.text(), await r.text(), r.bodyUsed, Object.isFrozen(r)];
  };
  t.deepEqual(await of(Response), await of(Real));
  const sealed = Object.seal(new Response('sealed', { headers: { 'x-b': '2' } }));
  const raw = await withFetchServer(() => sealed, (base) => withRaw(base, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    return c.readResponse();
  }));
  t.is(raw.get('x-b'), '2');
  t.is(raw.body.toString(), 'sealed');
  t.is(sealed.headers.get('x-b'), '2');
});

test('string bodies in a row each go out as their own bytes, repeated or not, short or long', async (t) => {
  const long = 'é'.repeat(1500);
  const texts = ['one', 'one', 'two', JSON.stringify({ a: 1 }), JSON.stringify({ a: 1 }), '', long, long, 'one', 'h\u00e9'];
  let i = 0;
  const bodies = await withFetchServer(() => (i % 2 === 0 ? new Response(texts[i++]) : new Real(texts[i++])), (base) => withRaw(base, async (c) => {
    const out: string[] = [];
    for (let k = 0; k < texts.length; k++) {
      c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      out.push((await c.readResponse()).body.toString('utf8'));
    }
    return out;
  }));
  t.deepEqual(bodies, texts);
});

test('writing undici\'s state symbols on an untouched Response replaces them, as on undici\'s own', (t) => {
  const [state, headers] = Object.getOwnPropertySymbols(new Real('x'));
  const donor = new Real('donor', { status: 202 });
  for (const R of [Real, Response]) {
    const r = new R('mine', { status: 201 }) as unknown as Record<symbol, unknown> & Response;
    r[state!] = (donor as unknown as Record<symbol, unknown>)[state!];
    r[headers!] = donor.headers;
    t.is(r.status, 202);
    t.is(r.headers, donor.headers);
    t.deepEqual(Object.getOwnPropertySymbols(r), [state, headers]);
  }
});
