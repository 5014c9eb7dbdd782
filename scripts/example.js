#!/usr/bin/env node
// `npm run example <name>`: runs examples/<name>.ts (built to dist/examples) on $PORT (default 3000).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'dist', 'examples');
const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)) : [];
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`usage: npm run example <name>   (one of: ${names.join(', ') || 'none built: run npm install'})`);
  process.exit(2);
}
await import(join(dir, `${name}.js`));
