// Path traversal against the static app over a raw socket (no client-side normalisation): every family is refused
// with a 4xx, never a 5xx, and no response ever carries the bytes of a file outside the root.
import test from './transport.js';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { staticFiles } from '../../src/middleware/index.js';
import { parseResponses, rawExchange, withServer } from './helpers.js';

const BASE = mkdtempSync(join(tmpdir(), 'sluice-traversal-'));
const ROOT = join(BASE, 'public');
const OUTSIDE_NAME = 'outside-secret.txt';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-ROOT';
// A sibling directory whose name starts like the root's: a naive prefix check would let it through.
const SIBLING = join(BASE, 'public-private');

test.before(() => {
  mkdirSync(ROOT);
  mkdirSync(SIBLING);
  mkdirSync(join(ROOT, 'assets'));
  writeFileSync(join(ROOT, 'ok.txt'), 'inside');
  writeFileSync(join(BASE, OUTSIDE_NAME), SECRET);
  writeFileSync(join(SIBLING, 'key.txt'), SECRET);
  symlinkSync(join(BASE, OUTSIDE_NAME), join(ROOT, 'assets', 'link.txt'));
  symlinkSync(BASE, join(ROOT, 'up'));
  writeFileSync(join(ROOT, '.secret'), SECRET);
});

test.after.always(() => rmSync(BASE, { recursive: true, force: true }));

const FAMILIES: Array<[family: string, targets: string[]]> = [
  ['dot-dot segments', [`/../${OUTSIDE_NAME}`, `/assets/../../${OUTSIDE_NAME}`, `/./../${OUTSIDE_NAME}`, '/..', '/../']],
  ['percent-encoded dots', [`/%2e%2e/${OUTSIDE_NAME}`, `/%2E%2E/${OUTSIDE_NAME}`, `/.%2e/${OUTSIDE_NAME}`, `/%2e./${OUTSIDE_NAME}`]],
  ['encoded separators', [`/..%2f${OUTSIDE_NAME}`, `/..%2F${OUTSIDE_NAME}`, `/..%5c${OUTSIDE_NAME}`, `/assets%2f..%2f..%2f${OUTSIDE_NAME}`]],
  ['double encoding', [`/%252e%252e/${OUTSIDE_NAME}`, `/%252e%252e%252f${OUTSIDE_NAME}`, `/%25%32%65%25%32%65/${OUTSIDE_NAME}`]],
  ['overlong UTF-8', [`/%c0%ae%c0%ae/${OUTSIDE_NAME}`, `/%c0%af..%c0%af${OUTSIDE_NAME}`, `/%e0%80%ae%e0%80%ae/${OUTSIDE_NAME}`]],
  ['backslashes', [`/..\\${OUTSIDE_NAME}`, `/assets\\..\\..\\${OUTSIDE_NAME}`]],
  ['NUL bytes', [`/ok.txt%00/../../${OUTSIDE_NAME}`, '/ok.txt%00.html']],
  ['symlinks out of the root', ['/assets/link.txt', `/up/${OUTSIDE_NAME}`, `/up/${basename(SIBLING)}/key.txt`]],
  ['sibling-prefix directories', [`/../${basename(SIBLING)}/key.txt`, `/%2e%2e/${basename(SIBLING)}/key.txt`]],
  ['absolute paths and odd forms', [`//${BASE.slice(1)}/${OUTSIDE_NAME}`, `${BASE}/${OUTSIDE_NAME}`, '/.secret', '/%2esecret', '/assets/../.secret']],
];

for (const [family, targets] of FAMILIES) {
  test(`traversal by ${family} is a 4xx that never carries another file's bytes`, async (t) => {
    await withServer(staticFiles(ROOT), {}, async (port) => {
      for (const target of targets) {
        const { data } = await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
        t.false(data.toString('latin1').includes(SECRET), `${target} leaked the secret`);
        const [r] = parseResponses(data);
        t.truthy(r, `${target} got no response`);
        t.true(r!.status >= 400 && r!.status < 500, `${target} -> ${r!.status}`);
      }
    });
  });
}

test('an absolute-form target is confined to the root as well', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const { data } = await rawExchange(port, `GET http://t/../${OUTSIDE_NAME} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    t.false(data.toString('latin1').includes(SECRET));
    const [r] = parseResponses(data);
    t.true(r!.status >= 400 && r!.status < 500);
  });
});

test('the root itself still serves (the checks do not refuse ordinary paths)', async (t) => {
  await withServer(staticFiles(ROOT), {}, async (port) => {
    const [r] = parseResponses((await rawExchange(port, 'GET /ok.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')).data);
    t.is(r!.body.toString(), 'inside');
  });
});
