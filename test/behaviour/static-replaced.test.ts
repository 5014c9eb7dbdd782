// A file replaced (renamed over) after a response that cached its stat without opening it (HEAD, 304): the next GET
// within the cache period must still get one whole version, both through the static app (which pins an fd for such
// answers) and through a plain respond.file app (the engine's planFile leases the fd and looks again once).
import type { ExecutionContext } from 'ava';
import test from './transport.js';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticFiles } from '../../src/middleware/index.js';
import { respond, type Application } from '../../src/index.js';
import { fileCaches } from '../../src/server/file-caches.js';
import { parseResponses, rawExchange, withServer } from './helpers.js';

const ROOT = mkdtempSync(join(tmpdir(), 'sluice-static-replaced-'));
test.after.always(() => rmSync(ROOT, { recursive: true, force: true }));

async function getText(port: number, path: string, extra = ''): Promise<{ status: number; body: string } | null> {
  const { data } = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}Connection: close\r\n\r\n`);
  if (data.length === 0) return null;
  const [r] = parseResponses(data);
  return { status: r!.status, body: r!.body.toString() };
}

function replace(path: string, content: string): void {
  writeFileSync(path + '.tmp', content);
  renameSync(path + '.tmp', path);
}

/**
 * Runs `scenario` until no file-cache sweep happened during it (at most 5 tries): the bug needs the stale FileInfo to
 * still be cached, which a sweep (every second) would clear. Resolves with the last run's result.
 */
async function withoutSweep<T>(scenario: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let swept = false;
    const stop = fileCaches().info.onSweep(() => {
      swept = true;
      return false;
    });
    try {
      const result = await scenario();
      if (!swept || attempt === 5) return result;
    } finally {
      stop();
    }
  }
}

type Scenario = 'head' | '304';

/** HEAD (or HEAD + a 304 revalidation), then a rename-over, then a GET; returns what the GET got. */
async function replaceAfterBodilessAnswer(t: ExecutionContext, app: Application, name: string, scenario: Scenario): Promise<{ status: number; body: string } | null> {
  const path = join(ROOT, name);
  return withServer(app, {}, (port) => withoutSweep(async () => {
    writeFileSync(path, 'old version');
    const head = await rawExchange(port, `HEAD /${name} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    t.regex(head.data.toString('latin1'), /^HTTP\/1\.1 200/);
    if (scenario === '304') {
      const etag = /etag: (.*)\r\n/i.exec(head.data.toString('latin1'))![1]!;
      t.is((await getText(port, `/${name}`, `If-None-Match: ${etag}\r\n`))!.status, 304);
    }
    replace(path, 'new version!');
    return getText(port, `/${name}`);
  }));
}

function assertWholeVersion(t: ExecutionContext, got: { status: number; body: string } | null): void {
  t.not(got, null, 'the connection closed without a response');
  t.true(got !== null && (got.body === 'old version' || got.body === 'new version!'), got?.body);
}

/** The simplest file app: HEAD and GET of a path through the engine alone. */
function plainFileApp(): Application {
  return (req) => respond.file(join(ROOT, req.path.slice(1)));
}

test('staticFiles: a GET after a HEAD and a rename-over gets a whole version', async (t) => {
  assertWholeVersion(t, await replaceAfterBodilessAnswer(t, staticFiles(ROOT), 'static-head.txt', 'head'));
});

test('staticFiles: a GET after a 304 and a rename-over gets a whole version', async (t) => {
  assertWholeVersion(t, await replaceAfterBodilessAnswer(t, staticFiles(ROOT), 'static-304.txt', '304'));
});

test('engine: a GET after a HEAD of a respond.file and a rename-over gets a whole version', async (t) => {
  assertWholeVersion(t, await replaceAfterBodilessAnswer(t, plainFileApp(), 'plain-head.txt', 'head'));
});
