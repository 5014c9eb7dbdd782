// Slowloris defences (settings.ts timeouts, swept by timeout.ts about once a second): a trickled head is cut off
// with 408 at headerTimeoutMs however steadily it trickles; a silent fresh connection closes at headerTimeoutMs from
// accept; idle keep-alive connections close after idleTimeoutMs.
import test from './transport.js';
import { concatBytes, respond, type Application } from '../../src/index.js';
import { get, parseResponses, withClient, withServer } from './helpers.js';

const app: Application = () => respond(200, {}, 'ok');

test('a client trickling one header byte every 200 ms is closed with 408 although it keeps sending', async (t) => {
  // 20 s worth of trickle: the connection must be cut long before the head could complete.
  const head = get('/', `X-Slow: ${'a'.repeat(100)}\r\n`);
  await withServer(app, { headerTimeoutMs: 1500 }, async (port) => withClient(port, async (c) => {
    let written = 0;
    const started = Date.now();
    while (!c.closed && written < head.length && Date.now() - started < 15_000) {
      c.write(head[written++]!);
      await new Promise((r) => setTimeout(r, 200));
    }
    t.true(c.closed, 'the server closed the connection');
    t.true(written < head.length, 'before the head was complete');
    const rs = parseResponses(c.received);
    t.deepEqual(rs.map((r) => r.status), [408]);
    t.is(rs[0]!.headers['connection'], 'close');
    t.truthy(rs[0]!.headers['date'], 'a 408 carries Date too (RFC 9110 §6.6.1)');
    t.log(`closed after ${written} bytes (${Date.now() - started} ms)`);
  }));
});

test('an idle keep-alive connection is closed after idleTimeoutMs without a response', async (t) => {
  await withServer(app, { idleTimeoutMs: 1000 }, async (port) => withClient(port, async (c) => {
    c.write(get('/'));
    await c.readResponses(1);
    t.true(await c.whenClosed(8000));
    t.is(parseResponses(c.received).length, 1, 'nothing but the one response: an idle close is silent');
  }));
});

// A fresh connection is timed from accept under the header timeout (nginx's client_header_timeout), not the much
// longer idle timeout: a slowloris client that never sends a byte cannot hold an fd for idleTimeoutMs.
test('a connection that never sends a byte is closed silently after headerTimeoutMs', async (t) => {
  await withServer(app, { idleTimeoutMs: 60_000, headerTimeoutMs: 1000 }, async (port) => withClient(port, async (c) => {
    t.true(await c.whenClosed(8000));
    t.is(c.received.length, 0);
  }));
});

test('a fresh connection that starts a head late still has only the header timeout from accept', async (t) => {
  await withServer(app, { idleTimeoutMs: 60_000, headerTimeoutMs: 1500 }, async (port) => withClient(port, async (c) => {
    await new Promise((r) => setTimeout(r, 1000));
    c.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    t.true(await c.whenClosed(8000));
    t.true(Date.now() - started < 1500 + 1200, 'the deadline was not re-armed by the first byte');
    t.deepEqual(parseResponses(c.received).map((r) => r.status), [408]);
  }));
});

test('a busy keep-alive connection is not closed while requests keep coming', async (t) => {
  await withServer(app, { idleTimeoutMs: 1500 }, async (port) => withClient(port, async (c) => {
    // Eight requests, 400 ms apart: 3.2 s in all, more than twice the idle timeout, but never idle for 1.5 s.
    for (let i = 1; i <= 8; i++) {
      c.write(get(`/${i}`));
      await c.readResponses(i);
      await new Promise((r) => setTimeout(r, 400));
    }
    t.false(c.closed);
  }));
});

test('a request body that stalls is cut off after bodyTimeoutMs', async (t) => {
  let failure: unknown = null;
  const reads: Application = async (req) => {
    try {
      await req.body.runAsync(concatBytes());
    } catch (e) {
      failure = e;
      throw e;
    }
    return respond(200, {}, 'read');
  };
  await withServer(reads, { bodyTimeoutMs: 1000 }, async (port) => withClient(port, async (c) => {
    c.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly ten b');
    t.true(await c.whenClosed(8000));
    t.false(c.received.toString('latin1').startsWith('HTTP/1.1 200'));
  }));
  t.not(failure, null);
});

// The rate is measured over the whole body from its first wait, so a steady trickle cannot reset it.
test('a body trickled one byte every 200 ms is cut off by the minimum rate although it never stalls', async (t) => {
  let failure: unknown = null;
  const reads: Application = async (req) => {
    try {
      await req.body.runAsync(concatBytes());
    } catch (e) {
      failure = e;
      throw e;
    }
    return respond(200, {}, 'read');
  };
  // Each byte comes well within bodyTimeoutMs (even allowing for the sweeper's 1 s coarse clock), so only the
  // average-rate check (5 B/s < 1024 B/s, judged once bodyTimeoutMs has passed) can end this.
  await withServer(reads, { bodyTimeoutMs: 2500, minBodyBytesPerSecond: 1024 }, async (port) => withClient(port, async (c) => {
    c.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n');
    let sent = 0;
    const started = Date.now();
    while (!c.closed && sent < 100 && Date.now() - started < 8000) {
      c.write('b');
      sent++;
      await new Promise((r) => setTimeout(r, 200));
    }
    t.true(c.closed);
    t.true(sent < 100, 'before the body was complete');
    t.false(c.received.toString('latin1').startsWith('HTTP/1.1 200'));
    t.log(`cut off after ${sent} body bytes (${Date.now() - started} ms)`);
  }));
  t.not(failure, null);
});
