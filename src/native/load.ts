// Loads the compiled addon (build/Release/sluice_native.node) once per path and checks its wire layout.
// A missing or stale build fails here with a message that says how to build it, not deep inside the server.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  EVENT_RECORD_INT32,
  EV_ACCEPT,
  EV_ACCEPT_ERROR,
  EV_DATA,
  EV_EOF,
  EV_ERROR,
  EV_INOTIFY,
  EV_NONE,
  EV_WRITABLE,
  FLUSH_RECORD_INT32,
} from './binding.js';
import type { NativeBinding } from './binding.js';

/** Where `npm install` puts the addon (this file runs from dist/src/native/). */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../../build/Release/sluice_native.node', import.meta.url));

/** An error loading the addon: ERR_SLUICE_NATIVE_MISSING (not built) or ERR_SLUICE_NATIVE_MISMATCH (stale build). */
export class NativeLoadError extends Error {
  /** 'ERR_SLUICE_NATIVE_MISSING' | 'ERR_SLUICE_NATIVE_MISMATCH'. */
  readonly code: 'ERR_SLUICE_NATIVE_MISSING' | 'ERR_SLUICE_NATIVE_MISMATCH';

  constructor(code: NativeLoadError['code'], message: string) {
    super(message);
    this.name = 'NativeLoadError';
    this.code = code;
  }
}

const EXPECTED_CONSTANTS: Readonly<Record<string, number>> = {
  EV_NONE,
  EV_DATA,
  EV_EOF,
  EV_ERROR,
  EV_WRITABLE,
  EV_ACCEPT,
  EV_ACCEPT_ERROR,
  EV_INOTIFY,
  EVENT_RECORD_INT32,
  FLUSH_RECORD_INT32,
};

const require = createRequire(import.meta.url);
const loaded = new Map<string, NativeBinding>();

/** Loads the addon (cached per path); throws NativeLoadError when it is missing or built from other constants. */
export function loadNative(path: string = NATIVE_ADDON_PATH): NativeBinding {
  const cached = loaded.get(path);
  if (cached !== undefined) return cached;
  if (!existsSync(path)) {
    throw new NativeLoadError(
      'ERR_SLUICE_NATIVE_MISSING',
      `sluice: the native addon is missing (${path}). Build it with \`node scripts/build-native.js\` ` +
        '(npm install does this; it needs cmake and a C++ compiler).',
    );
  }
  const addon = require(path) as NativeBinding & Record<string, unknown>;
  for (const [name, value] of Object.entries(EXPECTED_CONSTANTS)) {
    if (addon[name] !== value) {
      throw new NativeLoadError(
        'ERR_SLUICE_NATIVE_MISMATCH',
        `sluice: the native addon at ${path} was built from other sources (${name} = ${String(addon[name])}, ` +
          `expected ${value}). Rebuild it with \`node scripts/build-native.js\`.`,
      );
    }
  }
  loaded.set(path, addon);
  return addon;
}
