// Tests for accessLog() (the engine's logger hook) and logger() (the middleware form).
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fromArray, sinkList, take, FLUSH } from '../../src/conduit/index.js';
import { accessLog, countBytes, logger } from '../../src/middleware/logger.js';
import { respond } from '../../src/server/response.js';
import type { Response } from '../../src/server/types.js';
import { fakeRequest } from './fake-request.js';

function capture(): { out: Writable; lines: () => string[] } {
  const writes: string[] = [];
  const out = new Writable({ write(c: Buffer, _e, cb) { writes.push(c.toString()); cb(); } });
  return { out, lines: () => writes.join('').split('\n').filter((l) => l !== '') };
}

test('accessLog writes a combined line from the engine\'s report', (t) => {
  const { out, lines } = capture();
  const log = accessLog({ to: out });
  log({ request: fakeRequest('GET', '/a', { 'user-agent': 'ua', referer: 'r' }), status: 200, bytes: 42, durationMs: 7 });
  log.flush();
  t.deepEqual(lines(), ['127.0.0.1 - - [02/Jan/2024:03:04:05 +0000] "GET /a HTTP/1.1" 200 42 "r" "ua"']);
  t.is(log.writer.dropped, 0);
});

test('accessLog writes JSON lines with the duration', async (t) => {
  const { out, lines } = capture();
  const log = accessLog({ to: out, format: 'json' });
  log({ request: fakeRequest('POST', '/b'), status: 201, bytes: 0, durationMs: 12 });
  await log.close();
  t.like(JSON.parse(lines()[0]!), { method: 'POST', target: '/b', status: 201, bytes: 0, durationMs: 12 });
});

async function viaLogger(res: Response, method = 'GET'): Promise<{ res: Response; lines: () => string[]; flush: () => void }> {
  const { out, lines } = capture();
  const mw = logger({ to: out, format: (e) => `${e.method} ${e.status} ${e.bytes}` });
  const r = await mw(async () => res)(fakeRequest(method, '/'));
  return { res: r, lines: () => (mw.flush(), lines()), flush: mw.flush };
}

test('logger logs a bytes response with its length', async (t) => {
  const { lines } = await viaLogger(respond.text(200, 'hello'));
  t.deepEqual(lines(), ['GET 200 5']);
});

test('logger logs 0 bytes for HEAD, 204 and 304', async (t) => {
  t.deepEqual((await viaLogger(respond.text(200, 'hello'), 'HEAD')).lines(), ['HEAD 200 0']);
  t.deepEqual((await viaLogger(respond(204))).lines(), ['GET 204 0']);
  t.deepEqual((await viaLogger(respond(304))).lines(), ['GET 304 0']);
});

test('logger logs a stream once it ends, with the bytes that went through', async (t) => {
  const { res, lines } = await viaLogger(respond.stream(200, {}, fromArray([Buffer.from('abc'), FLUSH, Buffer.from('de')])));
  t.deepEqual(lines(), []);
  if (res.kind !== 'stream') return t.fail();
  await res.body.runAsync(sinkList());
  t.deepEqual(lines(), ['GET 200 5']);
});

test('logger logs a stream stopped early with what was handed over', async (t) => {
  const { res, lines } = await viaLogger(respond.stream(200, {}, fromArray([Buffer.from('abc'), Buffer.from('de')])));
  if (res.kind !== 'stream') return t.fail();
  await res.body.pipe(take(1)).runAsync(sinkList());
  t.deepEqual(lines(), ['GET 200 3']);
});

test('logger logs a file with its size, a range with its length, a missing file as 404', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-logger-')), 'f.txt');
  writeFileSync(path, '0123456789');
  t.deepEqual((await viaLogger(respond.file(path))).lines(), ['GET 200 10']);
  t.deepEqual((await viaLogger(respond.file(path, { status: 206, range: { start: 2, end: 5 } }))).lines(), ['GET 206 3']);
  t.deepEqual((await viaLogger(respond.file(path + '.missing'))).lines(), ['GET 404 0']);
});

test('logger works around a sync app', async (t) => {
  const { out, lines } = capture();
  const mw = logger({ to: out, format: 'json' });
  mw(() => respond.text(200, 'x'))(fakeRequest('GET', '/sync'));
  await mw.close();
  t.like(JSON.parse(lines()[0]!), { target: '/sync', bytes: 1 });
});

test('countBytes reports exactly once', (t) => {
  const reports: number[] = [];
  const r = fromArray([Buffer.from('ab'), FLUSH, Buffer.from('c')]).pipe(countBytes((n) => reports.push(n))).run(sinkList());
  t.is((r as unknown[]).length, 3);
  t.deepEqual(reports, [3]);
});
