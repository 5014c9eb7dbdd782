// A file replaced (renamed over) after a response that cached its stat without sending it (HEAD, 304): the next GET
// must get the new version, whole, both through the static app and through a plain respond.file app. The caches are
// exact: the rename's event is applied before the GET that followed it is served.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticFiles } from '../../src/middleware/index.js';
import { respond, type Application } from '../../src/index.js';
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

type Scenario = 'head' | '304';

/** HEAD (or HEAD + a 304 revalidation), then a rename-over, then a GET; returns what the GET got. */
async function replaceAfterBodilessAnswer(t: ExecutionContext, app: Application, name: string, scenario: Scenario): Promise<{ status: number; body: string } | null> {
  const path = join(ROOT, name);
  return withServer(app, {}, async (port) => {
    writeFileSync(path, 'old version');
    const head = await rawExchange(port, `HEAD /${name} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    t.regex(head.data.toString('latin1'), /^HTTP\/1\.1 200/);
    if (scenario === '304') {
      const etag = /etag: (.*)\r\n/i.exec(head.data.toString('latin1'))![1]!;
      t.is((await getText(port, `/${name}`, `If-None-Match: ${etag}\r\n`))!.status, 304);
    }
    replace(path, 'new version!');
    return getText(port, `/${name}`);
  });
}

function assertNewVersion(t: ExecutionContext, got: { status: number; body: string } | null): void {
  t.not(got, null, 'the connection closed without a response');
  t.deepEqual(got, { status: 200, body: 'new version!' });
}

/** The simplest file app: HEAD and GET of a path through the engine alone. */
function plainFileApp(): Application {
  return (req) => respond.file(join(ROOT, req.path.slice(1)));
}

test('staticFiles: a GET after a HEAD and a rename-over gets the new version', async (t) => {
  assertNewVersion(t, await replaceAfterBodilessAnswer(t, staticFiles(ROOT), 'static-head.txt', 'head'));
});

test('staticFiles: a GET after a 304 and a rename-over gets the new version', async (t) => {
  assertNewVersion(t, await replaceAfterBodilessAnswer(t, staticFiles(ROOT), 'static-304.txt', '304'));
});

test('engine: a GET after a HEAD of a respond.file and a rename-over gets the new version', async (t) => {
  assertNewVersion(t, await replaceAfterBodilessAnswer(t, plainFileApp(), 'plain-head.txt', 'head'));
});
