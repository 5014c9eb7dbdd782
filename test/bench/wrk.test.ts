import test from 'ava';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildWrkArgs, generateLuaScript, parseResultLine, parseWrkResult, runWrk } from '../../bench/wrk.js';

const WRK_OUTPUT = `Running 3s test @ http://127.0.0.1:18001/
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.48ms    1.10ms  17.53ms   90.00%
  62601 requests in 3.00s, 9.67MB read
RESULT requests=62601 duration_us=3001234 bytes=10141362 p50_us=2480 p99_us=17530 max_us=40001 err_connect=1 err_read=2 err_write=3 err_status=4 err_timeout=5
Requests/sec:  20867.00
`;

test('parseWrkResult reads every counter of the RESULT line', (t) => {
  t.deepEqual(parseWrkResult(WRK_OUTPUT), {
    requests: 62601, durationUs: 3001234, bytes: 10141362, p50Us: 2480, p99Us: 17530, maxUs: 40001,
    errors: { connect: 1, read: 2, write: 3, status: 4, timeout: 5 },
  });
});

test('parseWrkResult rejects output without a RESULT line', (t) => {
  const err = t.throws(() => parseWrkResult('unable to connect to 127.0.0.1:1 Connection refused\n'));
  t.is((err as Error & { code?: string }).code, 'NO_WRK_RESULT');
});

test('parseWrkResult rejects a RESULT line with missing counters', (t) => {
  const err = t.throws(() => parseWrkResult('RESULT requests=5 duration_us=100\n'));
  t.is((err as Error & { code?: string }).code, 'NO_WRK_RESULT');
  t.regex(err!.message, /missing bytes/);
});

const resultLine = test.macro((t, text: string, expected: Record<string, number> | null) => {
  t.deepEqual(parseResultLine(text), expected);
});
test('parseResultLine takes the last RESULT line', resultLine, 'RESULT a=1\nnoise\nRESULT a=2 b=3\n', { a: 2, b: 3 });
test('parseResultLine reads decimals and negatives', resultLine, 'RESULT MBps=1613.6 x=-4 e=1e+3', { MBps: 1613.6, x: -4, e: 1000 });
test('parseResultLine returns null without a RESULT line', resultLine, 'Requests/sec: 5\n', null);
test('parseResultLine ignores RESULT that does not start a line', resultLine, 'xRESULT a=1', null);

test('generateLuaScript without pipelining keeps wrk\'s own request function', (t) => {
  const lua = generateLuaScript(1);
  t.false(lua.includes('request = function'));
  t.true(lua.includes('done = function(summary, latency, requests)'));
  t.true(lua.includes('latency:percentile(99)'));
});

test('generateLuaScript with pipelining sends that many requests per write', (t) => {
  const lua = generateLuaScript(16);
  t.true(lua.includes('for i = 1, 16 do r[i] = wrk.format(nil) end'));
  t.true(lua.includes('request = function() return req end'));
});

test('generateLuaScript rejects a depth below one', (t) => {
  for (const bad of [0, -1, 1.5]) t.is((t.throws(() => generateLuaScript(bad)) as Error & { code?: string }).code, 'BAD_PIPELINE');
});

test('buildWrkArgs uses one thread, whole seconds and one -H per header', (t) => {
  const args = buildWrkArgs({ url: 'http://127.0.0.1:9/x', conns: 64, durationS: 2.6, timeoutS: 10, pipeline: 1,
    headers: ['Connection: close', 'Accept-Encoding: gzip'] }, '/tmp/s.lua');
  t.deepEqual(args, ['-t1', '-c64', '-d3s', '--timeout', '10s', '-s', '/tmp/s.lua', '-H', 'Connection: close', '-H', 'Accept-Encoding: gzip', 'http://127.0.0.1:9/x']);
});

const hasWrk = spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;
(hasWrk ? test : test.skip)('runWrk drives a real server and counts non-2xx answers (needs wrk)', async (t) => {
  let served = 0;
  const server = createServer((req, res) => {
    served++;
    res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-length': 2 });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const scratch = mkdtempSync(join(tmpdir(), 'wrk-test-'));
  try {
    const ok = await runWrk({ url: `http://127.0.0.1:${port}/`, conns: 2, durationS: 1, timeoutS: 2, pipeline: 4, headers: [] }, null, scratch);
    t.true(ok.requests > 0);
    t.is(ok.errors.status, 0);
    const bad = await runWrk({ url: `http://127.0.0.1:${port}/missing`, conns: 1, durationS: 1, timeoutS: 2, pipeline: 1, headers: [] }, null, scratch);
    t.is(bad.errors.status, bad.requests);
    t.true(served >= ok.requests + bad.requests);
  } finally {
    server.close();
  }
});
