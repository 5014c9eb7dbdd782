// What the npm tarball must and must not hold: only what runs, plus what a build from source needs. The JavaScript is
// prepack's bundle (one file per entry, dist/src/chunks/ for the rest), never tsc's one file per module.
// A pure check over the file list `npm pack --json` prints, so it is tested without packing.

/** Files the tarball must hold (paths inside the package). */
export const REQUIRED_FILES: readonly string[] = [
  'package.json',
  'README.md',
  'LICENSE',
  'bin/sluice.js',
  'dist/src/index.js',
  'dist/src/conduit/index.js',
  'dist/src/middleware/index.js',
  'dist/src/websocket/index.js',
  'dist/src/cli/main.js',
  'dist/src/cli/worker-entry.js',
  'dist/src/cli/node-flags.js',
  'dist/src/native/load.js',
  'dist/types/index.d.ts',
  'dist/types/conduit.d.ts',
  'dist/types/middleware.d.ts',
  'dist/types/websocket.d.ts',
  'prebuilds/linux-x64/node.napi.glibc.node',
  'CMakeLists.txt',
  'src/native/addon.cc',
  'scripts/install.js',
  'scripts/build-native.js',
];

/** Patterns no file in the tarball may match, each with the reason. */
export const FORBIDDEN: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  { pattern: /^(dist\/)?test\//, why: 'tests' },
  { pattern: /^(dist\/)?bench\//, why: 'benchmarks' },
  { pattern: /^(dist\/)?examples\//, why: 'examples' },
  { pattern: /^docs\//, why: 'docs (the README links them on the web)' },
  { pattern: /^build\//, why: 'a local build' },
  { pattern: /^src\/.*\.ts$/, why: 'TypeScript sources (dist/ ships)' },
  { pattern: /\.map$/, why: 'source maps without their sources' },
  { pattern: /^dist\/src\/.*\.d\.ts$/, why: 'per-file declarations (dist/types ships bundled ones)' },
  // The bundle's files: src/index.js and each layer's index.js (the exports), the CLI's two processes and its
  // launcher's flags, the loader that scripts/install.js and the launcher import, and the shared chunks. Anything else is a module left out of the bundle.
  {
    pattern: /^dist\/src\/(?!(?:[a-z-]+\/)?index\.js$|cli\/(?:main|worker-entry|node-flags)\.js$|native\/load\.js$|chunks\/[\w-]+\.js$)/,
    why: 'a module outside the bundle (prepack bundles dist/src into its entries and dist/src/chunks/)',
  },
  { pattern: /(^|\/)tsconfig[^/]*\.json$/, why: 'compiler settings' },
  { pattern: /^scripts\/(?!install\.js$|build-native\.js$)/, why: 'development scripts' },
  { pattern: /^\.|\/\./, why: 'dotfiles' },
  { pattern: /\.tsbuildinfo$/, why: 'compiler state' },
  { pattern: /(^|\/)node_modules\//, why: 'dependencies' },
];

/** Most files a tarball may list: it should hold what runs, not grow with tests or with the number of modules (about
 *  55 today: 12 JavaScript files, 6 .d.ts, 25 native sources, the prebuilt addon and the package's own files). */
export const MAX_FILES = 100;

/** Every problem with a tarball's file list; empty when it is right. `alsoRequired`: files the package names
 *  elsewhere (package.json's exports, read by the caller), so an export added later is checked too. */
export function checkTarballFiles(files: readonly string[], alsoRequired: readonly string[] = []): string[] {
  const present = new Set(files);
  const required = [...new Set([...REQUIRED_FILES, ...alsoRequired])];
  const problems = required.filter((f) => !present.has(f)).map((f) => `missing ${f}`);
  for (const file of files) {
    const rule = FORBIDDEN.find((r) => r.pattern.test(file));
    if (rule !== undefined) problems.push(`${file} should not ship (${rule.why})`);
  }
  if (files.length > MAX_FILES) problems.push(`${files.length} files, more than ${MAX_FILES}`);
  return problems;
}
