// An in-memory server for engine unit tests: a real Server and Reactor over FakeNative, with fake clients that
// "connect" (EV_ACCEPT), send bytes (EV_DATA) and hang up (EV_EOF / EV_ERROR), and read what the server sent.
import { EV_ACCEPT, EV_DATA, EV_EOF, EV_ERROR, EV_WRITABLE } from '../../../src/native/index.js';
import { Reactor } from '../../../src/server/reactor.js';
import { Server } from '../../../src/server/server.js';
import { resolveSettings, type Settings } from '../../../src/server/settings.js';
import type { Application } from '../../../src/server/types.js';
import { FakeNative } from './fake-native.js';

export const LISTEN_FD = 100;

/** One fake client connection, identified by its server-side fd. */
export class FakeClient {
  constructor(readonly native: FakeNative, readonly fd: number) {}

  /** Delivers bytes as one EV_DATA event. */
  send(data: string | Uint8Array): void {
    this.native.deliver([{ fd: this.fd, kind: EV_DATA, data: typeof data === 'string' ? data : Buffer.from(data).toString('latin1') }]);
  }

  /** The peer half-closes. */
  eof(): void {
    this.native.deliver([{ fd: this.fd, kind: EV_EOF }]);
  }

  /** The peer resets. */
  reset(): void {
    this.native.deliver([{ fd: this.fd, kind: EV_ERROR, a: -104 }]);
  }

  /** The socket became writable. */
  writable(): void {
    this.native.deliver([{ fd: this.fd, kind: EV_WRITABLE }]);
  }

  /** Everything the server sent this client so far. */
  get wire(): string {
    return this.native.wire.get(this.fd) ?? '';
  }

  /** Whether the server closed this fd. */
  get closed(): boolean {
    return this.native.callsOf('close').some((c) => c.fd === this.fd);
  }

  /** Whether the server half-closed (lingering close). */
  get shutDown(): boolean {
    return this.native.callsOf('shutdown').some((c) => c.fd === this.fd);
  }
}

/** A Server on FakeNative; `connect()` makes a client. */
export function fakeServer(app: Application, settings: Partial<Settings> = {}): { native: FakeNative; server: Server; connect: () => FakeClient } {
  const native = new FakeNative();
  native.listenResult = LISTEN_FD;
  const reactor = new Reactor(native);
  const server = new Server(resolveSettings({ port: 0, onException: () => {}, ...settings }), app, reactor);
  let next = 200;
  return {
    native,
    server,
    connect: () => {
      const fd = next++;
      native.deliver([{ fd, kind: EV_ACCEPT, a: LISTEN_FD }]);
      return new FakeClient(native, fd);
    },
  };
}

/** Waits until cond() holds, turning the event loop (bounded; throws with `what` if it never does). */
export async function until(cond: () => boolean, what: string, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never happened: ${what}`);
}
