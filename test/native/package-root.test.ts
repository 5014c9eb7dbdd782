// Tests for findPackageRoot: the walk up from a module to sluice's package.json, as laid out in a checkout and in the
// bundled package (dist/src/chunks/), past package.json files that are not sluice's.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT, findPackageRoot } from '../../src/native/index.js';

/** A temporary tree: each path maps to its contents; returns the root directory. */
function makeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-root-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('PACKAGE_ROOT is the checkout, whose package.json is sluice\'s', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { name: string };
  t.is(pkg.name, 'sluice');
  t.true(PACKAGE_ROOT.href.endsWith('/'));
  t.is(PACKAGE_ROOT.href, pathToFileURL(join(process.cwd(), '/')).href);
});

test('findPackageRoot walks up from a bundled chunk past other package.json files', (t) => {
  const dir = makeTree({
    'node_modules/sluice/package.json': '{"name":"sluice","version":"1.0.0"}',
    'node_modules/sluice/dist/package.json': '{"type":"module"}',
    'node_modules/sluice/dist/src/package.json': '{ not json',
    'node_modules/sluice/dist/src/chunks/server.js': '',
    'package.json': '{"name":"app"}',
  });
  try {
    const from = pathToFileURL(join(dir, 'node_modules/sluice/dist/src/chunks/server.js'));
    t.is(findPackageRoot(from).href, pathToFileURL(join(dir, 'node_modules/sluice/')).href);
    t.is(findPackageRoot(from.href, 'app').href, pathToFileURL(join(dir, '/')).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('findPackageRoot throws ERR_SLUICE_PACKAGE_ROOT when no package.json above has the name', (t) => {
  const dir = makeTree({ 'lib/moved.js': '', 'package.json': '{"name":"app"}' });
  try {
    const error = t.throws(() => findPackageRoot(pathToFileURL(join(dir, 'lib/moved.js')), 'sluice-nowhere'));
    t.is((error as Error & { code?: string }).code, 'ERR_SLUICE_PACKAGE_ROOT');
    t.regex(error!.message, /no package\.json named "sluice-nowhere" at or above .*lib/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
