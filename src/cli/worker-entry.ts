// A worker process (forked by the supervisor): accepts on its slot's SO_REUSEPORT listeners, reports over IPC, and
// drains gracefully on `shutdown`, SIGTERM, SIGINT, or when the supervisor disappears (the IPC channel closes).

import { setTimeout as delay } from 'node:timers/promises';
import { loadNative } from '../native/index.js';
import { rotateTicketKeys } from '../server/index.js';
import { describeError, startServing, type Serving } from './serve-command.js';
import { WorkerMetricsLink } from './worker-metrics.js';
import { isSupervisorMessage, readWorkerConfig, type WorkerMessage } from './worker-protocol.js';

/** How long a draining worker waits, after it stops accepting, for just-accepted connections to send a request. */
const FIRST_REQUEST_GRACE_MS = 250;

/** Serve as one worker until told to stop; the process exits when done. */
async function runWorker(): Promise<never> {
  // Listen for the supervisor at once: its first ticket keys may arrive while the server starts.
  let stopRequested: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const metricsLink = new WorkerMetricsLink((message) => void send(message));
  process.on('message', (m) => {
    if (!isSupervisorMessage(m) || metricsLink.onMessage(m)) return;
    if (m.kind === 'shutdown') stopRequested();
    else if (m.kind === 'ticket-keys') {
      try {
        for (const key of m.keys) rotateTicketKeys(Buffer.from(key, 'base64'));
      } catch (err) {
        process.stderr.write(`sluice: worker ${process.pid}: ticket key refused: ${(err as Error).message}\n`);
      }
    }
  });
  let serving: Serving;
  let listenFds: readonly number[] | null = null;
  try {
    const config = readWorkerConfig();
    listenFds = config.listenFds;
    // Each worker accepts on its own SO_REUSEPORT listener, so the kernel spreads connections (no shared accept lock):
    // the slot's socket the supervisor bound, or, started alone, one it binds itself.
    // The supervisor rotates the ticket keys of every worker at once, so workers do not rotate their own.
    // Started alone (no supervisor to sum the workers), a scrape shows this process's counts.
    const collectMetrics = process.send === undefined ? undefined : metricsLink.collect;
    serving = startServing(config, config.listenFds === null ? { reusePort: true } : { fd: config.listenFds }, { ticketKeyRotationMs: 0 },
      { collectMetrics });
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    await send({ kind: 'failed', message: describeError(err) ?? String(err), code: typeof code === 'string' ? code : null });
    process.exit(1);
  }
  const metrics = serving.metrics;
  if (metrics !== null) metricsLink.local = () => metrics.snapshot();
  await send({ kind: 'listening', port: serving.port });
  await new Promise<void>((resolve) => {
    void stopped.then(resolve);
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
    // An orphaned worker would hold the port forever: follow the supervisor out.
    process.once('disconnect', () => resolve());
  });
  serving.drain();
  if (listenFds !== null) {
    // Server.close() closes idle connections at once, including ones accepted moments ago whose first request has not
    // been read yet (their clients would see a hang-up). So stop accepting first (the supervisor keeps the socket,
    // so what is queued waits for the next generation) and give those connections a moment to start their request.
    for (const fd of listenFds) loadNative().stopAccepting(fd);
    await delay(FIRST_REQUEST_GRACE_MS);
  }
  const warning = await serving.close();
  if (warning !== null) process.stderr.write(`sluice: worker ${process.pid}: ${warning}\n`);
  // Drained: the last counts go to the supervisor, which keeps them in its sum after this process is gone.
  if (metrics !== null) await send({ kind: 'metrics-final', snapshot: metrics.snapshot() });
  process.exit(0);
}

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

void runWorker();
