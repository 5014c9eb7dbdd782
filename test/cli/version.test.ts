// Tests for --version's source: the package.json beside dist/.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_JSON_URL, readVersion } from '../../src/cli/version.js';

test('readVersion reads the package version', (t) => {
  const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
  t.is(readVersion(), pkg.version);
  t.true(PACKAGE_JSON_URL.pathname.endsWith('/package.json'));
});

test('readVersion says unknown for a missing, broken or versionless package.json', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-version-'));
  try {
    t.is(readVersion(pathToFileURL(join(dir, 'missing.json'))), 'unknown');
    writeFileSync(join(dir, 'broken.json'), '{');
    t.is(readVersion(pathToFileURL(join(dir, 'broken.json'))), 'unknown');
    writeFileSync(join(dir, 'none.json'), '{"name":"x"}');
    t.is(readVersion(pathToFileURL(join(dir, 'none.json'))), 'unknown');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
