// The Sluice engine over HTTPS for bench/native-tls-compare.ts: serve({ tls }) with the bench's certificate, the hello
// response on every path but /file, which is FILE through respond.file (pread + encrypt in the native layer). Plain
// HTTP without TLS_CERT (the same app's floor); PROXY_PROTOCOL=1 requires a PROXY header from 127.0.0.1 and DEFER_ACCEPT=1
// sets deferAccept (bench/proxy-close.ts). env: PORT, TLS_CERT, TLS_KEY, FILE, PROXY_PROTOCOL, DEFER_ACCEPT.
import { respond, serve, type Settings } from '../src/index.js';

const HELLO = Buffer.from('Hello, World!');
const FILE = process.env.FILE;
const cert = process.env.TLS_CERT;
const key = process.env.TLS_KEY;
const tls: Settings['tls'] = cert === undefined || key === undefined ? null : { cert, key };

const proxy: Partial<Settings> = process.env.PROXY_PROTOCOL === '1' ? { proxyProtocol: true, trustedProxies: ['127.0.0.1'] } : {};
if (process.env.DEFER_ACCEPT === '1') proxy.deferAccept = true;

const server = serve({ host: '127.0.0.1', port: Number(process.env.PORT ?? 8443), tls, ...proxy }, (req) =>
  req.path === '/file' && FILE !== undefined ? respond.file(FILE, { headers: { 'content-type': 'application/octet-stream' } }) : respond(200, { 'content-type': 'text/plain' }, HELLO));
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
