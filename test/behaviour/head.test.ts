// HEAD (RFC 9110 §9.3.2): the same header fields as GET, Content-Length included, and no body; a streamed body
// Source is never run, so nothing it would acquire is ever acquired.
import test from './transport.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bracketSource, fromArray, respond, type Application } from '../../src/index.js';
import { withClient, withServer } from './helpers.js';

const HELLO = 'hello, head';

test('HEAD of a bytes response has its Content-Length and no body', async (t) => {
  const app: Application = () => respond(200, { 'content-type': 'text/plain' }, HELLO);
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    // A GET right behind the HEAD proves no body bytes were sent for the HEAD.
    c.write('HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n');
    const rs = await c.readResponses(2, { headRequests: 1 });
    t.is(rs[0]!.status, 200);
    t.is(rs[0]!.headers['content-length'], String(HELLO.length));
    t.is(rs[0]!.headers['content-type'], 'text/plain');
    t.is(rs[0]!.body.length, 0);
    t.is(rs[1]!.body.toString(), HELLO);
    t.is(c.received.toString('latin1').split(HELLO).length, 2, 'the body appears exactly once: in the GET');
  }));
});

test('HEAD of a streamed response never runs the body Source', async (t) => {
  const events: string[] = [];
  const app: Application = () => respond(200, { 'content-type': 'text/plain' }, bracketSource(
    () => events.push('acquire'),
    () => fromArray([Buffer.from('streamed')]),
    () => void events.push('release'),
  ));
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('HEAD /s HTTP/1.1\r\nHost: t\r\n\r\n');
    const [res] = await c.readResponses(1, { headRequests: 1 });
    t.is(res!.status, 200);
    t.false('transfer-encoding' in res!.headers, 'no chunked framing is announced for a body that is not sent');
    c.write('GET /s HTTP/1.1\r\nHost: t\r\n\r\n');
    const rs = await c.readResponses(2, { headRequests: 1 });
    t.is(rs[1]!.body.toString(), 'streamed');
  }));
  t.deepEqual(events, ['acquire', 'release'], 'only the GET acquired (and released) the resource');
});

test('HEAD of a streamed response with a declared length reports that length', async (t) => {
  const events: string[] = [];
  const app: Application = () => respond.stream(200, { 'content-length': 8 }, bracketSource(
    () => events.push('acquire'),
    () => fromArray([Buffer.from('streamed')]),
    () => void events.push('release'),
  ));
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('HEAD / HTTP/1.1\r\nHost: t\r\n\r\n');
    const [res] = await c.readResponses(1, { headRequests: 1 });
    t.is(res!.headers['content-length'], '8');
    // Prove the connection is still in sync: a second HEAD is answered too.
    c.write('HEAD / HTTP/1.1\r\nHost: t\r\n\r\n');
    const rs = await c.readResponses(2, { headRequests: 2 });
    t.is(rs.length, 2);
    t.is(c.received.toString('latin1').includes('streamed'), false);
  }));
  t.deepEqual(events, []);
});

test('HEAD of a file response has the file size and no body', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-head-'));
  const path = join(dir, 'f.txt');
  writeFileSync(path, 'x'.repeat(1000));
  try {
    const app: Application = () => respond.file(path, { headers: { 'content-type': 'text/plain' } });
    await withServer(app, {}, async (port) => withClient(port, async (c) => {
      c.write('HEAD /f.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /f.txt HTTP/1.1\r\nHost: t\r\n\r\n');
      const rs = await c.readResponses(2, { headRequests: 1 });
      t.is(rs[0]!.headers['content-length'], '1000');
      t.is(rs[0]!.body.length, 0);
      t.is(rs[1]!.body.length, 1000);
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HEAD of a missing file is a 404 without a body', async (t) => {
  const app: Application = () => respond.file('/nonexistent/sluice-head-test');
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('HEAD /x HTTP/1.1\r\nHost: t\r\n\r\nHEAD /y HTTP/1.1\r\nHost: t\r\n\r\n');
    const rs = await c.readResponses(2, { headRequests: 2 });
    t.deepEqual(rs.map((r) => r.status), [404, 404]);
    t.false(c.received.toString('latin1').includes('Not Found\n'));
  }));
});
