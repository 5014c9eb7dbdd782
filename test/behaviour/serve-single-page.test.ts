// `--single`, `--clean-urls` and the not-found page over real sockets, alone and combined: deep links get the app
// shell with 200, missing assets still 404 (with 404.html when there is one), /about serves about.html, and
// /about.html redirects to /about with 308.
import test from './transport.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, BROWSER_ACCEPT, withFlags } from './serve-flags.js';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-single-'));
const BARE = mkdtempSync(join(tmpdir(), 'sluice-single-bare-'));
const SHELL = '<!doctype html><div id=app></div>';

test.before(() => {
  for (const root of [ROOT, BARE]) {
    writeFileSync(join(root, 'index.html'), SHELL);
    writeFileSync(join(root, 'about.html'), '<h1>about</h1>');
    writeFileSync(join(root, 'app.js'), 'app()');
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'index.html'), 'docs');
    writeFileSync(join(root, 'docs', 'guide.html'), 'guide');
    writeFileSync(join(root, 'shell.html'), 'custom shell');
  }
  writeFileSync(join(ROOT, '404.html'), 'the 404 page');
  writeFileSync(join(ROOT, 'gone.html'), 'named 404 page');
});
test.after.always(() => {
  rmSync(ROOT, { recursive: true, force: true });
  rmSync(BARE, { recursive: true, force: true });
});

test('--single: a deep link that accepts HTML gets index.html with 200', async (t) => {
  await withFlags([ROOT, '--single'], async (port) => {
    for (const path of ['/users/42', '/settings/profile?tab=1', '/blog/v1.2']) {
      const res = await ask(port, 'GET', path, { accept: BROWSER_ACCEPT });
      t.is(res.status, 200, path);
      t.is(res.body.toString(), SHELL);
      t.is(res.headers['content-type'], 'text/html; charset=utf-8');
    }
    // fetch() and curl send */*: an extensionless path is a route.
    t.is((await ask(port, 'GET', '/users/42', { accept: '*/*' })).status, 200);
    t.is((await ask(port, 'GET', '/users/42')).status, 200);
    // The answer for a missing path depends on Accept (shell or 404), so caches must key on it.
    t.is((await ask(port, 'GET', '/users/42')).headers.vary, 'Accept');
    t.is((await ask(port, 'GET', '/logo.png')).headers.vary, 'Accept');
    const head = await ask(port, 'HEAD', '/users/42', { accept: BROWSER_ACCEPT });
    t.is(head.status, 200);
    t.is(head.headers['content-length'], String(SHELL.length));
  });
});

test('--single: a missing asset with an extension still gets 404 (the not-found page), and real files are served', async (t) => {
  await withFlags([ROOT, '--single'], async (port) => {
    const missing = await ask(port, 'GET', '/assets/logo.png', { accept: 'image/avif,image/webp,*/*;q=0.8' });
    t.is(missing.status, 404);
    t.is(missing.body.toString(), 'the 404 page');
    t.is((await ask(port, 'GET', '/chunk.js', { accept: '*/*' })).status, 404);
    // A client that refuses HTML gets the 404 too.
    t.is((await ask(port, 'GET', '/users/42', { accept: 'application/json' })).status, 404);
    t.is((await ask(port, 'GET', '/app.js')).body.toString(), 'app()');
    t.is((await ask(port, 'POST', '/users/42', { 'content-length': '0' })).status, 405);
  });
});

test('--single FILE falls back to that file', async (t) => {
  await withFlags([ROOT, '--single', 'shell.html'], async (port) => {
    t.is((await ask(port, 'GET', '/deep/link', { accept: BROWSER_ACCEPT })).body.toString(), 'custom shell');
  });
});

test('--clean-urls: /about serves about.html, /about.html redirects to /about (308, query kept)', async (t) => {
  await withFlags([ROOT, '--clean-urls'], async (port) => {
    const about = await ask(port, 'GET', '/about');
    t.is(about.status, 200);
    t.is(about.body.toString(), '<h1>about</h1>');
    t.is((await ask(port, 'GET', '/docs/guide')).body.toString(), 'guide');
    const redirect = await ask(port, 'GET', '/about.html?x=1');
    t.is(redirect.status, 308);
    t.is(redirect.headers.location, '/about?x=1');
    t.is((await ask(port, 'GET', '/docs/index.html')).headers.location, '/docs/');
    t.is((await ask(port, 'GET', '/index.html')).headers.location, '/');
    // A .html name that does not exist is a 404, not a redirect to nowhere.
    t.is((await ask(port, 'GET', '/nothing.html')).status, 404);
    t.is((await ask(port, 'GET', '/nothing')).status, 404);
  });
});

test('without --clean-urls, /about is a 404 and /about.html is served', async (t) => {
  await withFlags([ROOT], async (port) => {
    t.is((await ask(port, 'GET', '/about')).status, 404);
    t.is((await ask(port, 'GET', '/about.html')).status, 200);
  });
});

test('--single with --clean-urls: clean pages first, then the app shell for other routes, 404 for missing assets', async (t) => {
  await withFlags([ROOT, '--single', '--clean-urls'], async (port) => {
    t.is((await ask(port, 'GET', '/about', { accept: BROWSER_ACCEPT })).body.toString(), '<h1>about</h1>');
    t.is((await ask(port, 'GET', '/about.html', { accept: BROWSER_ACCEPT })).status, 308);
    t.is((await ask(port, 'GET', '/dashboard', { accept: BROWSER_ACCEPT })).body.toString(), SHELL);
    t.is((await ask(port, 'GET', '/missing.css', { accept: 'text/css,*/*;q=0.1' })).status, 404);
  });
});

test('a 404.html at the root is the not-found page; --404 names another; without either the 404 is plain text', async (t) => {
  await withFlags([ROOT], async (port) => {
    const res = await ask(port, 'GET', '/nope');
    t.is(res.status, 404);
    t.is(res.body.toString(), 'the 404 page');
    t.is(res.headers['content-type'], 'text/html; charset=utf-8');
    t.is((await ask(port, 'HEAD', '/nope')).headers['content-length'], String('the 404 page'.length));
  });
  await withFlags([ROOT, '--404', 'gone.html'], async (port) => {
    t.is((await ask(port, 'GET', '/nope')).body.toString(), 'named 404 page');
  });
  await withFlags([BARE], async (port) => {
    const res = await ask(port, 'GET', '/nope');
    t.is(res.status, 404);
    t.is(res.body.toString(), 'Not Found\n');
    t.is(res.headers.vary, undefined);
  });
});

test('--404 and --single naming a missing file fail at start-up, naming the file', async (t) => {
  await t.throwsAsync(withFlags([BARE, '--404', 'missing.html'], async () => {}), { message: /static option notFound: .*missing\.html is not a file/ });
  await t.throwsAsync(withFlags([BARE, '--single', 'missing.html'], async () => {}), { message: /static option single: .*missing\.html is not a file/ });
});
