// What an app gives for a WebSocket endpoint (Bun's `websocket` handler object: hooks plus settings) and the
// settings resolved from it once per handler object. Defaults follow Bun: 16 MiB messages and backpressure, 120 s idle.
import type { DeflateConfig } from './extensions.js';
import type { DeflateTuning } from './permessage-deflate.js';
import { defaultTopics, type Topics } from './topics.js';
import type { ServerWebSocket } from './websocket.js';

/** permessage-deflate settings (RFC 7692). */
export interface PerMessageDeflateOptions {
  /**
   * How the server compresses: 'shared' (default; no context takeover, one pooled compressor for every socket, so
   * pub/sub compresses a message once), 'dedicated' (context takeover: better ratio, a compressor of about
   * 2^(windowBits+2) + 2^(memLevel+9) bytes per socket, made at its first compressed message), or false (never).
   */
  readonly compress?: boolean | 'shared' | 'dedicated';
  /**
   * 'dedicated' (default): clients may keep their context, and a socket gets its own decompressor at its first
   * compressed message; 'shared': clients are asked for client_no_context_takeover and decompressors are pooled.
   */
  readonly decompress?: 'shared' | 'dedicated';
  /** Messages shorter than this many bytes are sent uncompressed (default 1024): zlib costs more than it saves. */
  readonly threshold?: number;
  /** zlib level 0-9 (default 6). */
  readonly level?: number;
  /** zlib memLevel 1-9 (default 8). */
  readonly memLevel?: number;
  /** The server's largest compression window, 9-15 (default 15). */
  readonly serverMaxWindowBits?: number;
  /** The largest window clients may compress with, 8-15 (default 15), when they offer to be limited. */
  readonly clientMaxWindowBits?: number;
}

/** A hook's return: handlers may be async; a rejection is treated like a throw. */
type HookResult = void | Promise<void>;

/** The hooks and settings of a WebSocket endpoint. `T` is the type of each socket's `data`. */
export interface WebSocketHandler<T = undefined> {
  /** The socket is open: the 101 is on its way and sends are queued behind it. */
  open?(ws: ServerWebSocket<T>): HookResult;
  /** A whole message: a string for text, a Buffer for binary. */
  message?(ws: ServerWebSocket<T>, message: string | Buffer): HookResult;
  /** The socket can take more after a send returned -1 (backpressure) or 0 (dropped). */
  drain?(ws: ServerWebSocket<T>): HookResult;
  /**
   * The socket is closed (called once): the peer's close code when its close frame arrived, else ours when we
   * closed or failed the connection, else 1006 (the connection ended without a close frame).
   */
  close?(ws: ServerWebSocket<T>, code: number, reason: string): HookResult;
  /** A ping arrived (the pong is sent automatically before this runs). */
  ping?(ws: ServerWebSocket<T>, data: Buffer): HookResult;
  /** A pong arrived. */
  pong?(ws: ServerWebSocket<T>, data: Buffer): HookResult;
  /** The largest message accepted, in bytes (after decompression): 1009 above it. Default 16 MiB. */
  readonly maxPayloadLength?: number;
  /** When more than this many bytes wait for the kernel, send() drops messages (returns 0). 0 = no limit. 16 MiB. */
  readonly maxBackpressure?: number;
  /** Close the socket when a message is dropped for backpressure (default false). */
  readonly closeOnBackpressureLimit?: boolean;
  /** Seconds without a received byte before the socket is closed; 0 = never. Default 120. */
  readonly idleTimeout?: number;
  /** Ping an idle client before the idle timeout closes it, so a live client keeps it open (default true). */
  readonly sendPings?: boolean;
  /** Whether ws.publish() also sends to the publishing socket (default false). */
  readonly publishToSelf?: boolean;
  /** permessage-deflate: off by default (as in Bun and uWebSockets.js); true takes the defaults. */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** The pub/sub registry (default: the process-wide one). */
  readonly topics?: Topics;
  /**
   * Opt-in (default false): a binary message is lent, as in uWebSockets.js, not given: its Buffer is valid only until
   * the message hook returns, and the memory under it is reused for a later message once nothing queued refers to it.
   * Copy what you keep (`Buffer.from(message)`); sending or publishing it from the hook is safe. Spares a large
   * message its fresh buffer (first-touch memory, and V8's full collections driven by external memory).
   */
  readonly reuseMessageBuffers?: boolean;
}

/** permessage-deflate as resolved: the negotiation config plus how we compress. */
export interface DeflateSettings extends DeflateConfig {
  readonly threshold: number;
  readonly tuning: DeflateTuning;
}

/** A handler's settings with every default applied. */
export interface Settings {
  readonly maxPayloadLength: number;
  readonly maxBackpressure: number;
  readonly closeOnBackpressureLimit: boolean;
  readonly idleTimeoutMs: number;
  readonly sendPings: boolean;
  readonly publishToSelf: boolean;
  readonly deflate: DeflateSettings | null;
  readonly topics: Topics;
  readonly reuseMessageBuffers: boolean;
}

const MIB = 1024 * 1024;

/** The closing handshake's wait when there is no idle timeout. */
export const CLOSE_WAIT_MS = 16000;

/**
 * uWebSockets' split of the idle timeout: a ping goes out `margin` before the end (4, 8 or 16 s; half of a short
 * timeout), and the margin is also how long a closing handshake may take.
 */
export function pingMargin(idleMs: number): number {
  let m = 4000;
  while (idleMs - 4 * m >= 0 && m < 16000) m *= 2;
  return Math.min(m, idleMs / 2);
}
const resolved = new WeakMap<object, Settings>();

/** An invalid WebSocket setting. */
export class WebSocketOptionError extends TypeError {
  /** Always 'ERR_WS_OPTION'. */
  readonly code = 'ERR_WS_OPTION';
}

/** The settings of `handler`, resolved and checked once per handler object. */
export function settingsOf(handler: WebSocketHandler<never>): Settings {
  let s = resolved.get(handler);
  if (s === undefined) resolved.set(handler, (s = resolveSettings(handler)));
  return s;
}

/** The pub/sub registry a handler's sockets use (its `topics`, else the process-wide one); checks its settings too. */
export function topicsOf(handler: WebSocketHandler<never>): Topics {
  return settingsOf(handler).topics;
}

function resolveSettings(h: WebSocketHandler<never>): Settings {
  return {
    maxPayloadLength: integer('maxPayloadLength', h.maxPayloadLength ?? 16 * MIB, 0, Number.MAX_SAFE_INTEGER),
    maxBackpressure: integer('maxBackpressure', h.maxBackpressure ?? 16 * MIB, 0, Number.MAX_SAFE_INTEGER),
    closeOnBackpressureLimit: h.closeOnBackpressureLimit ?? false,
    idleTimeoutMs: integer('idleTimeout', h.idleTimeout ?? 120, 0, 86_400) * 1000,
    sendPings: h.sendPings ?? true,
    publishToSelf: h.publishToSelf ?? false,
    deflate: resolveDeflate(h.perMessageDeflate ?? false),
    topics: h.topics ?? defaultTopics,
    reuseMessageBuffers: h.reuseMessageBuffers ?? false,
  };
}

function resolveDeflate(o: boolean | PerMessageDeflateOptions): DeflateSettings | null {
  if (o === false) return null;
  const d: PerMessageDeflateOptions = o === true ? {} : o;
  const compress = d.compress === undefined || d.compress === true ? 'shared' : d.compress;
  if (compress !== 'shared' && compress !== 'dedicated' && compress !== false) throw new WebSocketOptionError(`perMessageDeflate.compress: ${String(compress)}`);
  const decompress = d.decompress ?? 'dedicated';
  if (decompress !== 'shared' && decompress !== 'dedicated') throw new WebSocketOptionError(`perMessageDeflate.decompress: ${String(decompress)}`);
  return {
    compress,
    decompress,
    serverMaxWindowBits: integer('perMessageDeflate.serverMaxWindowBits', d.serverMaxWindowBits ?? 15, 9, 15),
    clientMaxWindowBits: integer('perMessageDeflate.clientMaxWindowBits', d.clientMaxWindowBits ?? 15, 8, 15),
    threshold: integer('perMessageDeflate.threshold', d.threshold ?? 1024, 0, Number.MAX_SAFE_INTEGER),
    tuning: {
      level: integer('perMessageDeflate.level', d.level ?? 6, 0, 9),
      memLevel: integer('perMessageDeflate.memLevel', d.memLevel ?? 8, 1, 9),
    },
  };
}

function integer(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new WebSocketOptionError(`${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v;
}
