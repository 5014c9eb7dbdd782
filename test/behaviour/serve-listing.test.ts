// `--list` over real sockets: an HTML listing (sorted, sizes, dates, every name escaped), JSON for
// Accept: application/json, hidden dotfiles, and without --list the not-found page for a folder with no index.
import test from './transport.js';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, withFlags } from './serve-flags.js';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-listing-'));
const OUTSIDE = mkdtempSync(join(tmpdir(), 'sluice-listing-outside-'));
const NASTY = '<script>.txt';
const IMG = '<img src=x onerror=alert(1)>.txt';
const QUOTES = `a&b"c'd.txt`;
const WHEN = new Date('2026-01-02T03:04:05Z');

test.before(() => {
  mkdirSync(join(ROOT, 'files'));
  writeFileSync(join(ROOT, 'files', 'b.txt'), 'bb');
  writeFileSync(join(ROOT, 'files', 'a.txt'), 'a'.repeat(2048));
  writeFileSync(join(ROOT, 'files', NASTY), 'x');
  writeFileSync(join(ROOT, 'files', IMG), 'x');
  writeFileSync(join(ROOT, 'files', QUOTES), 'x');
  writeFileSync(join(ROOT, 'files', 'javascript:alert(1)'), 'x');
  writeFileSync(join(ROOT, 'files', '.secret'), 'x');
  mkdirSync(join(ROOT, 'files', 'zdir'));
  writeFileSync(join(OUTSIDE, 'out.txt'), 'x');
  symlinkSync(join(OUTSIDE, 'out.txt'), join(ROOT, 'files', 'escape.txt'));
  utimesSync(join(ROOT, 'files', 'a.txt'), WHEN, WHEN);
  writeFileSync(join(ROOT, '404.html'), '<h1>custom not found</h1>');
});
test.after.always(() => {
  rmSync(ROOT, { recursive: true, force: true });
  rmSync(OUTSIDE, { recursive: true, force: true });
});

test('--list answers a folder without an index with an HTML table: directories first, then files by name, sizes and dates', async (t) => {
  await withFlags([ROOT, '--list'], async (port) => {
    const res = await ask(port, 'GET', '/files/');
    t.is(res.status, 200);
    t.is(res.headers['content-type'], 'text/html; charset=utf-8');
    t.is(res.headers.vary, 'Accept');
    const html = res.body.toString();
    const order = [...html.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]);
    t.deepEqual(order, ['../', './zdir/', './%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.txt', './%3Cscript%3E.txt', './a%26b%22c&#39;d.txt',
      './a.txt', './b.txt', './javascript%3Aalert(1)']);
    t.regex(html, /<span title="2048 bytes">2\.0 KiB<\/span>/);
    t.regex(html, /<time datetime="2026-01-02T03:04:05\.000Z">2026-01-02 03:04 UTC<\/time>/);
    t.regex(html, /<title>Index of \/files\/<\/title>/);
  });
});

test('--list escapes every name: a file called <script> is text, never markup', async (t) => {
  await withFlags([ROOT, '--list'], async (port) => {
    const html = (await ask(port, 'GET', '/files/')).body.toString();
    t.false(html.includes('<script>'));
    t.false(html.includes('<img'));
    t.true(html.includes('&lt;script&gt;.txt'));
    t.true(html.includes('&lt;img src=x onerror=alert(1)&gt;.txt'));
    t.true(html.includes('a&amp;b&quot;c&#39;d.txt'));
    // A name that looks like a URL scheme stays a relative link.
    t.false(html.includes('href="javascript:'));
  });
});

test('--list hides dotfiles and links out of the root, as the app would refuse them', async (t) => {
  await withFlags([ROOT, '--list'], async (port) => {
    const html = (await ask(port, 'GET', '/files/')).body.toString();
    t.false(html.includes('.secret'));
    t.false(html.includes('escape.txt'));
  });
  await withFlags([ROOT, '--list', '--dotfiles', 'allow', '--symlinks', 'follow'], async (port) => {
    const html = (await ask(port, 'GET', '/files/')).body.toString();
    t.true(html.includes('./.secret'));
    t.true(html.includes('./escape.txt'));
  });
});

test('--list answers JSON when the client prefers application/json', async (t) => {
  await withFlags([ROOT, '--list'], async (port) => {
    const res = await ask(port, 'GET', '/files/', { accept: 'application/json' });
    t.is(res.headers['content-type'], 'application/json; charset=utf-8');
    const body = JSON.parse(res.body.toString()) as { path: string; entries: Array<{ name: string; type: string; size: number | null; modified: string }> };
    t.is(body.path, '/files/');
    t.deepEqual(body.entries.map((e) => e.name), ['zdir', IMG, NASTY, QUOTES, 'a.txt', 'b.txt', 'javascript:alert(1)']);
    t.deepEqual(body.entries[4], { name: 'a.txt', type: 'file', size: 2048, modified: WHEN.toISOString() });
    t.is(body.entries[0]!.size, null);
    // A browser's */* keeps getting HTML.
    t.regex((await ask(port, 'GET', '/files/', { accept: 'text/html,*/*;q=0.8' })).headers['content-type']!, /text\/html/);
  });
});

test('without --list a folder with no index gets the not-found page', async (t) => {
  await withFlags([ROOT], async (port) => {
    const res = await ask(port, 'GET', '/files/');
    t.is(res.status, 404);
    t.is(res.body.toString(), '<h1>custom not found</h1>');
    t.is(res.headers['content-type'], 'text/html; charset=utf-8');
  });
});
