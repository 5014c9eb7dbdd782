// Flush markers in a response stream: each flushed piece reaches the client before the stream produces the next
// one (the app waits on a promise the test resolves only after the client has seen the piece). The last test puts
// the client in another process, so a producer that never yields to the event loop still sees FLUSH honoured.
import test from './transport.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLUSH, respond, source, type Application, type BodySource } from '../../src/index.js';
import { transportKind, withClient, withServer } from './helpers.js';

/** Pieces handed out by the test: the stream emits piece i and FLUSH, then waits until the test releases i+1. */
class Stepper {
  private releases: Array<() => void> = [];
  private gates: Array<Promise<void>> = [];
  constructor(readonly count: number) {
    for (let i = 0; i < count; i++) this.gates.push(new Promise((r) => this.releases.push(r)));
  }
  release(i: number): void {
    this.releases[i]!();
  }
  body(flush = true): BodySource {
    const self = this;
    return source<Uint8Array | typeof FLUSH>(function* (io) {
      for (let i = 0; i < self.count; i++) {
        yield* io.await(self.gates[i]!);
        yield* io.emit(Buffer.from(`<piece ${i}>`));
        if (flush) yield* io.emit(FLUSH);
      }
    });
  }
}

const cases: Array<[string, string, (s: Stepper) => Application]> = [
  ['a chunked stream', 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', (s) => () => respond(200, {}, s.body())],
  ['a stream with a declared length', 'GET / HTTP/1.1\r\nHost: t\r\n\r\n',
    (s) => () => respond(200, { 'content-length': s.count * '<piece 0>'.length }, s.body())],
  ['a close-delimited HTTP/1.0 stream', 'GET / HTTP/1.0\r\n\r\n', (s) => () => respond(200, {}, s.body())],
];

for (const [what, request, makeApp] of cases) {
  test(`${what}: each flushed piece arrives before the next is produced`, async (t) => {
    const stepper = new Stepper(5);
    await withServer(makeApp(stepper), {}, async (port) => withClient(port, async (c) => {
      c.write(request);
      for (let i = 0; i < stepper.count; i++) {
        stepper.release(i);
        // The next piece is not released until this one is on our side of the socket.
        await c.read((d) => d.includes(`<piece ${i}>`));
        t.false(c.received.includes(`<piece ${i + 1}>`));
      }
      t.pass();
    }));
  });
}

test('the head of a streamed response arrives before the first piece is produced', async (t) => {
  const stepper = new Stepper(2);
  const app: Application = () => respond(200, { 'x-early': 'yes' }, stepper.body());
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.read((d) => d.includes('\r\n\r\n'));
    t.true(c.received.toString('latin1').includes('x-early: yes'));
    stepper.release(0);
    await c.read((d) => d.includes('<piece 0>'));
    stepper.release(1);
    const [res] = await c.readResponses(1);
    t.is(res!.body.toString(), '<piece 0><piece 1>');
  }));
});

test('a stream of back-to-back pieces and flushes ends with the right framing', async (t) => {
  const app: Application = () => respond(200, {}, source<Uint8Array | typeof FLUSH>(function* (io) {
    for (let i = 0; i < 100; i++) {
      yield* io.emit(Buffer.from(`${i},`));
      if (i % 3 === 0) yield* io.emit(FLUSH);
    }
    yield* io.emit(FLUSH);
    yield* io.emit(FLUSH);
  }));
  await withServer(app, {}, async (port) => withClient(port, async (c) => {
    c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n');
    const rs = await c.readResponses(2);
    const expected = Array.from({ length: 100 }, (_, i) => `${i},`).join('');
    t.deepEqual(rs.map((r) => r.body.toString()), [expected, expected]);
  }));
});

/** A client in a child process: appends `i` to markerPath as soon as it has received `<piece i>`. */
const CHILD_CLIENT = `
const net = require('node:net');
const tls = require('node:tls');
const fs = require('node:fs');
const [port, marker, count, transport] = process.argv.slice(1);
const ask = () => s.write('GET / HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n');
const s = transport === 'tls'
  ? tls.connect({ port: Number(port), host: '127.0.0.1', rejectUnauthorized: false }, ask)
  : net.connect(Number(port), '127.0.0.1', ask);
let got = '';
let next = 0;
s.on('data', (d) => {
  got += d.toString('latin1');
  while (next < Number(count) && got.includes('<piece ' + next + '>')) fs.appendFileSync(marker, next++ + '\\n');
  if (next === Number(count)) s.destroy();
});
s.on('error', () => process.exit(1));
`;

/** Blocks this thread (and its event loop) until `ready()` or the deadline; true if ready. */
function blockUntil(ready: () => boolean, ms: number): boolean {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (ready()) return true;
    Atomics.wait(cell, 0, 0, 5);
  }
  return ready();
}

test('FLUSH sends the piece even when the producer continues without yielding to the event loop', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-flush-'));
  const marker = join(dir, 'seen');
  const count = 4;
  const seenBeforeNext: boolean[] = [];
  const app: Application = () => respond(200, {}, source<Uint8Array | typeof FLUSH>(function* (io) {
    for (let i = 0; i < count; i++) {
      yield* io.emit(Buffer.from(`<piece ${i}>`));
      yield* io.emit(FLUSH);
      // Synchronously, with the event loop blocked: only a real send at FLUSH lets the other process see it.
      seenBeforeNext.push(blockUntil(() => existsSync(marker) && readFileSync(marker, 'latin1').split('\n').includes(String(i)), 5000));
    }
  }));
  try {
    await withServer(app, {}, async (port) => {
      const child = spawn(process.execPath, ['-e', CHILD_CLIENT, String(port), marker, String(count), transportKind()], { stdio: 'ignore' });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      t.is(code, 0);
    });
    t.deepEqual(seenBeforeNext, [true, true, true, true]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
