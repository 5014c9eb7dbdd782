// Request smuggling attempts (RFC 9112 §6.1, §6.3, §11.2): ambiguous framing is refused with 400 and the
// connection closed, so a second request hidden in the first one's body never reaches the app.
import test from './transport.js';
import { concatBytes, respond, type Application } from '../../src/index.js';
import { parseResponses, rawExchange, withServer } from './helpers.js';

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n';

/** Each attempt hides SMUGGLED so that one framing reading sees it as a second request. */
const attempts: Record<string, string> = {
  'Content-Length then Transfer-Encoding (CL.TE)':
    `POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding then Content-Length (TE.CL)':
    `POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n${(SMUGGLED.length + 2).toString(16)}\r\n\r\n${SMUGGLED}\r\n0\r\n\r\n`,
  'Transfer-Encoding on HTTP/1.0':
    `POST /a HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding and Content-Length on HTTP/1.0':
    `POST /a HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: ${SMUGGLED.length + 5}\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'duplicate differing Content-Length':
    `POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'duplicate differing Content-Length, larger first':
    `POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: ${SMUGGLED.length}\r\nContent-Length: 0\r\n\r\n${SMUGGLED}`,
  'a Content-Length with a plus sign':
    `POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: +0\r\n\r\n${SMUGGLED}`,
  'a Content-Length in hex':
    `POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 0x0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding with whitespace before the colon':
    `POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding folded onto a continuation line':
    `POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'an obfuscated coding name (xchunked)':
    `POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'chunked then identity':
    `POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'a header name with a NUL':
    `POST /a HTTP/1.1\r\nHost: t\r\nTransfer\0-Encoding: chunked\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'a bare CR hiding a Transfer-Encoding line':
    `POST /a HTTP/1.1\r\nHost: t\r\nX-A: b\rTransfer-Encoding: chunked\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
};

/** An app that records every request it sees and reads its body. */
function recordingApp(seen: string[]): Application {
  return async (req) => {
    seen.push(`${req.method} ${req.target}`);
    await req.body.runAsync(concatBytes());
    return respond(200, {}, 'ok');
  };
}

for (const [what, bytes] of Object.entries(attempts)) {
  test(`${what} is refused with 400 and the smuggled request never reaches the app`, async (t) => {
    const seen: string[] = [];
    await withServer(recordingApp(seen), {}, async (port) => {
      const r = await rawExchange(port, bytes);
      t.true(r.closed);
      const rs = parseResponses(r.data);
      t.deepEqual(rs.map((x) => x.status), [400]);
      t.is(rs[0]!.headers['connection'], 'close');
      t.false(seen.includes('GET /smuggled'));
      t.deepEqual(seen, []);
    });
  });
}

test('a chunked body containing request bytes is data, not a second request', async (t) => {
  const seen: string[] = [];
  const bodies: string[] = [];
  const app: Application = async (req) => {
    seen.push(`${req.method} ${req.target}`);
    bodies.push((await req.body.runAsync(concatBytes())).toString('latin1'));
    return respond(200, {}, 'ok');
  };
  await withServer(app, {}, async (port) => {
    const hidden = `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`;
    const r = await rawExchange(port, `POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${hidden}`);
    t.true(r.closed);
    t.deepEqual(parseResponses(r.data).map((x) => x.status), [200]);
    t.deepEqual(seen, ['POST /a']);
    t.deepEqual(bodies, [SMUGGLED]);
  });
});

test('identical duplicate Content-Lengths frame the body once and the next request is served', async (t) => {
  // RFC 9112 §6.3: identical repeated values may be accepted as one; either way nothing is smuggled.
  const seen: string[] = [];
  await withServer(recordingApp(seen), {}, async (port) => {
    const r = await rawExchange(port, `POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    t.true(r.closed);
    const statuses = parseResponses(r.data).map((x) => x.status);
    if (statuses[0] === 400) t.deepEqual(seen, []);
    else t.deepEqual(seen, ['POST /a', 'GET /b']);
  });
});
