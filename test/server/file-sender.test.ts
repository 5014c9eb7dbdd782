// File sender over a fake native layer and real temp files: planFile's lookups, and sendFile's head (MSG_MORE) then
// sendfile of the exact range, with partial sends, EAGAIN waits, truncation and errors.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '../../src/server/connection.js';
import { Phase } from '../../src/server/phase.js';
import { DateCache } from '../../src/server/date.js';
import { FdCache } from '../../src/server/fd-cache.js';
import type { FileCaches } from '../../src/server/file-caches.js';
import { FileInfoCache } from '../../src/server/file-info-cache.js';
import { planFile, sendFile, smallFileBody, type FilePlan } from '../../src/server/file-sender.js';
import { FileWatch } from '../../src/server/file-watch.js';
import { Reactor } from '../../src/server/reactor.js';
import type { WriterContext } from '../../src/server/response-writer.js';
import { TCP } from '../../src/server/transport.js';
import { afterFlush, FakeNative } from './support/fake-native.js';
import { recordingOwner } from './support/test-connection.js';
import { FakeInotify } from './support/fake-inotify.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-file-sender-'));
const FILE = join(dir, 'data.bin');
const EMPTY = join(dir, 'empty.txt');
const SIZE = 10_000;
writeFileSync(FILE, Buffer.alloc(SIZE, 'f'));
writeFileSync(EMPTY, '');
mkdirSync(join(dir, 'sub'));

test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function setup(): { native: FakeNative; ctx: WriterContext; conn: Connection; files: FileCaches } {
  const native = new FakeNative();
  const reactor = new Reactor(native);
  const ctx: WriterContext = { reactor, date: new DateCache(), serverName: null };
  const conn = new Connection(9, reactor, recordingOwner({ sendTimeoutMs: 30_000 }, () => 0), TCP);
  conn.enter(Phase.App); // as while the engine sends a response
  reactor.attach(conn);
  const info = new FileInfoCache();
  const files: FileCaches = { info, fds: new FdCache({ infoCache: info }) };
  return { native, ctx, conn, files };
}

function close(files: FileCaches): void {
  files.fds.close();
  files.info.close();
}

function plan(files: FileCaches, path = FILE, range: { start: number; end: number } | null = null): FilePlan {
  const p = planFile(files, path, range);
  if (p === null) throw new Error(`no plan for ${path}`);
  return p;
}

test('planFile covers the whole file, or a range inside it', (t) => {
  const { files } = setup();
  t.deepEqual(planFile(files, FILE, null)?.range, { start: 0, end: SIZE });
  t.deepEqual(planFile(files, FILE, { start: 10, end: 20 })?.range, { start: 10, end: 20 });
  t.deepEqual(planFile(files, FILE, { start: SIZE, end: SIZE })?.range, { start: SIZE, end: SIZE });
  close(files);
});

test('a small file read once is planned without an fd for that version, and its whole body is the buffer itself', (t) => {
  const watch = new FileWatch(new FakeInotify(), { warn: () => {} });
  const info = new FileInfoCache({ watch });
  const files: FileCaches = { info, fds: new FdCache({ infoCache: info }) };
  const small = join(dir, 'small.txt');
  writeFileSync(small, 'tiny body');
  const first = plan(files, small);
  t.true(first.lease.fd >= 0);
  const body = smallFileBody(first);
  first.lease.release();
  t.is(Buffer.from(body!).toString(), 'tiny body');
  const second = plan(files, small);
  t.is(second.lease.fd, -1, 'no fd leased');
  t.is(smallFileBody(second), body, 'the cached buffer itself, not a view');
  second.lease.release();
  second.lease[Symbol.dispose]();
  t.is(Buffer.from(smallFileBody(plan(files, small, { start: 5, end: 9 }))!).toString(), 'body');
  close(files);
  watch.close();
});

test('planFile is null for a missing file, a directory, or a range that does not fit', (t) => {
  const { files } = setup();
  t.is(planFile(files, join(dir, 'missing'), null), null);
  t.is(planFile(files, join(dir, 'sub'), null), null);
  t.is(planFile(files, FILE, { start: 0, end: SIZE + 1 }), null);
  t.is(planFile(files, FILE, { start: 20, end: 10 }), null);
  t.is(planFile(files, FILE, { start: -1, end: 10 }), null);
  close(files);
});

test('sendFile sends the head with MSG_MORE, then sendfile of the whole file', async (t) => {
  const { native, ctx, conn, files } = setup();
  const sent = await sendFile(ctx, conn, plan(files), 200, { 'content-type': 'application/octet-stream' }, false, false);
  t.is(sent, SIZE);
  const [head] = native.callsOf('send');
  t.true(head!.more, 'the head waits for the body: one packet for small files');
  t.true(head!.data.startsWith('HTTP/1.1 200 OK\r\n'));
  t.true(head!.data.includes(`content-length: ${SIZE}\r\n`));
  t.true(head!.data.endsWith('\r\n\r\n'));
  const sf = native.callsOf('sendfile');
  t.is(sf.length, 1);
  t.like(sf[0], { fd: 9, offset: 0, count: SIZE });
  close(files);
});

test('sendFile of a range sends exactly that range with its length', async (t) => {
  const { native, ctx, conn, files } = setup();
  const sent = await sendFile(ctx, conn, plan(files, FILE, { start: 100, end: 350 }), 206, { 'content-range': `bytes 100-349/${SIZE}` }, false, false);
  t.is(sent, 250);
  t.true(native.callsOf('send')[0]!.data.includes('content-length: 250\r\n'));
  t.like(native.callsOf('sendfile')[0], { offset: 100, count: 250 });
  close(files);
});

test('a short sendfile waits for writability, then continues from where the kernel stopped (no call to hear EAGAIN)', async (t) => {
  const { native, ctx, conn, files } = setup();
  native.sendfileResult = (count) => Math.min(count, 3000);
  const sending = sendFile(ctx, conn, plan(files), 200, {}, false, false);
  for (let wait = 1; wait <= 3; wait++) {
    await afterFlush();
    t.is(native.callsOf('wantWritable').length, wait);
    native.deliver([{ fd: 9, kind: 4 }]);
  }
  t.is(await sending, SIZE);
  t.deepEqual(native.callsOf('sendfile').map((c) => [c.offset, c.count]), [[0, 10_000], [3000, 7000], [6000, 4000], [9000, 1000]]);
  close(files);
});

test('sendFile for HEAD (noBody) or an empty range writes only the head', async (t) => {
  const { native, ctx, conn, files } = setup();
  t.is(await sendFile(ctx, conn, plan(files), 200, {}, false, true), 0);
  t.is(await sendFile(ctx, conn, plan(files, EMPTY), 200, {}, false, false), 0);
  await afterFlush();
  t.deepEqual(native.callsOf('sendfile'), []);
  const wire = native.wire.get(9) ?? '';
  t.is(wire.split('HTTP/1.1 200 OK').length, 3);
  t.true(wire.includes(`content-length: ${SIZE}\r\n`));
  t.true(wire.includes('content-length: 0\r\n'));
  close(files);
});

test('bytes corked before the file go out first', async (t) => {
  const { native, ctx, conn, files } = setup();
  ctx.reactor.write(conn, Buffer.from('previous response;'));
  await sendFile(ctx, conn, plan(files), 200, {}, false, false);
  t.deepEqual(native.calls.slice(0, 3).map((c) => c.op), ['flush', 'send', 'sendfile']);
  t.true((native.wire.get(9) ?? '').startsWith('previous response;HTTP/1.1 200 OK'));
  close(files);
});

test('an EAGAIN from sendfile waits for writability (send timeout armed) and then resumes', async (t) => {
  const { native, ctx, conn, files } = setup();
  let calls = 0;
  native.sendfileResult = (count) => (++calls === 1 ? -11 : count);
  const sending = sendFile(ctx, conn, plan(files), 200, {}, false, false);
  await afterFlush();
  t.is(conn.phase, Phase.Send);
  t.is(conn.deadline, 30_000);
  t.deepEqual(native.callsOf('wantWritable'), [{ op: 'wantWritable', fd: 9 }]);
  native.deliver([{ fd: 9, kind: 4 }]);
  t.is(await sending, SIZE);
  t.is(conn.deadline, Infinity);
  t.deepEqual(native.callsOf('sendfile').map((c) => c.offset), [0, 0]);
  close(files);
});

test('a head the kernel takes only partly is completed before the body', async (t) => {
  const { native, ctx, conn, files } = setup();
  let first = true;
  native.accept = (_fd, n) => (first ? ((first = false), 10) : n);
  const sending = sendFile(ctx, conn, plan(files), 200, {}, false, false);
  await afterFlush();
  t.is(native.callsOf('sendfile').length, 0, 'no body bytes before the whole head');
  native.deliver([{ fd: 9, kind: 4 }]);
  t.is(await sending, SIZE);
  t.true((native.wire.get(9) ?? '').endsWith('\r\n\r\n'));
  close(files);
});

test('a file that shrank (sendfile returns 0 early) is a FILE_TRUNCATED error', async (t) => {
  const { native, ctx, conn, files } = setup();
  native.sendfileResult = (count) => (count === SIZE ? 5000 : 0);
  const sending = sendFile(ctx, conn, plan(files), 200, {}, false, false);
  await afterFlush();
  native.deliver([{ fd: 9, kind: 4 }]);
  await t.throwsAsync(sending, { code: 'FILE_TRUNCATED' });
  close(files);
});

test('a sendfile error rejects with its SysError', async (t) => {
  const { native, ctx, conn, files } = setup();
  native.sendfileResult = () => -32;
  await t.throwsAsync(sendFile(ctx, conn, plan(files), 200, {}, false, false), { code: 'EPIPE', message: /sendfile/ });
  close(files);
});

test('a head send error rejects before any sendfile', async (t) => {
  const { native, ctx, conn, files } = setup();
  native.accept = () => -104;
  await t.throwsAsync(sendFile(ctx, conn, plan(files), 200, {}, false, false), { code: 'ECONNRESET' });
  t.deepEqual(native.callsOf('sendfile'), []);
  close(files);
});

test('a connection closed between sendfile slices stops with ECONNRESET', async (t) => {
  const { native, ctx, conn, files } = setup();
  native.sendfileResult = (count) => {
    conn.destroy();
    return Math.min(count, 100);
  };
  await t.throwsAsync(sendFile(ctx, conn, plan(files), 200, {}, false, false), { code: 'ECONNRESET' });
  close(files);
});

test('a file removed after planning is still sent whole from the fd leased at planning', async (t) => {
  const { ctx, conn, files } = setup();
  const path = join(dir, 'vanishing.txt');
  writeFileSync(path, 'soon gone');
  const p = plan(files, path);
  rmSync(path);
  t.is(await sendFile(ctx, conn, p, 200, {}, false, false), 'soon gone'.length);
  close(files);
});

test('planFile gives null for a missing file and for a range past the end', (t) => {
  const { files } = setup();
  t.is(planFile(files, join(dir, 'does-not-exist'), null), null);
  const path = join(dir, 'short.txt');
  writeFileSync(path, 'abc');
  t.is(planFile(files, path, { start: 0, end: 4 }), null);
  const ok = planFile(files, path, { start: 1, end: 3 });
  t.deepEqual(ok?.range, { start: 1, end: 3 });
  ok?.lease.release();
  close(files);
});
