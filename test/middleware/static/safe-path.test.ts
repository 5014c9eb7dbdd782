// Tests for request-path resolution under a root: every traversal family, dotfiles, symlinks, encodings.
import test from 'ava';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realpathOrNull, resolveSafePath, type SafePath, type SafePathCode } from '../../../src/middleware/static/safe-path.js';

// A served root plus a sibling "secret" outside it.
const sandbox = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-safe-path-')));
const root = join(sandbox, 'public');
mkdirSync(join(root, 'a'), { recursive: true });
mkdirSync(join(root, '.git'));
mkdirSync(join(root, '.well-known'));
mkdirSync(join(root, 'dir'));
writeFileSync(join(root, 'index.html'), 'index');
writeFileSync(join(root, 'a', 'b.txt'), 'b');
writeFileSync(join(root, '.git', 'config'), 'secret config');
writeFileSync(join(root, '.env'), 'secret env');
writeFileSync(join(root, '.well-known', 'security.txt'), 'contact');
writeFileSync(join(root, 'caf\u00e9.txt'), 'utf8 name');
writeFileSync(join(root, '100%.txt'), 'percent');
writeFileSync(join(root, 'a b.txt'), 'space');
writeFileSync(join(sandbox, 'secret.txt'), 'outside');
symlinkSync('/etc', join(root, 'etc-link'));
symlinkSync(join(sandbox, 'secret.txt'), join(root, 'secret-link'));
symlinkSync(join(root, 'a', 'b.txt'), join(root, 'inner-link'));
symlinkSync(join(root, '.env'), join(root, 'env-link'));
symlinkSync(sandbox, join(root, 'sandbox-link'));
test.after.always(() => rmSync(sandbox, { recursive: true, force: true }));

const ok = (relative: string, trailingSlash = false): SafePath =>
  ({ kind: 'ok', path: relative === '' ? root : join(root, relative), trailingSlash });
const reject = (status: 400 | 404, code: SafePathCode): SafePath => ({ kind: 'reject', status, code });

const resolves = test.macro({
  exec(t, raw: string, expected: SafePath) {
    t.deepEqual(resolveSafePath(root, raw), expected);
  },
  title: (provided, raw) => `resolveSafePath ${provided ?? ''} (${JSON.stringify(raw)})`,
});

// Ordinary paths.
test('maps the root', resolves, '/', ok('', true));
test('maps a file', resolves, '/a/b.txt', ok('a/b.txt'));
test('reports a trailing slash on a directory', resolves, '/dir/', ok('dir', true));
test('reports no trailing slash on a bare directory', resolves, '/dir', ok('dir'));
test('collapses empty segments', resolves, '//a///b.txt', ok('a/b.txt'));
test('drops the query', resolves, '/a/b.txt?x=../../etc/passwd', ok('a/b.txt'));
test('decodes UTF-8 once', resolves, '/caf%C3%A9.txt', ok('caf\u00e9.txt'));
test('decodes a space', resolves, '/a%20b.txt', ok('a b.txt'));
test('decodes a literal percent not followed by hex', resolves, '/100%25.txt', ok('100%.txt'));
test('follows a symlink that stays inside', resolves, '/inner-link', ok('a/b.txt'));
test('serves /.well-known/ despite the dotfile rule', resolves, '/.well-known/security.txt', ok('.well-known/security.txt'));
test('reports a missing file as 404', resolves, '/nope.txt', reject(404, 'NOT_FOUND'));
test('reports a file used as a directory as 404', resolves, '/index.html/', reject(404, 'NOT_FOUND'));
// Traversal families: none may resolve, none may be a 5xx.
test('refuses /../etc/passwd', resolves, '/../etc/passwd', reject(400, 'DOT_SEGMENT'));
test('refuses a .. in the middle', resolves, '/a/../../etc/passwd', reject(400, 'DOT_SEGMENT'));
test('refuses a trailing ..', resolves, '/a/..', reject(400, 'DOT_SEGMENT'));
test('refuses a . segment', resolves, '/./a/b.txt', reject(400, 'DOT_SEGMENT'));
test('refuses encoded dots', resolves, '/%2e%2e/etc/passwd', reject(400, 'DOT_SEGMENT'));
test('refuses mixed-case encoded dots', resolves, '/.%2E/etc/passwd', reject(400, 'DOT_SEGMENT'));
test('refuses double-encoded dots', resolves, '/%252e%252e/etc/passwd', reject(400, 'DOUBLE_ENCODING'));
test('refuses double encoding built from encoded digits', resolves, '/%25%32%65', reject(400, 'DOUBLE_ENCODING'));
test('refuses a double-encoded slash', resolves, '/a%252fb', reject(400, 'DOUBLE_ENCODING'));
test('refuses an encoded slash', resolves, '/a%2fb', reject(400, 'ENCODED_SEPARATOR'));
test('refuses an upper-case encoded slash', resolves, '/..%2F..%2Fetc%2Fpasswd', reject(400, 'ENCODED_SEPARATOR'));
test('refuses an encoded backslash', resolves, '/a%5cb', reject(400, 'ENCODED_SEPARATOR'));
test('refuses a raw backslash', resolves, '/a\\b', reject(400, 'BAD_CHARACTER'));
test('refuses backslash traversal', resolves, '/..\\..\\etc\\passwd', reject(400, 'BAD_CHARACTER'));
test('refuses an encoded NUL', resolves, '/%00', reject(400, 'NUL'));
test('refuses an encoded NUL before an extension', resolves, '/index.html%00.txt', reject(400, 'NUL'));
test('refuses a raw NUL', resolves, '/a\u0000b', reject(400, 'NUL'));
test('refuses overlong UTF-8 dots', resolves, '/%c0%ae%c0%ae/etc/passwd', reject(400, 'BAD_ENCODING'));
test('refuses an overlong slash', resolves, '/a%c0%afb', reject(400, 'BAD_ENCODING'));
test('refuses a three-byte overlong dot', resolves, '/%e0%80%ae', reject(400, 'BAD_ENCODING'));
test('refuses an encoded UTF-16 surrogate', resolves, '/%ed%a0%80', reject(400, 'BAD_ENCODING'));
test('refuses a lone continuation byte', resolves, '/%80', reject(400, 'BAD_ENCODING'));
test('refuses a truncated sequence', resolves, '/%c3', reject(400, 'BAD_ENCODING'));
test('refuses a percent without hex digits', resolves, '/%zz', reject(400, 'BAD_ENCODING'));
test('refuses a percent at the end', resolves, '/a%', reject(400, 'BAD_ENCODING'));
test('refuses a percent with one hex digit', resolves, '/a%2', reject(400, 'BAD_ENCODING'));
test('refuses an encoded control character', resolves, '/a%0ab', reject(400, 'BAD_CHARACTER'));
test('refuses an encoded DEL', resolves, '/a%7fb', reject(400, 'BAD_CHARACTER'));
test('refuses a raw space', resolves, '/a b.txt', reject(400, 'BAD_CHARACTER'));
test('refuses raw non-ASCII', resolves, '/caf\u00e9.txt', reject(400, 'BAD_CHARACTER'));
test('refuses a raw DEL', resolves, '/a\u007f', reject(400, 'BAD_CHARACTER'));
test('refuses a path not starting with a slash', resolves, 'a/b.txt', reject(400, 'NOT_ABSOLUTE'));
test('refuses an absolute-form target', resolves, 'http://x/a/b.txt', reject(400, 'NOT_ABSOLUTE'));
test('refuses an empty path', resolves, '', reject(400, 'NOT_ABSOLUTE'));
// Hidden and escaping paths: 404, so the answer does not reveal existence.
test('hides /.git/config', resolves, '/.git/config', reject(404, 'DOTFILE'));
test('hides a dotfile at the root', resolves, '/.env', reject(404, 'DOTFILE'));
test('hides an encoded dotfile', resolves, '/%2eenv', reject(404, 'DOTFILE'));
test('hides a nested dot directory', resolves, '/a/.hidden/x', reject(404, 'DOTFILE'));
test('hides .well-known when not first', resolves, '/a/.well-known/x', reject(404, 'DOTFILE'));
test('hides a symlink to a dotfile inside the root', resolves, '/env-link', reject(404, 'DOTFILE'));
test('refuses a symlink to /etc', resolves, '/etc-link/passwd', reject(404, 'OUTSIDE_ROOT'));
test('refuses the symlinked directory itself', resolves, '/etc-link', reject(404, 'OUTSIDE_ROOT'));
test('refuses a symlink to a file outside', resolves, '/secret-link', reject(404, 'OUTSIDE_ROOT'));
test('refuses a symlink to the root\'s parent', resolves, '/sandbox-link/secret.txt', reject(404, 'OUTSIDE_ROOT'));

test('resolveSafePath allows dotfiles when asked, but still refuses dot segments', (t) => {
  t.deepEqual(resolveSafePath(root, '/.git/config', { dotfiles: 'allow' }), ok('.git/config'));
  t.deepEqual(resolveSafePath(root, '/env-link', { dotfiles: 'allow' }), ok('.env'));
  t.deepEqual(resolveSafePath(root, '/..', { dotfiles: 'allow' }), reject(400, 'DOT_SEGMENT'));
});

test('resolveSafePath can hide /.well-known/ too', (t) => {
  t.deepEqual(resolveSafePath(root, '/.well-known/security.txt', { wellKnown: false }), reject(404, 'DOTFILE'));
});

test('resolveSafePath accepts a root written with a trailing slash', (t) => {
  t.deepEqual(resolveSafePath(root + '/', '/a/b.txt'), ok('a/b.txt'));
  t.deepEqual(resolveSafePath(root + '/', '/secret-link'), reject(404, 'OUTSIDE_ROOT'));
});

test('resolveSafePath refuses a sibling directory sharing the root as a prefix', (t) => {
  // '/srv/public-evil' starts with '/srv/public' as a string but is not under it.
  const realpath = (): string => root + '-evil/x';
  t.deepEqual(resolveSafePath(root, '/x', { realpath }), reject(404, 'OUTSIDE_ROOT'));
});

test('resolveSafePath uses the given realpath and treats null as missing', (t) => {
  const seen: string[] = [];
  const realpath = (p: string): string | null => {
    seen.push(p);
    return p.endsWith('missing') ? null : p;
  };
  t.deepEqual(resolveSafePath(root, '/x/y', { realpath }), ok('x/y'));
  t.deepEqual(resolveSafePath(root, '/missing', { realpath }), reject(404, 'NOT_FOUND'));
  t.deepEqual(seen, [join(root, 'x/y'), join(root, 'missing')]);
});

test('resolveSafePath under the filesystem root still refuses traversal', (t) => {
  t.deepEqual(resolveSafePath('/', '/etc/hostname', { realpath: (p) => p }), { kind: 'ok', path: '/etc/hostname', trailingSlash: false });
  t.deepEqual(resolveSafePath('/', '/../etc'), reject(400, 'DOT_SEGMENT'));
});

test('realpathOrNull resolves symlinks and maps failures to null', (t) => {
  t.is(realpathOrNull(join(root, 'inner-link')), join(root, 'a', 'b.txt'));
  t.is(realpathOrNull(join(root, 'nope')), null);
  t.is(realpathOrNull(join(root, 'index.html', 'x')), null);
});

test('symlinks: follow returns the lexical path for any link and never calls realpath', (t) => {
  const follow = { symlinks: 'follow' as const, realpath: (): string | null => t.fail('realpath called') as never };
  t.deepEqual(resolveSafePath(root, '/secret-link', follow), ok('secret-link'));
  t.deepEqual(resolveSafePath(root, '/etc-link/hostname', follow), ok('etc-link/hostname'));
  t.deepEqual(resolveSafePath(root, '/', follow), ok('', true));
  t.deepEqual(resolveSafePath(root, '/a/', follow), ok('a', true));
  // Dot segments and hidden names are still refused before any link is looked at.
  t.deepEqual(resolveSafePath(root, '/a/../x', follow), reject(400, 'DOT_SEGMENT'));
  t.deepEqual(resolveSafePath(root, '/.env', follow), reject(404, 'DOTFILE'));
});

test('symlinks: deny refuses any link on the path, even one that stays inside', (t) => {
  t.deepEqual(resolveSafePath(root, '/inner-link', { symlinks: 'deny' }), reject(404, 'SYMLINK'));
  t.deepEqual(resolveSafePath(root, '/secret-link', { symlinks: 'deny' }), reject(404, 'SYMLINK'));
  t.deepEqual(resolveSafePath(root, '/a/b.txt', { symlinks: 'deny' }), ok('a/b.txt'));
  t.deepEqual(resolveSafePath(root, '/', { symlinks: 'deny' }), ok('', true));
});
