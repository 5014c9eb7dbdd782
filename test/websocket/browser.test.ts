// The ws-echo example in a real browser: headless Chromium (Debian's package, installed by scripts/test-tools.js)
// opens the page at /, which connects to /echo with permessage-deflate; text and binary come back with their kind,
// a typed message round-trips, and stopping the server closes the page's socket with 1001.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const EXAMPLE = fileURLToPath(new URL('../../examples/ws-echo.js', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** Starts the example on a free port; resolves with the process and its URL once it listens. */
function startExample(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [EXAMPLE], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http:\/\/localhost:\d+\/)/.exec(out)?.[1];
      if (url !== undefined) resolve({ child, url: url.replace('localhost', '127.0.0.1') });
    });
    child.once('exit', (code) => reject(new Error(`the example exited with ${code}: ${out}`)));
  });
}

test('the ws-echo page connects from Chromium, echoes text and binary with their kind, and sees 1001 at shutdown', async (t) => {
  t.true(existsSync(CHROMIUM), `${CHROMIUM} is missing: run npm test (scripts/test-tools.js installs Debian's chromium) as root`);
  const profile = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
  const { child, url } = await startExample();
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    // Page-side expressions as strings: this file is compiled without the DOM's types.
    await page.waitForFunction("document.getElementById('log').textContent.split('\\n').length >= 3");
    t.deepEqual((await page.textContent('#log'))!.trim().split('\n'), ['text: hello from the browser', 'binary: 1,2,3']);
    t.is(await page.textContent('#status'), 'open');
    t.regex((await page.textContent('#ext'))!, /permessage-deflate/);
    const long = 'compress-me-'.repeat(500) + 'end';
    await page.fill('#text', long);
    await page.click('button');
    await page.waitForFunction("document.getElementById('log').textContent.split('\\n').length >= 4");
    t.is((await page.textContent('#log'))!.trim().split('\n')[2], `text: ${long}`);
    child.kill('SIGTERM');
    await page.waitForFunction("document.getElementById('status').textContent.startsWith('closed')");
    t.is(await page.textContent('#status'), 'closed (1001)');
  } finally {
    await browser.close();
    child.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  }
});
