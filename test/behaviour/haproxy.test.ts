// Sluice behind a real HAProxy (Debian's package, installed when missing; skipped, saying why, when it cannot be):
// send-proxy (v1, mode http) and send-proxy-v2 (v2, mode tcp) deliver a client bound to 127.0.0.2 as req.remote and
// in the access log while the TCP peer is HAProxy; a direct connection is refused; under steady load through
// HAProxy (option httpchk on --health-path), a SIGTERM of one of two instances and a SIGHUP worker swap fail nothing.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { respond, type Application, type RequestLog } from '../../src/index.js';
import { freePort, haproxyMissing, startHaproxy, startSluice } from './haproxy.js';
import { get, rawExchange, withServer } from './helpers.js';

const BIN = join(process.cwd(), 'bin', 'sluice.js');
const DIR = mkdtempSync(join(tmpdir(), 'sluice-lb-'));
const BODY = 'behind haproxy\n';
test.before(() => writeFileSync(join(DIR, 'index.html'), BODY));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

const missing = haproxyMissing();
const lbTest = missing === null ? test.serial : test.serial.skip;
if (missing !== null) console.warn(`haproxy.test: SKIPPED, ${missing}`);

interface Reply {
  status: number;
  body: string;
  localPort: number;
}

function fetchVia(port: number, path: string, options: { localAddress?: string; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let localPort = 0;
    const req = request({ host: '127.0.0.1', port, path, agent: options.agent ?? false, localAddress: options.localAddress }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, localPort }));
      res.on('error', reject);
    });
    req.on('socket', (s) => {
      if (s.connecting) s.once('connect', () => (localPort = s.localPort ?? 0));
      else localPort = s.localPort ?? 0;
    });
    req.on('error', reject);
    req.end();
  });
}

const echoRemote: Application = (req) => respond(200, { 'content-type': 'application/json' }, JSON.stringify(req.remote));

lbTest('send-proxy and send-proxy-v2: a client bound to 127.0.0.2 is req.remote and in the access log; HAProxy is its proxy', async (t) => {
  const logged: RequestLog[] = [];
  await withServer(echoRemote, { proxyProtocol: true, trustedProxies: ['127.0.0.1'], logger: (e) => logged.push(e) }, async (port) => {
    const [v1, v2] = [await freePort(), await freePort()];
    const lb = await startHaproxy(v2, `
frontend v1
  mode http
  bind 127.0.0.1:${v1}
  default_backend v1
backend v1
  mode http
  server s 127.0.0.1:${port} send-proxy
frontend v2
  mode tcp
  bind 127.0.0.1:${v2}
  default_backend v2
backend v2
  mode tcp
  server s 127.0.0.1:${port} send-proxy-v2
`);
    try {
      for (const front of [v1, v2]) {
        const reply = await fetchVia(front, '/', { localAddress: '127.0.0.2' });
        t.is(reply.status, 200);
        const remote = JSON.parse(reply.body) as { address: string; port: number; proxy: { address: string } };
        t.like(remote, { address: '127.0.0.2', family: 'IPv4', port: reply.localPort, proxy: { address: '127.0.0.1' } }, `port ${front}`);
      }
      t.deepEqual(logged.map((e) => e.request.remoteAddress?.split(':')[0]), ['127.0.0.2', '127.0.0.2']);
      const direct = await rawExchange(port, get('/'));
      t.is(direct.data.length, 0, 'a direct connection without the header gets nothing');
      t.true(direct.closed);
    } finally {
      await lb.stop();
      lb.dispose();
    }
  });
});

/** Runs `clients` keep-alive request loops through port until stop() resolves; collects every failure. */
function steadyLoad(port: number, clients = 6): { stop(): Promise<{ ok: number; failures: string[] }> } {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loop = async (): Promise<void> => {
    while (running) {
      try {
        const reply = await fetchVia(port, '/', { agent });
        if (reply.status === 200 && reply.body === BODY) ok++;
        else failures.push(`${reply.status} ${reply.body.slice(0, 80)}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const loops = Array.from({ length: clients }, loop);
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return { ok, failures };
    },
  };
}

/** The HAProxy backend every zero-downtime test uses: health checks on /healthz, retries on another server. */
function balancedBackend(front: number, servers: readonly number[]): string {
  return `
frontend fe
  mode http
  bind 127.0.0.1:${front}
  default_backend be
backend be
  mode http
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  retries 3
  option redispatch 1
  retry-on all-retryable-errors
${servers.map((p, i) => `  server s${i} 127.0.0.1:${p} send-proxy-v2 check inter 200 fall 1 rise 1`).join('\n')}
`;
}

const LB_FLAGS = ['--proxy-protocol', '--trusted-proxy', '127.0.0.1', '--health-path', '/healthz', '--quiet'];
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

lbTest('under steady load through HAProxy, a SIGTERM of one of two instances fails no request', async (t) => {
  const [a, b, front] = [await freePort(), await freePort(), await freePort()];
  const sa = await startSluice(BIN, DIR, a, LB_FLAGS);
  const sb = await startSluice(BIN, DIR, b, LB_FLAGS);
  const lb = await startHaproxy(front, balancedBackend(front, [a, b]));
  try {
    await settle(500);
    const load = steadyLoad(front);
    await settle(1000);
    t.is(await sa.stop(), 0, 'the drained instance exits 0');
    await settle(1000);
    const { ok, failures } = await load.stop();
    t.deepEqual(failures, []);
    t.true(ok > 20, `${ok} requests succeeded`);
    t.is((await fetchVia(front, '/healthz')).status, 200, 'the other instance still serves');
  } finally {
    await Promise.all([sa.stop(), sb.stop(), lb.stop()]);
    lb.dispose();
  }
});

lbTest('under steady load through HAProxy, SIGHUP swaps the workers and fails no request', async (t) => {
  const [port, front] = [await freePort(), await freePort()];
  const s = await startSluice(BIN, DIR, port, [...LB_FLAGS.filter((f) => f !== '--quiet'), '--workers', '2']);
  const lb = await startHaproxy(front, balancedBackend(front, [port]));
  try {
    await settle(500);
    const load = steadyLoad(front);
    await settle(500);
    s.child.kill('SIGHUP');
    await s.waitFor(/reloaded \(pids/);
    await settle(1000);
    const { ok, failures } = await load.stop();
    t.deepEqual(failures, []);
    t.true(ok > 20, `${ok} requests succeeded`);
  } finally {
    t.is(await s.stop(), 0);
    await lb.stop();
    lb.dispose();
  }
});
