// Idle-connection client for the memory scenario: opens N keep-alive connections, makes one request on each (so the
// server has set each one up fully), then holds them all open without a byte until it is told to go (SIGTERM).
// Prints `READY <open> <failed> <ms>` once every connection is idle. Run: node idle-client.js --port P --conns N.
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, conns: { type: 'string' }, path: { type: 'string', default: '/' } } });
const port = Number(values.port);
const total = Number(values.conns);
/** Connections being opened at once: enough to be quick, few enough not to overflow the listen backlog. */
const WAVE = 256;
const request = Buffer.from(`GET ${values.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 'latin1');
const open: Socket[] = [];
let failed = 0;

/** Resolves true once one whole response (head + Content-Length body) has arrived and the socket is still open. */
function oneExchange(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    let got = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      s.removeAllListeners('data');
      if (ok) open.push(s);
      else s.destroy();
      resolve(ok);
    };
    s.on('connect', () => s.write(request));
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /content-length: *(\d+)/i.exec(got.subarray(0, end).toString('latin1'));
      if (m !== null && got.length >= end + 4 + Number(m[1])) done(true);
    });
    s.on('error', () => done(false));
    s.on('close', () => done(false));
  });
}

const started = Date.now();
for (let i = 0; i < total; i += WAVE) {
  const results = await Promise.all(Array.from({ length: Math.min(WAVE, total - i) }, oneExchange));
  failed += results.filter((ok) => !ok).length;
}
process.stdout.write(`READY ${open.length} ${failed} ${Date.now() - started}\n`);
const shutdown = (): void => {
  for (const s of open) s.destroy();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
setInterval(() => undefined, 1 << 30);
