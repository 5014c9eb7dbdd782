#!/usr/bin/env node
// `npm test`'s first step: installs the Debian packages the test suite drives (chromium, for the browser test of the
// WebSocket example) when they are missing, so a fresh machine needs only `npm install && npm test`. Root or
// passwordless sudo with apt-get is needed to install; without it, the tests that need a tool say which one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package -> a file it installs (present = nothing to do). */
const PACKAGES = { chromium: '/usr/bin/chromium' };

const missing = Object.entries(PACKAGES).filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
if (missing.length === 0) process.exit(0);

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const root = process.getuid?.() === 0;
const prefix = root ? [] : has('sudo') ? ['sudo', '-n'] : null;
if (!has('apt-get') || prefix === null) {
  console.error(`test-tools: ${missing.join(', ')} missing and cannot be installed here (needs apt-get as root); the tests that use them will fail`);
  process.exit(0);
}
console.error(`test-tools: installing from Debian: ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => {
  const [cmd, ...rest] = [...prefix, ...args];
  return spawnSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
};
if (!run(['apt-get', 'update', '-qq']) || !run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing])) {
  console.error(`test-tools: apt-get could not install ${missing.join(', ')}; the tests that use them will fail`);
}
