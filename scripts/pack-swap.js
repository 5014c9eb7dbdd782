// While npm packs, dist/src holds the published bundle; the checkout's own tsc output waits in dist/src.checkout and
// comes back untouched afterwards (so tsc's buildinfo stays true and `npx sluice` in the checkout keeps working).
// Used by prepack (swap in), postpack (swap back) and prepare (heal a pack that was interrupted in between).
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The JavaScript that package.json's exports, main and bin name: tsc's in a checkout, the bundle while packing. */
export const DIST_SRC = join(root, 'dist', 'src');
/** The checkout's tsc output while the bundle stands in for it. */
const STASH = join(root, 'dist', 'src.checkout');
/** A file inside dist/src that says it holds the bundle (npm's `files` globs only *.js, so it never ships). */
const MARK = '.sluice-bundle';
/** tsc's incremental state, which describes the checkout's dist/src. */
const BUILD_INFO = join(root, 'dist', 'tsconfig.tsbuildinfo');

/** Puts the bundle directory `bundle` at dist/src and the checkout's dist/src (if any) aside. */
export function swapInBundle(bundle) {
  restoreCheckout();
  rmSync(STASH, { recursive: true, force: true }); // left from a restore that did not finish; dist/src is newer
  writeFileSync(join(bundle, MARK), 'The published bundle, made by scripts/prepack.js; postpack puts the checkout\'s dist/src back.\n');
  if (existsSync(DIST_SRC)) renameSync(DIST_SRC, STASH);
  renameSync(bundle, DIST_SRC);
}

/** Puts the checkout's dist/src back when the bundle is there; does nothing otherwise. */
export function restoreCheckout() {
  if (!existsSync(join(DIST_SRC, MARK))) return;
  rmSync(DIST_SRC, { recursive: true, force: true });
  if (existsSync(STASH)) renameSync(STASH, DIST_SRC);
  // Nothing was there before: without its buildinfo, `tsc -b` rebuilds dist/src instead of trusting stale state.
  else rmSync(BUILD_INFO, { force: true });
}
