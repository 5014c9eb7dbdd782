// `--max-age`, `--immutable`, `--immutable-hashed`, `--dotfiles`, `--symlinks` and `--precompressed` over real sockets.
import test from './transport.js';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, withFlags } from './serve-flags.js';

const ROOT = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-policies-')));
const OUTSIDE = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-policies-outside-')));

test.before(() => {
  writeFileSync(join(ROOT, 'index.html'), 'home');
  writeFileSync(join(ROOT, 'app.3f9a1c2b.js'), 'hashed()');
  writeFileSync(join(ROOT, 'chunk-B2x9LK0Q.css'), 'b{}');
  writeFileSync(join(ROOT, 'plain.js'), 'plain()');
  writeFileSync(join(ROOT, '.env'), 'SECRET=1');
  mkdirSync(join(ROOT, '.well-known'));
  writeFileSync(join(ROOT, '.well-known', 'security.txt'), 'contact: me');
  writeFileSync(join(ROOT, 'real.txt'), 'real');
  symlinkSync(join(ROOT, 'real.txt'), join(ROOT, 'inside-link.txt'));
  writeFileSync(join(OUTSIDE, 'out.txt'), 'outside');
  symlinkSync(join(OUTSIDE, 'out.txt'), join(ROOT, 'outside-link.txt'));
  symlinkSync(OUTSIDE, join(ROOT, 'outside-dir'));
  writeFileSync(join(ROOT, 'style.css'), 'body { color: red }');
  writeFileSync(join(ROOT, 'style.css.br'), 'BROTLI');
  writeFileSync(join(ROOT, 'style.css.gz'), 'GZIP');
});
test.after.always(() => {
  rmSync(ROOT, { recursive: true, force: true });
  rmSync(OUTSIDE, { recursive: true, force: true });
});

test('by default there is no Cache-Control: caches revalidate with ETag and Last-Modified', async (t) => {
  await withFlags([ROOT], async (port) => {
    const res = await ask(port, 'GET', '/app.3f9a1c2b.js');
    t.is(res.headers['cache-control'], undefined);
    t.truthy(res.headers.etag);
    t.truthy(res.headers['last-modified']);
  });
});

test('--max-age sets public, max-age on files; --immutable adds immutable (a year without --max-age)', async (t) => {
  await withFlags([ROOT, '--max-age', '3600'], async (port) => {
    t.is((await ask(port, 'GET', '/plain.js')).headers['cache-control'], 'public, max-age=3600');
  });
  await withFlags([ROOT, '--max-age', '600', '--immutable'], async (port) => {
    t.is((await ask(port, 'GET', '/plain.js')).headers['cache-control'], 'public, max-age=600, immutable');
  });
  await withFlags([ROOT, '--immutable'], async (port) => {
    t.is((await ask(port, 'GET', '/plain.js')).headers['cache-control'], 'public, max-age=31536000, immutable');
  });
});

test('--immutable-hashed makes content-hashed names immutable for a year and leaves the rest alone', async (t) => {
  await withFlags([ROOT, '--immutable-hashed', '--max-age', '60'], async (port) => {
    t.is((await ask(port, 'GET', '/app.3f9a1c2b.js')).headers['cache-control'], 'public, max-age=31536000, immutable');
    t.is((await ask(port, 'GET', '/chunk-B2x9LK0Q.css')).headers['cache-control'], 'public, max-age=31536000, immutable');
    t.is((await ask(port, 'GET', '/plain.js')).headers['cache-control'], 'public, max-age=60');
    t.is((await ask(port, 'GET', '/')).headers['cache-control'], 'public, max-age=60');
  });
});

test('--dotfiles: ignore (default) is 404, deny is 403, allow serves; /.well-known/ is always served', async (t) => {
  for (const [flags, status] of [[[], 404], [['--dotfiles', 'ignore'], 404], [['--dotfiles', 'deny'], 403], [['--dotfiles', 'allow'], 200]] as const) {
    await withFlags([ROOT, ...flags], async (port) => {
      t.is((await ask(port, 'GET', '/.env')).status, status, flags.join(' '));
      t.is((await ask(port, 'GET', '/.well-known/security.txt')).body.toString(), 'contact: me');
    });
  }
});

test('--symlinks within (default) follows links that stay in the root only', async (t) => {
  await withFlags([ROOT], async (port) => {
    t.is((await ask(port, 'GET', '/inside-link.txt')).body.toString(), 'real');
    t.is((await ask(port, 'GET', '/outside-link.txt')).status, 404);
    t.is((await ask(port, 'GET', '/outside-dir/out.txt')).status, 404);
  });
});

test('--symlinks follow follows every link; --symlinks deny refuses every one', async (t) => {
  await withFlags([ROOT, '--symlinks', 'follow'], async (port) => {
    t.is((await ask(port, 'GET', '/outside-link.txt')).body.toString(), 'outside');
    t.is((await ask(port, 'GET', '/outside-dir/out.txt')).body.toString(), 'outside');
    t.is((await ask(port, 'GET', '/real.txt/')).status, 404);
  });
  await withFlags([ROOT, '--symlinks', 'deny'], async (port) => {
    t.is((await ask(port, 'GET', '/inside-link.txt')).status, 404);
    t.is((await ask(port, 'GET', '/outside-dir/out.txt')).status, 404);
    t.is((await ask(port, 'GET', '/real.txt')).body.toString(), 'real');
  });
});

test('--precompressed sends file.br or file.gz from beside the file when accepted, with Vary: Accept-Encoding', async (t) => {
  await withFlags([ROOT, '--precompressed'], async (port) => {
    const br = await ask(port, 'GET', '/style.css', { 'accept-encoding': 'gzip, br' });
    t.is(br.headers['content-encoding'], 'br');
    t.is(br.headers['content-type'], 'text/css; charset=utf-8');
    t.is(br.headers.vary, 'Accept-Encoding');
    t.is(br.body.toString(), 'BROTLI');
    t.is((await ask(port, 'GET', '/style.css', { 'accept-encoding': 'gzip' })).body.toString(), 'GZIP');
    const identity = await ask(port, 'GET', '/style.css');
    t.is(identity.headers['content-encoding'], undefined);
    t.is(identity.headers.vary, 'Accept-Encoding');
  });
  await withFlags([ROOT], async (port) => {
    t.is((await ask(port, 'GET', '/style.css', { 'accept-encoding': 'br' })).headers['content-encoding'], undefined);
  });
});
