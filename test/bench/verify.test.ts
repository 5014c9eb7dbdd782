import test from 'ava';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { checkResponse, parseHeaderLines, verifyTarget, type Observed } from '../../bench/verify.js';
import { findScenario } from '../../bench/scenarios.js';

const seen = (status: number, body: Buffer, encoding?: string): Observed => ({ status, encoding, body, bodyBytes: body.length });

const check = test.macro((t, expect: Parameters<typeof checkResponse>[0], obs: Observed, problem: RegExp | null, echoed?: Buffer) => {
  const got = checkResponse(expect, obs, echoed);
  if (problem === null) t.is(got, null);
  else t.regex(got ?? '', problem);
});
test('checkResponse accepts the right status and length', check, { status: 200, bodyBytes: 13 }, seen(200, Buffer.from('Hello, World!')), null);
test('checkResponse rejects a wrong status', check, { status: 200, bodyBytes: 13 }, seen(404, Buffer.from('Hello, World!')), /status 404/);
test('checkResponse rejects a short body', check, { status: 200, bodyBytes: 13 }, seen(200, Buffer.from('Hello')), /body 5 B, expected 13 B/);
test('checkResponse rejects an uncompressed body when gzip is expected', check, { status: 200, bodyBytes: 3, encoding: 'gzip' },
  seen(200, Buffer.from('abc')), /content-encoding \(none\)/);
test('checkResponse rejects a body that is not gzip', check, { status: 200, bodyBytes: 3, encoding: 'gzip' },
  seen(200, Buffer.from('abc'), 'gzip'), /not valid gzip/);
test('checkResponse checks the decoded length of gzip', check, { status: 200, bodyBytes: 4, encoding: 'gzip' },
  seen(200, gzipSync('abc'), 'gzip'), /decoded body 3 B, expected 4 B/);
test('checkResponse accepts gzip of the right decoded length', check, { status: 200, bodyBytes: 3, encoding: 'gzip' },
  seen(200, gzipSync('abc'), 'gzip'), null);
test('checkResponse rejects an echo that differs from what was sent', check, { status: 200, bodyBytes: 3 },
  seen(200, Buffer.from('abd')), /echo differs/, Buffer.from('abc'));
test('checkResponse accepts an identical echo', check, { status: 200, bodyBytes: 3 }, seen(200, Buffer.from('abc')), null, Buffer.from('abc'));

test('parseHeaderLines lower-cases names and trims values', (t) => {
  t.deepEqual(parseHeaderLines(['Connection: close', 'Accept-Encoding:gzip ', 'junk']), { connection: 'close', 'accept-encoding': 'gzip' });
});

test('verifyTarget sends the scenario\'s headers and flags a server that ignores them', async (t) => {
  const server = createServer((req, res) => {
    const gz = req.headers['accept-encoding'] === 'gzip';
    res.writeHead(200, gz ? { 'content-encoding': 'gzip' } : {});
    res.end(gz ? gzipSync(Buffer.alloc(100 * 1024, 'j')) : 'x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    t.is(await verifyTarget(port, '/json', findScenario('gzip-json-c16')!), null);
    t.regex((await verifyTarget(port, '/', findScenario('hello-ka-c64')!)) ?? '', /body 1 B, expected 13 B/);
  } finally {
    server.close();
  }
});

test('verifyTarget checks an echo target with a small upload', async (t) => {
  const server = createServer((req, res) => (req.url === '/echo' ? req.pipe(res) : res.end('nope')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    t.is(await verifyTarget(port, '/echo', findScenario('echo-upload64m-c1')!), null);
    t.regex((await verifyTarget(port, '/other', findScenario('echo-upload64m-c1')!)) ?? '', /echo differs/);
  } finally {
    server.close();
  }
});

test('verifyTarget reports a refused connection as a problem', async (t) => {
  t.regex((await verifyTarget(1, '/', findScenario('hello-ka-c64')!)) ?? '', /request failed/);
});
