// What the npm tarball must and must not hold: only what runs, plus what a build from source needs.
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
  { pattern: /(^|\/)tsconfig[^/]*\.json$/, why: 'compiler settings' },
  { pattern: /^scripts\/(?!install\.js$|build-native\.js$)/, why: 'development scripts' },
  { pattern: /^\.|\/\./, why: 'dotfiles' },
  { pattern: /\.tsbuildinfo$/, why: 'compiler state' },
  { pattern: /(^|\/)node_modules\//, why: 'dependencies' },
];

/** Most files a tarball may list: it should hold what runs, not grow with tests. */
export const MAX_FILES = 150;

/** Every problem with a tarball's file list; empty when it is right. */
export function checkTarballFiles(files: readonly string[]): string[] {
  const present = new Set(files);
  const problems = REQUIRED_FILES.filter((f) => !present.has(f)).map((f) => `missing ${f}`);
  for (const file of files) {
    const rule = FORBIDDEN.find((r) => r.pattern.test(file));
    if (rule !== undefined) problems.push(`${file} should not ship (${rule.why})`);
  }
  if (files.length > MAX_FILES) problems.push(`${files.length} files, more than ${MAX_FILES}`);
  return problems;
}
