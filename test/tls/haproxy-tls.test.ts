// PROXY before TLS, as behind an L4 balancer (AWS NLB with TLS passthrough, HAProxy `mode tcp`): HAProxy forwards the
// encrypted bytes and prepends a PROXY v2 header, so the header must be read before the handshake. A client bound to
// 127.0.0.2 must reach the app as req.remote over HTTPS, and a direct TLS connection without the header must be closed
// before any handshake. Skipped, saying why, when HAProxy cannot be installed.
import test from 'ava';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { respond, type Application, type RequestLog } from '../../src/index.js';
import { freePort, haproxyMissing, startHaproxy } from '../behaviour/haproxy.js';
import { rootCa, withTlsServer } from './support.js';

const missing = haproxyMissing();
const lbTest = missing === null ? test.serial : test.serial.skip;
if (missing !== null) console.warn(`haproxy-tls.test: SKIPPED, ${missing}`);

interface Reply {
  status: number;
  body: string;
  localPort: number;
}

/** One HTTPS GET through port from 127.0.0.2, trusting the test root (the certificate names localhost). */
function httpsFrom(port: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let localPort = 0;
    const req = request({
      host: '127.0.0.1', servername: 'localhost', port, path: '/', ca: rootCa(), agent: false, localAddress: '127.0.0.2',
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, localPort }));
      res.on('error', reject);
    });
    req.on('socket', (s) => s.once('secureConnect', () => (localPort = s.localPort ?? 0)));
    req.on('error', reject);
    req.end();
  });
}

/** A TLS handshake straight to port: resolves with the error that ended it (null if it completed). */
function directHandshake(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: rootCa() });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.once('close', () => resolve('closed'));
  });
}

const app: Application = (req) =>
  respond(200, { 'content-type': 'application/json' }, JSON.stringify({ remote: req.remote, secure: req.secure }));

lbTest('HAProxy mode tcp with send-proxy-v2 in front of HTTPS: the PROXY header is read before the handshake', async (t) => {
  const logged: RequestLog[] = [];
  await withTlsServer(app, { proxyProtocol: true, trustedProxies: ['127.0.0.1'], logger: (e) => logged.push(e) }, async (port) => {
    const front = await freePort();
    const lb = await startHaproxy(front, `
frontend tls
  mode tcp
  bind 127.0.0.1:${front}
  default_backend tls
backend tls
  mode tcp
  server s 127.0.0.1:${port} send-proxy-v2
`);
    try {
      for (let i = 0; i < 3; i++) {
        const reply = await httpsFrom(front);
        t.is(reply.status, 200);
        const seen = JSON.parse(reply.body) as { remote: { address: string; port: number; proxy: { address: string } }; secure: boolean };
        t.true(seen.secure);
        t.like(seen.remote, { address: '127.0.0.2', port: reply.localPort, proxy: { address: '127.0.0.1' } });
      }
      t.deepEqual(logged.map((e) => e.request.remoteAddress?.split(':')[0]), ['127.0.0.2', '127.0.0.2', '127.0.0.2']);
      t.not(await directHandshake(port), null, 'a ClientHello without the PROXY header first never completes a handshake');
    } finally {
      await lb.stop();
      lb.dispose();
    }
  });
});
