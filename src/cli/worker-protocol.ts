// The supervisor <-> worker protocol: the config travels in one environment variable, status and commands as IPC
// messages tagged with `kind`. Key decision: a worker reports `listening` only after its own SO_REUSEPORT bind
// succeeded, which is what lets a reload start new workers before stopping old ones.

import { isMetricsSnapshot, type MetricsSnapshot } from '../middleware/index.js';
import type { ServeConfig } from './args.js';

/** Environment variable carrying the worker's ServeConfig as JSON. */
export const WORKER_CONFIG_ENV = 'SLUICE_WORKER_CONFIG';

/** The fd number at which a worker inherits its slot's first listening socket (after stdin, stdout, stderr and IPC); the others follow. */
export const WORKER_LISTEN_FD = 4;

/** What a worker runs: the serve config plus the inherited listeners, one per address (null: bind its own with SO_REUSEPORT). */
export type WorkerConfig = ServeConfig & { readonly listenFds: readonly number[] | null };

/** Worker -> supervisor. The metrics messages: a scrape arrived here, sum every worker (`metrics-query`); my counts,
 *  asked for by `metrics-collect` (`metrics`); I have drained, these are my last counts (`metrics-final`). */
export type WorkerMessage =
  | { kind: 'listening'; port: number }
  | { kind: 'failed'; message: string; code: string | null }
  | { kind: 'metrics-query'; id: number }
  | { kind: 'metrics'; id: number; snapshot: MetricsSnapshot }
  | { kind: 'metrics-final'; snapshot: MetricsSnapshot };

/** Supervisor -> worker: drain and exit; or TLS session ticket keys to rotate in, oldest first (base64, 80 bytes
 *  each), so every worker issues and resumes the same tickets (nginx's master shares its keys the same way); or the
 *  metrics messages: send your counts (`metrics-collect`), the sum your scrape asked for, null if a worker failed to
 *  answer (`metrics-result`). */
export type SupervisorMessage =
  | { kind: 'shutdown' }
  | { kind: 'ticket-keys'; keys: string[] }
  | { kind: 'metrics-collect'; id: number }
  | { kind: 'metrics-result'; id: number; snapshot: MetricsSnapshot | null };

const isId = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v);

/** Is this IPC payload a WorkerMessage? (IPC delivers anything; never trust its shape.) */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m.kind === 'listening') return typeof m.port === 'number';
  if (m.kind === 'failed') return typeof m.message === 'string' && (typeof m.code === 'string' || m.code === null);
  if (m.kind === 'metrics-query') return isId(m.id);
  if (m.kind === 'metrics') return isId(m.id) && isMetricsSnapshot(m.snapshot);
  if (m.kind === 'metrics-final') return isMetricsSnapshot(m.snapshot);
  return false;
}

/** Is this IPC payload a SupervisorMessage? */
export function isSupervisorMessage(value: unknown): value is SupervisorMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (m.kind === 'shutdown') return true;
  if (m.kind === 'metrics-collect') return isId(m.id);
  if (m.kind === 'metrics-result') return isId(m.id) && (m.snapshot === null || isMetricsSnapshot(m.snapshot));
  return m.kind === 'ticket-keys' && Array.isArray(m.keys) && m.keys.every((k) => typeof k === 'string');
}

/** Read the worker's config from its environment; throws a TypeError when absent or malformed. */
export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const raw = env[WORKER_CONFIG_ENV];
  if (raw === undefined) throw new TypeError(`${WORKER_CONFIG_ENV} is not set: this module is started by the sluice supervisor`);
  let value: Partial<WorkerConfig>;
  try {
    value = JSON.parse(raw) as Partial<WorkerConfig>;
  } catch {
    throw new TypeError(`${WORKER_CONFIG_ENV} is not JSON`);
  }
  if (typeof value.port !== 'number' || typeof value.host !== 'string' || typeof value.workers !== 'number' ||
    !(value.listenFds === null || (Array.isArray(value.listenFds) && value.listenFds.every((fd) => Number.isInteger(fd))))) {
    throw new TypeError(`${WORKER_CONFIG_ENV} is malformed`);
  }
  return value as WorkerConfig;
}
