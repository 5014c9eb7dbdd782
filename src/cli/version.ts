// The package version for `sluice --version`, read from the package.json that ships beside dist/ (so it is right
// for a git checkout and for an npm install alike).

import { readFileSync } from 'node:fs';

/** dist/src/cli/version.js -> the package root's package.json. */
export const PACKAGE_JSON_URL = new URL('../../../package.json', import.meta.url);

/** The `version` field of sluice's package.json ('unknown' if it cannot be read). */
export function readVersion(url: URL = PACKAGE_JSON_URL): string {
  try {
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
