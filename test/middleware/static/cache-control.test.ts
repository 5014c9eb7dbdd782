// Cache-Control composition for static files, and the content-hash name test behind --immutable-hashed.
import test from 'ava';
import { cacheControlFor, composeCacheControl, IMMUTABLE_CACHE_CONTROL, isHashedName } from '../../../src/middleware/static/cache-control.js';

test('composeCacheControl: none by default, max-age, immutable (a year alone), a literal string', (t) => {
  t.deepEqual(composeCacheControl({}), { normal: null, hashed: null });
  t.deepEqual(composeCacheControl({ maxAge: 0 }), { normal: 'public, max-age=0', hashed: null });
  t.deepEqual(composeCacheControl({ maxAge: 60, immutable: true }), { normal: 'public, max-age=60, immutable', hashed: null });
  t.deepEqual(composeCacheControl({ immutable: true }), { normal: 'public, max-age=31536000, immutable', hashed: null });
  t.deepEqual(composeCacheControl({ cacheControl: 'no-cache', immutableHashed: true }), { normal: 'no-cache', hashed: IMMUTABLE_CACHE_CONTROL });
  t.deepEqual(composeCacheControl({ cacheControl: 30 }), { normal: 'public, max-age=30', hashed: null });
});

test('composeCacheControl refuses contradictions and bad values, naming the option', (t) => {
  t.throws(() => composeCacheControl({ cacheControl: 'no-cache', maxAge: 1 }), { message: /cannot be combined/ });
  t.throws(() => composeCacheControl({ maxAge: -1 }), { message: /static option maxAge must be a non-negative integer/ });
  t.throws(() => composeCacheControl({ maxAge: 1.5 }), { message: /maxAge/ });
  t.throws(() => composeCacheControl({ immutable: 'yes' as unknown as boolean }), { message: /static option immutable must be true or false/ });
  t.throws(() => composeCacheControl({ cacheControl: {} as unknown as string }), { message: /cacheControl must be a non-empty header value/ });
});

for (const name of ['app.3f9a1c2b.js', '/assets/index-B2x9Lk0q.js', 'chunk-ABCD1234.css', 'vendor_9f86d081884c7d65.js', 'app.3f9a1c2b.js.gz', 'font.0a1b2c3d.woff2']) {
  test(`isHashedName recognises ${name}`, (t) => t.true(isHashedName(name)));
}
for (const name of ['app.js', 'index-homepage.js', 'myWidget.js', 'jquery-3.7.1.min.js', 'deadbeef.js', 'logo.png', 'README', 'a.12345678']) {
  test(`isHashedName leaves ${name} alone`, (t) => t.false(isHashedName(name)));
}

test('cacheControlFor picks the hashed value only for hashed names, and only when set', (t) => {
  t.is(cacheControlFor('/x/app.3f9a1c2b.js', 'public, max-age=60', IMMUTABLE_CACHE_CONTROL), IMMUTABLE_CACHE_CONTROL);
  t.is(cacheControlFor('/x/app.js', 'public, max-age=60', IMMUTABLE_CACHE_CONTROL), 'public, max-age=60');
  t.is(cacheControlFor('/x/app.3f9a1c2b.js', null, null), null);
});
