// Certificate reload (server.setTls, what SIGHUP calls) while clients keep requesting: zero failed requests. Clients
// on keep-alive connections keep their session across reloads; clients opening a connection per request meet every
// swap mid-stream (certbot renewing while traffic flows).
import test from 'ava';
import { Agent, request, type RequestOptions } from 'node:https';
import { respond } from '../../src/index.js';
import { testPki } from '../native/support/test-pki.js';
import { rootCa, withTlsServer, writeTemp } from './support.js';

function get(options: RequestOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('50 reloads under load from 8 clients: every request succeeds, and new connections see the new certificate', async (t) => {
  const leaves = [testPki().leaf(['localhost']), testPki().leaf(['localhost'])];
  const cert = writeTemp('load-cert.pem', leaves[0]!.cert);
  const key = writeTemp('load-key.pem', leaves[0]!.key);
  await withTlsServer(() => respond.text(200, 'ok'), { tls: { cert, key } }, async (port, server) => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 4, ca: rootCa(), servername: 'localhost' });
    let done = false;
    let ok = 0;
    const failures: string[] = [];
    const client = async (fresh: boolean): Promise<void> => {
      while (!done) {
        try {
          const base = { host: '127.0.0.1', port, path: '/', ca: rootCa(), servername: 'localhost' };
          const status = await get(fresh ? { ...base, agent: false, headers: { connection: 'close' } } : { ...base, agent: keepAlive });
          if (status === 200) ok++;
          else failures.push(`status ${status}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const clients = [...Array.from({ length: 4 }, () => client(false)), ...Array.from({ length: 4 }, () => client(true))];
    for (let i = 1; i <= 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const leaf = leaves[i % 2]!;
      writeTemp('load-cert.pem', leaf.cert);
      writeTemp('load-key.pem', leaf.key);
      server.setTls();
    }
    done = true;
    await Promise.all(clients);
    keepAlive.destroy();
    t.deepEqual(failures, []);
    t.true(ok > 50, `${ok} requests served`);
  });
});
