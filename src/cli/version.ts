// The package version for `sluice --version`, read from the package.json at the package root (so it is right for a
// git checkout and for an npm install alike, bundled or not).

import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../native/index.js';

/** The package root's package.json. */
export const PACKAGE_JSON_URL = new URL('package.json', PACKAGE_ROOT);

/** The `version` field of sluice's package.json ('unknown' if it cannot be read). */
export function readVersion(url: URL = PACKAGE_JSON_URL): string {
  try {
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
