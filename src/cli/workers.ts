// The prefork supervisor (`--workers N`): one process per worker slot, each accepting on its own SO_REUSEPORT listener
// (not node:cluster's shared handle), restarted with exponential backoff when it dies. Key decisions: the supervisor
// binds the slots' listeners and keeps them open (listen-sockets.ts), so neither a dead worker nor a reload resets
// queued connections; a reload starts the new generation and waits until it accepts before the old one drains; a
// worker that fails before it listens is its spawner's problem (start, reload or restart), one that dies later is restarted.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServeConfig } from './args.js';
import { TICKET_KEY_ROTATION_MS, type ListenAddress } from '../server/index.js';
import { PACKAGE_ROOT } from '../native/index.js';
import { materializeSelfSigned } from './tls-flags.js';
import { SharedTicketKeys } from './tls-ticket-keys.js';
import { printBanner } from './banner.js';
import { closeListeners, openListeners } from './listen-sockets.js';
import { EXIT_OK, reportFailure, listenForStopSignal, type CliOutput } from './process-io.js';
import { MetricsAggregator } from './supervisor-metrics.js';
import { isWorkerMessage, WORKER_CONFIG_ENV, WORKER_LISTEN_FD, type SupervisorMessage, type WorkerConfig, type WorkerMessage } from './worker-protocol.js';

/** How the supervisor runs its workers. */
export interface SupervisorOptions {
  readonly config: ServeConfig;
  readonly output: CliOutput;
  /** The worker module; default dist/src/cli/worker-entry.js. */
  readonly entry?: string;
  /** Restart delay: initialMs doubling per consecutive death, capped at maxMs. Default 100 ms .. 10 s. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** A worker that lived this long resets its slot's backoff. Default 10 s. */
  readonly stableMs?: number;
  /** A draining worker still running after this is killed (SIGKILL). Default 15 s (graceful shutdown is 10 s). */
  readonly stopTimeoutMs?: number;
  /** With TLS: how often the shared session ticket key changes. Default 1 hour. */
  readonly ticketKeyRotationMs?: number;
}

/** A worker that could not start: its own report (e.g. the port is in use), with the code it carried. */
export class WorkerStartError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'WorkerStartError';
  }
}

interface Worker {
  readonly slot: number;
  readonly generation: number;
  readonly child: ChildProcess;
  readonly startedAt: number;
  state: 'starting' | 'listening' | 'retiring';
  /** The port once it listens; rejects if it fails or exits first. */
  readonly listening: Promise<number>;
  readonly exited: Promise<void>;
}

// From the package root, not this module: in the published build this code sits in a shared chunk, while the worker
// entry keeps its path (prepack bundles it as an entry of its own).
const DEFAULT_ENTRY = fileURLToPath(new URL('dist/src/cli/worker-entry.js', PACKAGE_ROOT));
const SHUTDOWN: SupervisorMessage = { kind: 'shutdown' };

/** Runs N workers on one port and keeps them running. */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #workers = new Set<Worker>();
  readonly #failures: number[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  /** The listening sockets of each slot (one per address), inherited by the slot's worker from fd WORKER_LISTEN_FD on. */
  #listeners: (readonly number[])[] = [];
  #addresses: readonly ListenAddress[] = [];
  #port: number;
  #generation = 0;
  #stopping = false;
  /** The config workers run: a self-signed certificate is made once here and handed over as files. */
  #workerConfig: ServeConfig;
  #cleanupTls: () => void = () => {};
  /** TLS session ticket keys shared by every worker, or null without TLS. */
  #ticketKeys: SharedTicketKeys | null = null;
  readonly #metrics = new MetricsAggregator();

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#port = options.config.port;
    this.#workerConfig = options.config;
  }

  /** The port every worker accepts on (known once start() resolved). */
  get port(): number {
    return this.#port;
  }

  /** The addresses every worker accepts on (known once start() resolved). */
  get addresses(): readonly ListenAddress[] {
    return this.#addresses;
  }

  /** The pids of the workers currently serving or starting (not those draining). */
  get pids(): number[] {
    return [...this.#workers].filter((w) => w.state !== 'retiring').map((w) => w.child.pid ?? -1);
  }

  /** Bind, then start every worker; resolves with the port once all accept, or stops them all and rejects with the first failure. */
  async start(): Promise<number> {
    const { host, port, workers } = this.#options.config;
    // Throws at once (port in use, no permission) before any process is forked.
    const opened = openListeners(host, port, workers);
    if (this.#options.config.tls !== null) {
      this.#ticketKeys = new SharedTicketKeys(this.#options.ticketKeyRotationMs ?? TICKET_KEY_ROTATION_MS, (keys) => {
        for (const w of this.#workers) this.#sendTicketKeys(w.child, keys);
      });
    }
    const material = materializeSelfSigned(this.#options.config.tls);
    this.#workerConfig = { ...this.#options.config, tls: material.tls };
    this.#cleanupTls = material.cleanup;
    this.#listeners = [...opened.slots];
    this.#addresses = opened.addresses;
    this.#port = opened.port;
    try {
      await Promise.all(this.#slots().map((slot) => this.#spawn(slot, 0).listening));
    } catch (err) {
      await this.shutdown();
      throw err;
    }
    return this.#port;
  }

  /** SIGHUP: start a fresh generation, wait until it listens, then drain the old one. If it fails, keep the old one. */
  async reload(): Promise<void> {
    const generation = ++this.#generation;
    const fresh = this.#slots().map((slot) => this.#spawn(slot, generation));
    try {
      await Promise.all(fresh.map((w) => w.listening));
    } catch (err) {
      await Promise.all(fresh.map((w) => this.#stop(w)));
      throw err;
    }
    await Promise.all([...this.#workers].filter((w) => w.generation < generation).map((w) => this.#stop(w)));
  }

  /** Drain every worker (each closes its server gracefully) and resolve when all have exited. */
  async shutdown(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#ticketKeys?.stop();
    await Promise.all([...this.#workers].map((w) => this.#stop(w)));
    for (const fds of this.#listeners) closeListeners(fds);
    this.#listeners = [];
    this.#cleanupTls();
  }

  #sendTicketKeys(child: ChildProcess, keys: readonly Buffer[]): void {
    if (!child.connected) return;
    const message: SupervisorMessage = { kind: 'ticket-keys', keys: keys.map((k) => k.toString('base64')) };
    // A worker that just died cannot take it; its 'exit' is what counts.
    child.send(message, (err) => void err);
  }

  #slots(): number[] {
    return Array.from({ length: this.#options.config.workers }, (_, slot) => slot);
  }

  #spawn(slot: number, generation: number): Worker {
    const inherited = this.#listeners[slot]!;
    const config: WorkerConfig = { ...this.#workerConfig, port: this.#port, listenFds: inherited.map((_, i) => WORKER_LISTEN_FD + i) };
    const child = fork(this.#options.entry ?? DEFAULT_ENTRY, [], {
      env: { ...process.env, [WORKER_CONFIG_ENV]: JSON.stringify(config) },
      // The slot's listeners become the child's fds 4, 5, … (WORKER_LISTEN_FD on).
      stdio: ['inherit', 'inherit', 'inherit', 'ipc', ...inherited],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (this.#ticketKeys !== null) this.#sendTicketKeys(child, this.#ticketKeys.live);
    const listening = new Promise<number>((resolve, reject) => {
      // One listener for every message: its start report here, the metrics messages (#onMetricsMessage) otherwise.
      child.on('message', (m) => {
        if (!isWorkerMessage(m)) return;
        if (m.kind === 'listening') {
          if (worker.state === 'starting') worker.state = 'listening';
          resolve(m.port);
        } else if (m.kind === 'failed') reject(new WorkerStartError(m.message, m.code ?? 'WORKER_FAILED'));
        else this.#onMetricsMessage(child, m);
      });
      // 'close', not 'exit': it comes after the IPC channel has delivered everything, so a worker that reported why it
      // failed and exited is rejected with its own report (the exit alone can overtake the message).
      child.once('close', (code, signal) => reject(new WorkerStartError(`worker exited (${signal ?? `code ${code}`}) before listening`, 'WORKER_EXITED')));
      // A ChildProcess 'error' with no listener would crash the supervisor. A failed spawn fails the start; other
      // errors (a message to a child that just died) are followed by its 'exit', which is what counts.
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (child.pid === undefined) reject(new WorkerStartError(`cannot start a worker: ${err.message}`, err.code ?? 'WORKER_SPAWN_FAILED'));
      });
    });
    // Whoever spawned the worker handles a failed start; this only keeps the rejection from being "unhandled".
    listening.catch(() => {});
    const worker: Worker = { slot, generation, child, startedAt: Date.now(), state: 'starting', listening, exited };
    this.#workers.add(worker);
    child.once('exit', (code, signal) => this.#onExit(worker, code, signal));
    return worker;
  }

  /** --metrics-path: a scrape at one worker gets the sum over all of them (supervisor-metrics.ts). */
  #onMetricsMessage(child: ChildProcess, m: WorkerMessage): void {
    if (m.kind === 'metrics') this.#metrics.answer(child, m.id, m.snapshot);
    else if (m.kind === 'metrics-final') this.#metrics.retire(child, m.snapshot);
    else if (m.kind === 'metrics-query') {
      const members = [...this.#workers].map((w) => ({ child: w.child, serving: () => w.state !== 'starting' }));
      void this.#metrics.collect(members).then((snapshot) => {
        const reply: SupervisorMessage = { kind: 'metrics-result', id: m.id, snapshot };
        if (child.connected) child.send(reply, (err) => void err);
      });
    }
  }

  #onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.delete(worker);
    if (this.#stopping || worker.state !== 'listening') return;
    if (Date.now() - worker.startedAt >= (this.#options.stableMs ?? 10_000)) this.#failures[worker.slot] = 0;
    const delay = this.#nextDelay(worker.slot);
    this.#options.output.err(`sluice: worker ${worker.slot + 1} (pid ${worker.child.pid}) exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
    this.#restartLater(worker.slot, worker.generation, delay);
  }

  #restartLater(slot: number, generation: number, delay: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      // A reload may have replaced this generation meanwhile: its slot is already served.
      if (this.#stopping || generation < this.#generation) return;
      const worker = this.#spawn(slot, generation);
      worker.listening.then(
        () => this.#options.output.err(`sluice: worker ${slot + 1} restarted (pid ${worker.child.pid})`),
        (err: Error) => {
          if (this.#stopping) return;
          const next = this.#nextDelay(slot);
          this.#options.output.err(`sluice: worker ${slot + 1} failed to start: ${err.message}; retrying in ${next} ms`);
          this.#restartLater(slot, generation, next);
        },
      );
    }, delay);
    this.#timers.add(timer);
  }

  /** Exponential backoff per slot: initialMs * 2^(consecutive deaths), capped. */
  #nextDelay(slot: number): number {
    const { initialMs, maxMs } = this.#options.backoff ?? { initialMs: 100, maxMs: 10_000 };
    const failures = this.#failures[slot] ?? 0;
    this.#failures[slot] = failures + 1;
    return Math.min(maxMs, initialMs * 2 ** failures);
  }

  #stop(worker: Worker): Promise<void> {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return Promise.resolve();
    worker.state = 'retiring';
    // The child may be exiting already: a send that fails (EPIPE) falls back to SIGTERM instead of an 'error' event.
    if (worker.child.connected) worker.child.send(SHUTDOWN, (err) => err && worker.child.kill('SIGTERM'));
    else worker.child.kill('SIGTERM');
    const kill = setTimeout(() => worker.child.kill('SIGKILL'), this.#options.stopTimeoutMs ?? 15_000);
    return worker.exited.finally(() => clearTimeout(kill));
  }
}

/** `sluice serve --workers N`: supervise until SIGTERM/SIGINT; SIGHUP reloads. Resolves to the exit code. */
export async function runWorkers(config: ServeConfig, output: CliOutput, options: Partial<SupervisorOptions> = {}): Promise<number> {
  const supervisor = new Supervisor({ ...options, config, output });
  // Signals are handled from the start: one that arrives while the workers start, or just after the banner, must not
  // meet the default action (which kills the supervisor and orphans its workers).
  const stop = listenForStopSignal();
  let started = false;
  let reloadPending = false;
  const reload = (): void => {
    output.err('sluice: SIGHUP: starting new workers, then draining the old ones');
    supervisor.reload().then(
      () => output.err(`sluice: reloaded (pids ${supervisor.pids.join(', ')})`),
      (err: Error) => output.err(`sluice: reload failed, old workers kept: ${err.message}`),
    );
  };
  const onHangup = (): void => {
    if (started) reload();
    else reloadPending = true;
  };
  process.on('SIGHUP', onHangup);
  let port: number;
  try {
    port = await supervisor.start();
  } catch (err) {
    process.off('SIGHUP', onHangup);
    stop.dispose();
    return reportFailure(err, output);
  }
  started = true;
  if (!config.quiet) printBanner(config, supervisor.addresses, port, output, ` with ${config.workers} workers (pids ${supervisor.pids.join(', ')})`);
  if (reloadPending) reload();
  const signal = await stop.received;
  process.off('SIGHUP', onHangup);
  if (!config.quiet) output.err(`sluice: ${signal}: draining ${config.workers} workers`);
  await supervisor.shutdown();
  return EXIT_OK;
}
