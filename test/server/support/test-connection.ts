// Connections for reactor- and writer-level tests: a real Connection on a real Reactor over FakeNative, owned by a
// stand-in server that records timeouts and releases instead of acting on them.
import { Connection, type ConnectionOwner } from '../../../src/server/connection.js';
import { Reactor } from '../../../src/server/reactor.js';
import { resolveSettings, type Settings } from '../../../src/server/settings.js';
import { TimeoutManager } from '../../../src/server/timeout.js';
import { TCP } from '../../../src/server/transport.js';
import { FakeNative } from './fake-native.js';

/** A ConnectionOwner that only records what happened ('timedOut <fd>', 'released <fd>'). */
export function recordingOwner(settings: Partial<Settings> = {}, clock: () => number = Date.now): ConnectionOwner & { log: string[] } {
  const log: string[] = [];
  return {
    settings: resolveSettings({ port: 0, ...settings }),
    timeouts: new TimeoutManager(1000, clock),
    log,
    timedOut: (c) => void log.push(`timedOut ${c.fd}`),
    released: (c) => void log.push(`released ${c.fd}`),
  };
}

/** A Reactor over FakeNative, and a maker of attached connections on it. */
export function reactorSetup(): { native: FakeNative; reactor: Reactor; owner: ReturnType<typeof recordingOwner>; conn: (fd: number) => Connection } {
  const native = new FakeNative();
  const reactor = new Reactor(native);
  const owner = recordingOwner();
  const conn = (fd: number): Connection => {
    const c = new Connection(fd, reactor, owner, TCP);
    reactor.attach(c);
    return c;
  };
  return { native, reactor, owner, conn };
}
