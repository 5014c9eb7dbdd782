// request.signal and the request body when the client goes away: the signal aborts (reason code ECONNRESET) only
// while the response has not gone out whole, a body read the client cut short rejects with that same reason, and a
// handler that cancels its body does not abort anything.
import test from 'ava';
import { deferred, withFetchServer, withRaw } from './support.js';

test('the signal aborts when the client leaves while the handler is still working', async (t) => {
  const ready = deferred();
  const aborted = deferred<unknown>();
  await withFetchServer(async (req) => {
    req.signal.addEventListener('abort', () => aborted.resolve(req.signal.reason));
    ready.resolve();
    await aborted.promise;
    return new Response('too late');
  }, (base) => withRaw(base, async (c) => {
    c.write('GET /slow HTTP/1.1\r\nHost: h\r\n\r\n');
    await ready.promise;
    c.destroy();
    const reason = await aborted.promise;
    t.is((reason as { code?: string }).code, 'ECONNRESET');
  }));
});

test('the signal of a request whose response went out never aborts, even when the connection closes later', async (t) => {
  const signals: AbortSignal[] = [];
  await withFetchServer((req) => {
    signals.push(req.signal);
    return new Response('done');
  }, (base) => withRaw(base, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n');
    await c.readUntil((d) => d.toString().split('done').length === 3);
    c.destroy();
    await new Promise((r) => setTimeout(r, 100));
  }));
  t.is(signals.length, 2);
  t.false(signals.some((s) => s.aborted));
});

test('a signal first read after the client left is already aborted', async (t) => {
  const gone = deferred();
  const seen = deferred<[boolean, unknown]>();
  await withFetchServer(async (req) => {
    await gone.promise;
    await new Promise((r) => setTimeout(r, 100));
    seen.resolve([req.signal.aborted, (req.signal.reason as { code?: string } | undefined)?.code]);
    return new Response('late');
  }, (base) => withRaw(base, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    c.destroy();
    gone.resolve();
    t.deepEqual(await seen.promise, [true, 'ECONNRESET']);
  }));
});

test('a body read the client cut short rejects with the reason the signal aborted with', async (t) => {
  const outcome = deferred<[unknown, boolean, boolean]>();
  await withFetchServer(async (req) => {
    try {
      await req.text();
      outcome.resolve(['read', false, false]);
    } catch (e) {
      outcome.resolve([(e as { code?: string }).code, e === req.signal.reason, req.signal.aborted]);
    }
    return new Response('x');
  }, (base) => withRaw(base, async (c) => {
    c.write('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\npartial');
    await new Promise((r) => setTimeout(r, 50));
    c.destroy();
    t.deepEqual(await outcome.promise, ['ECONNRESET', true, true]);
  }));
});

test('cancelling the body does not abort the signal, and the answer still goes out', async (t) => {
  await withFetchServer(async (req) => {
    const reader = req.body!.getReader();
    await reader.read();
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 20));
    return Response.json({ aborted: req.signal.aborted });
  }, (base) => withRaw(base, async (c) => {
    c.write('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n\r\n' + 'x'.repeat(1000));
    const res = await c.readResponse();
    t.is(res.status, 200);
    t.deepEqual(JSON.parse(res.body.toString()), { aborted: false });
  }));
});

test('a body the handler left unread is drained and the connection carries the next request', async (t) => {
  await withFetchServer(async (req) => {
    if (req.method === 'POST') {
      const reader = req.body!.getReader();
      await reader.read();
      reader.releaseLock();
    }
    return new Response(req.method);
  }, (base) => withRaw(base, async (c) => {
    c.write('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    const data = await c.readUntil((d) => d.toString().includes('GET'));
    t.regex(data.toString(), /POST[\s\S]*GET$/);
    t.false(c.closed);
  }));
});
