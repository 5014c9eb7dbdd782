#!/usr/bin/env node
// npm's prepare step in a git checkout: brings dist/ up to date with `tsc -b`, which returns at once when it is.
// Skipped under `npm pack`/`npm publish` (prepack has just made the published build, which this must not replace)
// and under npx: `npx sluice` in a checkout links the checkout into npm's npx cache and runs prepare on every first
// start; `npm install` has built dist/ already, and a slow step there is what left broken npx caches when interrupted.
// A pack interrupted between prepack and postpack left the published bundle in dist/src: that is undone first.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { restoreCheckout } from './pack-swap.js';

const command = process.env.npm_command;
if (command === 'pack' || command === 'publish' || command === 'exec') process.exit(0);
restoreCheckout();

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.json'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
