// Tests for Content-Type lookup and precompressed-sibling selection.
import test from 'ava';
import {
  DEFAULT_CONTENT_TYPE, contentTypeOf, parseAcceptEncoding, selectPrecompressed, type EncodedChoice, type FileLookup,
} from '../../../src/middleware/static/mime.js';

const typeOf = test.macro({
  exec(t, path: string, expected: string) {
    t.is(contentTypeOf(path), expected);
    // The second lookup is served from the per-extension memo and must agree.
    t.is(contentTypeOf(path), expected);
  },
  title: (provided, path) => `contentTypeOf ${provided ?? ''} (${path})`,
});

test('adds charset to HTML', typeOf, '/srv/index.html', 'text/html; charset=utf-8');
test('adds charset to CSS', typeOf, '/srv/site.css', 'text/css; charset=utf-8');
test('adds charset to JavaScript', typeOf, '/srv/app.js', 'text/javascript; charset=utf-8');
test('adds charset to JSON', typeOf, '/srv/data.json', 'application/json; charset=utf-8');
test('adds charset to plain text', typeOf, '/srv/a.txt', 'text/plain; charset=utf-8');
test('leaves images without charset', typeOf, '/srv/a.png', 'image/png');
test('knows wasm', typeOf, '/srv/a.wasm', 'application/wasm');
test('ignores extension case', typeOf, '/srv/A.HTML', 'text/html; charset=utf-8');
test('defaults without an extension', typeOf, '/srv/README', DEFAULT_CONTENT_TYPE);
test('defaults for an unknown extension', typeOf, '/srv/a.unknownext', DEFAULT_CONTENT_TYPE);
test('does not read a leading-dot name as an extension', typeOf, '/srv/.html', DEFAULT_CONTENT_TYPE);
test('does not read a directory dot as an extension', typeOf, '/srv/v1.2/README', DEFAULT_CONTENT_TYPE);
test('defaults for a trailing dot', typeOf, '/srv/a.', DEFAULT_CONTENT_TYPE);

test('parseAcceptEncoding reads codings, q-values, wildcards and the x-gzip alias', (t) => {
  t.deepEqual([...parseAcceptEncoding('gzip, BR;q=0.5, *;q=0, x-gzip;q=0.2, deflate;q=1.000, zstd;q=2, id;foo=bar, , ')],
    [['gzip', 0.2], ['br', 0.5], ['*', 0], ['deflate', 1], ['zstd', 0], ['id', 1]]);
  t.deepEqual([...parseAcceptEncoding('br ; Q=0.001')], [['br', 0.001]]);
  t.deepEqual([...parseAcceptEncoding('br;q=0.0001')], [['br', 0]]);
  t.deepEqual([...parseAcceptEncoding('br;q')], [['br', 0]]);
});

// A fake cache: files by path, and paths whose realpath differs (symlinks).
function lookupOf(files: Record<string, number>, symlinks: string[] = []): FileLookup & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    get(path) {
      asked.push(path);
      if (path.endsWith('.dir')) return { kind: 'directory' };
      const size = files[path];
      return size === undefined ? null : { kind: 'file', size, etag: `W/"${size.toString(16)}-1"` };
    },
    realpath(path) {
      return symlinks.includes(path) ? '/elsewhere' + path : path;
    },
  };
}

const encoded = (coding: string, path: string, size: number): EncodedChoice =>
  ({ kind: 'encoded', coding, path, size, etag: `W/"${size.toString(16)}-1-${coding}"` });

const BOTH = { '/a.js': 100, '/a.js.br': 20, '/a.js.gz': 30 };

test('selectPrecompressed prefers brotli when both are equally acceptable', (t) => {
  t.deepEqual(selectPrecompressed('/a.js', 'gzip, deflate, br', lookupOf(BOTH)), encoded('br', '/a.js.br', 20));
});

test('selectPrecompressed follows the client\'s higher q-value', (t) => {
  t.deepEqual(selectPrecompressed('/a.js', 'br;q=0.5, gzip', lookupOf(BOTH)), encoded('gzip', '/a.js.gz', 30));
});

test('selectPrecompressed falls back to gzip when there is no .br', (t) => {
  t.deepEqual(selectPrecompressed('/a.js', 'br, gzip', lookupOf({ '/a.js.gz': 30 })), encoded('gzip', '/a.js.gz', 30));
});

test('selectPrecompressed accepts x-gzip', (t) => {
  t.deepEqual(selectPrecompressed('/a.js', 'x-gzip', lookupOf(BOTH)), encoded('gzip', '/a.js.gz', 30));
});

test('selectPrecompressed uses the wildcard weight for unlisted codings', (t) => {
  t.deepEqual(selectPrecompressed('/a.js', '*', lookupOf(BOTH)), encoded('br', '/a.js.br', 20));
  t.deepEqual(selectPrecompressed('/a.js', 'br;q=0, *', lookupOf(BOTH)), encoded('gzip', '/a.js.gz', 30));
});

test('selectPrecompressed sends identity when nothing acceptable exists', (t) => {
  const identity: EncodedChoice = { kind: 'identity' };
  t.deepEqual(selectPrecompressed('/a.js', undefined, lookupOf(BOTH)), identity);
  t.deepEqual(selectPrecompressed('/a.js', '', lookupOf(BOTH)), identity);
  t.deepEqual(selectPrecompressed('/a.js', 'deflate, identity', lookupOf(BOTH)), identity);
  t.deepEqual(selectPrecompressed('/a.js', 'br;q=0, gzip;q=0', lookupOf(BOTH)), identity);
  t.deepEqual(selectPrecompressed('/a.js', '*;q=0', lookupOf(BOTH)), identity);
  t.deepEqual(selectPrecompressed('/a.js', 'br, gzip', lookupOf({ '/a.js': 1 })), identity);
});

test('selectPrecompressed never uses a sibling that is a directory or a symlink', (t) => {
  t.deepEqual(selectPrecompressed('/a.dir', 'br', lookupOf({})), { kind: 'identity' });
  t.deepEqual(selectPrecompressed('/a.js', 'br, gzip', lookupOf(BOTH, ['/a.js.br'])), encoded('gzip', '/a.js.gz', 30));
});

test('selectPrecompressed does not stat codings the client refused', (t) => {
  const files = lookupOf(BOTH);
  selectPrecompressed('/a.js', 'gzip', files);
  t.deepEqual(files.asked, ['/a.js.gz']);
});

test('selectPrecompressed honours a custom coding list', (t) => {
  const files = lookupOf({ '/a.js.zst': 10 });
  t.deepEqual(selectPrecompressed('/a.js', 'zstd', files, [{ coding: 'zstd', suffix: '.zst' }]), encoded('zstd', '/a.js.zst', 10));
});
