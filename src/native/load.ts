// Loads the native addon once and checks its wire layout. The prebuilt addon shipped for this platform comes first;
// a local build (build/Release, made by cmake-js) only when none matches or it cannot load here (an older libc).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:process';
import { fileURLToPath } from 'node:url';
import detectLibc from 'detect-libc';
import { WIRE_CONSTANTS } from './binding.js';
import type { NativeAddon } from './binding.js';
import { PACKAGE_ROOT } from './package-root.js';

/** Where a build from source puts the addon (`node scripts/build-native.js`; npm install runs it when no prebuilt
 *  addon matches). */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('build/Release/sluice_native.node', PACKAGE_ROOT));

/** What a prebuilt addon was built for. N-API makes one build good for every Node version, so these three are all. */
export interface NativeTarget {
  /** process.platform, e.g. 'linux'. */
  readonly platform: string;
  /** process.arch, e.g. 'x64', 'arm64'. */
  readonly arch: string;
  /** The C library on Linux ('glibc' or 'musl'); null elsewhere or when it cannot be told. */
  readonly libc: string | null;
}

/** The target of this process. */
export function currentTarget(): NativeTarget {
  return { platform, arch, libc: platform === 'linux' ? detectLibc.familySync() : null };
}

/** prebuilds/<platform>-<arch>/node.napi.<libc>.node under the package root: prebuildify's layout, which
 *  node-gyp-build reads too, so bundlers and tools that know it find the file. */
export function prebuiltAddonPath(target: NativeTarget = currentTarget()): string {
  const tags = ['node', 'napi', ...(target.libc === null ? [] : [target.libc]), 'node'].join('.');
  return fileURLToPath(new URL(`prebuilds/${target.platform}-${target.arch}/${tags}`, PACKAGE_ROOT));
}

/** An error loading the addon: ERR_SLUICE_NATIVE_MISSING (none exists or loads here) or ERR_SLUICE_NATIVE_MISMATCH
 *  (built from other sources). */
export class NativeLoadError extends Error {
  /** 'ERR_SLUICE_NATIVE_MISSING' | 'ERR_SLUICE_NATIVE_MISMATCH'. */
  readonly code: 'ERR_SLUICE_NATIVE_MISSING' | 'ERR_SLUICE_NATIVE_MISMATCH';

  constructor(code: NativeLoadError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NativeLoadError';
    this.code = code;
  }
}

const BUILD_HINT =
  `Build it from source with \`node scripts/build-native.js\` in ${fileURLToPath(PACKAGE_ROOT).replace(/\/$/, '')} ` +
  '(`npm rebuild sluice` does the same where sluice is a dependency); that needs cmake, a C++ compiler, and the npm ' +
  'packages cmake-js and node-addon-api.';

/** Functions added after the wire constants last changed: an addon without one of them is a stale build. */
const NEWEST_EXPORTS: readonly string[] = ['unmask', 'copyUnmask', 'createTlsContext', 'getaddrinfo', 'getNoDelay', 'inotifyAddWatch', 'releaseHeld'];

const require = createRequire(import.meta.url);
const loaded = new Map<string, NativeAddon>();
let chosen: NativeAddon | undefined;

/** Loads the addon at `path` (cached per path), or with no path the prebuilt addon for this platform, else the local
 *  build. Throws NativeLoadError when there is none that loads, or when it was built from other constants. */
export function loadNative(path?: string): NativeAddon {
  if (path !== undefined) return loadAt(path);
  chosen ??= loadFirstUsable([prebuiltAddonPath(), NATIVE_ADDON_PATH]);
  return chosen;
}

/** Loads the first candidate that exists and loads; a file that dlopen refuses (another libc, an older glibc) is
 *  skipped. Throws ERR_SLUICE_NATIVE_MISSING naming every candidate when none is usable. */
export function loadFirstUsable(candidates: readonly string[]): NativeAddon {
  const refused: string[] = [];
  let firstError: unknown;
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    try {
      return loadAt(candidate);
    } catch (error) {
      if (error instanceof NativeLoadError) throw error;
      firstError ??= error;
      refused.push(`${candidate} (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }
  }
  const { platform: os, arch: cpu, libc } = currentTarget();
  const found = refused.length === 0 ? `none of ${candidates.join(', ')} exists` : `cannot load ${refused.join('; ')}`;
  throw new NativeLoadError(
    'ERR_SLUICE_NATIVE_MISSING',
    `no native addon for ${os}-${cpu}${libc === null ? '' : ` (${libc})`} is usable: ${found}. ${BUILD_HINT}`,
    { cause: firstError },
  );
}

function loadAt(path: string): NativeAddon {
  const cached = loaded.get(path);
  if (cached !== undefined) return cached;
  if (!existsSync(path)) {
    throw new NativeLoadError('ERR_SLUICE_NATIVE_MISSING', `the native addon is missing (${path}). ${BUILD_HINT}`);
  }
  const addon = require(path) as NativeAddon & Record<string, unknown>;
  for (const [name, value] of Object.entries(WIRE_CONSTANTS)) {
    if (addon[name] !== value) {
      throw new NativeLoadError(
        'ERR_SLUICE_NATIVE_MISMATCH',
        `the native addon at ${path} was built from other sources (${name} = ${String(addon[name])}, ` +
          `expected ${value}). Rebuild it with \`node scripts/build-native.js\`.`,
      );
    }
  }
  // The newest exports: a build from before them has the same constants but would fail at the first call.
  const missing = NEWEST_EXPORTS.find((name) => typeof addon[name] !== 'function');
  if (missing !== undefined) {
    throw new NativeLoadError(
      'ERR_SLUICE_NATIVE_MISMATCH',
      `the native addon at ${path} predates ${missing}(). Rebuild it with \`node scripts/build-native.js\`.`,
    );
  }
  loaded.set(path, addon);
  return addon;
}
