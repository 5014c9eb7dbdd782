// An upgraded protocol started with UpgradeResponse.start (no promise per connection) and told about its events through
// one listener object (UpgradedListener): it keeps the connection until it closes it itself, over real sockets.
import test from './transport.js';
import type { Done } from '../../src/conduit/index.js';
import type { Application, Response, UpgradedIO, UpgradedListener } from '../../src/index.js';
import { withClient, withServer } from './helpers.js';

const UPGRADE = 'GET /chat HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: shout\r\n\r\n';
const DONE: Done = Symbol.for('sluice.conduit.DONE') as Done;

/** A toy protocol as one object: upper-cases what it reads, closes on 'bye' or at the peer's end. */
class Shout implements UpgradedListener {
  readonly events: string[] = [];

  constructor(private readonly io: UpgradedIO) {}

  readable(): void {
    this.events.push('readable');
    for (let x = this.io.read(); x !== null; x = this.io.read()) {
      if (x === DONE) return this.io.close();
      const text = Buffer.from(x).toString('latin1');
      this.io.write(Buffer.from(text.toUpperCase(), 'latin1'));
      if (text.includes('bye')) return this.io.close();
    }
    this.io.waitReadable(this);
  }

  idle(): void {
    this.events.push('idle');
    this.io.write(Buffer.from('idle'));
    this.io.close();
  }

  shutdown(): void {
    this.events.push('shutdown');
    this.io.write(Buffer.from('going away'));
    this.io.close();
  }
}

function shoutApp(started: Shout[], idleMs = 0): Application {
  return (): Response => ({
    kind: 'upgrade', status: 101, headers: { upgrade: 'shout' },
    run: () => {
      throw new Error('start is preferred over run');
    },
    start(io) {
      const s = new Shout(io);
      started.push(s);
      io.onShutdown = s;
      if (idleMs > 0) io.setIdleTimeout(idleMs, s);
      io.waitReadable(s);
    },
  });
}

test('a protocol started with start() keeps the connection after start returns, until it closes it itself', async (t) => {
  const started: Shout[] = [];
  await withServer(shoutApp(started), {}, async (port) => withClient(port, async (c) => {
    c.write(UPGRADE + 'hello ');
    await c.read((d) => d.toString('latin1').includes('HELLO '));
    c.write('again ');
    await c.read((d) => d.toString('latin1').includes('AGAIN '));
    c.write('bye');
    const all = await c.read((d) => d.toString('latin1').endsWith('BYE'));
    t.true(all.toString('latin1').endsWith('HELLO AGAIN BYE'));
    t.true(await c.whenClosed(5000));
    t.is(started.length, 1);
    t.true(started[0]!.events.filter((e) => e === 'readable').length >= 2, 'the listener object was woken for each arrival');
  }));
});

test('graceful shutdown calls the listener object given as onShutdown', async (t) => {
  const started: Shout[] = [];
  await withServer(shoutApp(started), {}, async (port, server) => withClient(port, async (c) => {
    c.write(UPGRADE);
    await c.read((d) => d.includes('\r\n\r\n'));
    const closing = server.close();
    const rest = await c.read((d) => d.toString('latin1').endsWith('going away'));
    t.true(rest.toString('latin1').endsWith('going away'));
    await closing;
    t.deepEqual(started[0]!.events.filter((e) => e === 'shutdown'), ['shutdown']);
    t.true(await c.whenClosed(5000));
  }));
});

test('an idle deadline set with the listener object calls its idle()', async (t) => {
  const started: Shout[] = [];
  await withServer(shoutApp(started, 100), {}, async (port) => withClient(port, async (c) => {
    c.write(UPGRADE);
    const got = await c.read((d) => d.toString('latin1').endsWith('idle'));
    t.true(got.toString('latin1').endsWith('\r\n\r\nidle'));
    t.true(await c.whenClosed(5000));
    t.deepEqual(started[0]!.events.filter((e) => e === 'idle'), ['idle']);
  }));
});

test('a start() that throws is reported and the connection closes', async (t) => {
  const errors: unknown[] = [];
  const app: Application = () => ({
    kind: 'upgrade', status: 101, headers: { upgrade: 'shout' }, run: () => undefined,
    start() {
      throw new Error('broken protocol');
    },
  });
  await withServer(app, { onException: (e) => void errors.push(e) }, async (port) => withClient(port, async (c) => {
    c.write(UPGRADE);
    t.true(await c.whenClosed(5000));
    t.is((errors[0] as Error).message, 'broken protocol');
  }));
});
