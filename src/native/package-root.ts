// Finds sluice's package root from any of its modules: the nearest directory above the module whose package.json is
// named "sluice". Walking up, not a fixed '../../../', because the published build is bundled (dist/src/chunks/…).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The `name` in sluice's package.json; a copy installed under an npm alias keeps it. */
export const PACKAGE_NAME = 'sluice';

/** The nearest directory at or above `from` (a file URL) whose package.json has `name`, as a directory URL (ending
 *  in '/'). Other package.json files on the way (a `{"type":"module"}` marker, say) are passed over. Throws an Error
 *  with code ERR_SLUICE_PACKAGE_ROOT when there is none, which means the files were moved out of their package. */
export function findPackageRoot(from: URL | string, name: string = PACKAGE_NAME): URL {
  const start = dirname(fileURLToPath(from));
  for (let dir = start; ; dir = dirname(dir)) {
    if (readPackageName(join(dir, 'package.json')) === name) return pathToFileURL(join(dir, '/'));
    if (dirname(dir) === dir) break;
  }
  throw Object.assign(new Error(`no package.json named "${name}" at or above ${start}: sluice's files were moved out of its package`), {
    code: 'ERR_SLUICE_PACKAGE_ROOT',
  });
}

function readPackageName(file: string): unknown {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined; // no package.json here, or not JSON: keep walking
  }
}

/** sluice's package root: the repository in a checkout, node_modules/sluice in an install. */
export const PACKAGE_ROOT: URL = findPackageRoot(import.meta.url);
