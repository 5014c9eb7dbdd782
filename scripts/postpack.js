#!/usr/bin/env node
// npm's postpack step: puts the checkout's dist/src back in place of the bundle (pack-swap.js), and removes
// prebuilds/, made by prepack only for the tarball. Left in a checkout, it would be loaded before build/Release and
// hide every later change to the native sources.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { restoreCheckout } from './pack-swap.js';

restoreCheckout();
rmSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'prebuilds'), { recursive: true, force: true });
