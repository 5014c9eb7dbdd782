// A worker process (forked by the supervisor): binds its own SO_REUSEPORT listener, reports over IPC, and drains
// gracefully on `shutdown`, SIGTERM, SIGINT, or when the supervisor disappears (the IPC channel closes).

import { describeError, startServing, type Serving } from './serve-command.js';
import { isSupervisorMessage, readWorkerConfig, type WorkerMessage } from './worker-protocol.js';

/** Serve as one worker until told to stop; the process exits when done. */
export async function runWorker(): Promise<never> {
  let serving: Serving;
  try {
    // reusePort: each worker owns a listener and the kernel spreads connections (no shared accept lock).
    serving = startServing(readWorkerConfig(), { reusePort: true });
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    await send({ kind: 'failed', message: describeError(err) ?? String(err), code: typeof code === 'string' ? code : null });
    process.exit(1);
  }
  await send({ kind: 'listening', port: serving.port });
  await new Promise<void>((resolve) => {
    process.on('message', (m) => {
      if (isSupervisorMessage(m)) resolve();
    });
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
    // An orphaned worker would hold the port forever: follow the supervisor out.
    process.once('disconnect', () => resolve());
  });
  await serving.close();
  process.exit(0);
}

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

void runWorker();
