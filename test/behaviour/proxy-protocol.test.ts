// serve({ proxyProtocol, trustedProxies }) over real sockets: req.remote, req.remoteAddress, the access log and the
// fetch adapter's client info all name the client a PROXY header carried, with the balancer as its proxy; a direct
// connection, a bad header or an untrusted peer is closed before the app sees anything.
import test from 'ava';
import { Writable } from 'node:stream';
import { accessLog, respond, serve as serveFetch, type Application, type RequestLog } from '../../src/index.js';
import { proxyV1, proxyV2 } from '../native/support/proxy-header.js';
import { get, rawExchange, withServer } from './helpers.js';

const echoRemote: Application = (req) => respond(200, { 'content-type': 'application/json' }, JSON.stringify({ remote: req.remote, text: req.remoteAddress }));

function bodyOf(data: Buffer): unknown {
  const text = data.toString();
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}

const untilBody = (data: Buffer): boolean => data.includes('}}') || data.includes('null}');

test('a v1 header names the client in req.remote, with the balancer as its proxy', async (t) => {
  await withServer(echoRemote, { proxyProtocol: true }, async (port) => {
    const { data } = await rawExchange(port, [proxyV1('192.0.2.7', '198.51.100.1', 40001, 443), get('/')], { until: untilBody });
    const { remote, text } = bodyOf(data) as { remote: { proxy: { address: string } }; text: string };
    t.like(remote, { address: '192.0.2.7', port: 40001, family: 'IPv4', proxy: { address: '127.0.0.1' } });
    t.is(text, '192.0.2.7:40001');
  });
});

test('a v2 header over TCP6 names an IPv6 client; v2 LOCAL (a health check) is the balancer itself, no proxy', async (t) => {
  await withServer(echoRemote, { proxyProtocol: true, trustedProxies: ['127.0.0.0/8'] }, async (port) => {
    const v6 = await rawExchange(port, [proxyV2({ source: '2001:db8::9', destination: '2001:db8::1', sourcePort: 5, destinationPort: 443 }), get('/')], { until: untilBody });
    t.like((bodyOf(v6.data) as { remote: object }).remote, { address: '2001:db8::9', port: 5, family: 'IPv6' });
    t.is((bodyOf(v6.data) as { text: string }).text, '[2001:db8::9]:5');
    const local = await rawExchange(port, [proxyV2({ command: 'LOCAL' }), get('/')], { until: untilBody });
    t.like((bodyOf(local.data) as { remote: object }).remote, { address: '127.0.0.1', family: 'IPv4', proxy: null });
  });
});

test('the access log writes the header\'s client', async (t) => {
  const entries: RequestLog[] = [];
  await withServer(echoRemote, { proxyProtocol: true, logger: (e) => entries.push(e) }, async (port) => {
    await rawExchange(port, [proxyV1('203.0.113.50', '203.0.113.1', 1234, 80), get('/')], { until: untilBody });
  });
  t.is(entries.length, 1);
  t.is(entries[0]!.request.remoteAddress, '203.0.113.50:1234');
  const lines: string[] = [];
  const to = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
  const log = accessLog({ to, format: 'combined' });
  await withServer(echoRemote, { proxyProtocol: true, logger: log }, async (port) => {
    await rawExchange(port, [proxyV1('203.0.113.51', '203.0.113.1', 1234, 80), get('/')], { until: untilBody });
  });
  await log.close();
  t.regex(lines.join(''), /^203\.0\.113\.51 - - \[/);
});

test('the fetch adapter\'s client info is the header\'s client', async (t) => {
  const server = serveFetch({ hostname: '127.0.0.1', port: 0, proxyProtocol: true,
    fetch: (_req, info) => Response.json({ ip: info.requestIP(), addr: info.remoteAddr }) });
  try {
    const { data } = await rawExchange(server.port, [proxyV1('192.0.2.99', '192.0.2.1', 999, 80), get('/')], { until: (d) => d.includes('}}') });
    t.like(bodyOf(data), { ip: { address: '192.0.2.99', family: 'IPv4', port: 999 }, addr: { hostname: '192.0.2.99', port: 999 } });
  } finally {
    await server.close();
  }
});

test('a direct connection without the header, or with a bad one, is closed before the app runs', async (t) => {
  let calls = 0;
  await withServer(() => (calls++, respond(200, {}, 'x')), { proxyProtocol: true }, async (port) => {
    for (const pieces of [[get('/')], ['PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n', get('/')], [Buffer.from('\r\n\r\n\0\r\nQUIT\n\x21\x11\xff\xff')]]) {
      const { data, closed } = await rawExchange(port, pieces);
      t.is(data.length, 0);
      t.true(closed);
    }
  });
  t.is(calls, 0);
});

test('a peer outside trustedProxies is closed at accept; one inside is served', async (t) => {
  await withServer(echoRemote, { proxyProtocol: true, trustedProxies: ['10.0.0.0/8'] }, async (port) => {
    const { data, closed } = await rawExchange(port, [proxyV1('192.0.2.1', '192.0.2.2', 1, 2), get('/')]);
    t.is(data.length, 0);
    t.true(closed);
  });
  await withServer(echoRemote, { proxyProtocol: true, trustedProxies: ['10.0.0.0/8', '127.0.0.1'] }, async (port) => {
    const { data } = await rawExchange(port, [proxyV1('192.0.2.1', '192.0.2.2', 1, 2), get('/')], { until: untilBody });
    t.like((bodyOf(data) as { remote: object }).remote, { address: '192.0.2.1' });
  });
});

test('a header that never completes is closed at the header timeout', async (t) => {
  await withServer(echoRemote, { proxyProtocol: true, headerTimeoutMs: 200 }, async (port) => {
    const { data, closed } = await rawExchange(port, ['PROXY TCP4 1.2.'], { timeoutMs: 10_000 });
    t.is(data.length, 0);
    t.true(closed);
  });
});

test('without proxyProtocol a direct client is req.remote with no proxy', async (t) => {
  await withServer(echoRemote, {}, async (port) => {
    const { data } = await rawExchange(port, [get('/')], { until: untilBody });
    t.like((bodyOf(data) as { remote: object }).remote, { address: '127.0.0.1', family: 'IPv4', proxy: null });
  });
});

test('forwardedHeaders: behind a PROXY balancer that is a trusted proxy, X-Forwarded-For names the client', async (t) => {
  await withServer(echoRemote, { proxyProtocol: true, forwardedHeaders: true, trustedProxies: ['127.0.0.1', '10.0.0.0/8'] }, async (port) => {
    const trustedHop = await rawExchange(port, [proxyV1('10.0.0.9', '10.0.0.1', 5, 80), get('/', 'X-Forwarded-For: 198.51.100.4, 10.3.3.3\r\n')], { until: untilBody });
    const body = bodyOf(trustedHop.data) as { remote: object; text: string };
    t.like(body.remote, { address: '198.51.100.4', proxy: { address: '10.3.3.3' } });
    t.is(body.text, '198.51.100.4:0');
    const untrustedHop = await rawExchange(port, [proxyV1('192.0.2.8', '10.0.0.1', 5, 80), get('/', 'X-Forwarded-For: 198.51.100.4\r\n')], { until: untilBody });
    t.like((bodyOf(untrustedHop.data) as { remote: object }).remote, { address: '192.0.2.8', proxy: { address: '127.0.0.1' } });
  });
});
