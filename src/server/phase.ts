// A connection's phases and the one table that says which deadline each one runs under (hyper keeps every
// Reading/Writing transition in proto/h1/conn.rs; warp's Timeout.hs has Active/Paused). Only Connection.enter uses it.
import type { Settings } from './settings.js';

/** What a connection is doing; decides its deadline and what a timeout does. */
export const enum Phase {
  /** Accepted, no byte yet: the first request must arrive within the header timeout (slowloris), then a silent close. */
  Fresh,
  /** Between keep-alive requests, no byte of the next one yet: idle timeout, then a silent close. */
  Idle,
  /** Reading a request head: header timeout, not extended by trickled bytes; then 408 and close. */
  Head,
  /** Waiting on request body bytes: body timeout, re-armed by each chunk, plus the minimum-rate check. */
  Body,
  /** The app is computing: no deadline (Warp pauses its timer here). */
  App,
  /** Waiting for a slow client to take our output: send timeout. */
  Send,
  /** Lingering close: discarding input after our last response, until the peer closes or LINGER_MS pass. */
  Linger,
  /** Handed to another protocol (WebSocket): the deadline that protocol set (setIdleTimeout), or none. */
  Upgraded,
}

/** How long a lingering close waits for the peer's FIN before closing anyway. */
export const LINGER_MS = 2000;

/** The timeout (ms) a phase runs under; Infinity = paused. Upgraded connections pass their own. */
export function timeoutOf(phase: Phase, settings: Settings, upgradedMs: number): number {
  switch (phase) {
    case Phase.Fresh:
    case Phase.Head:
      return settings.headerTimeoutMs;
    case Phase.Idle:
      return settings.idleTimeoutMs;
    case Phase.Body:
      return settings.bodyTimeoutMs;
    case Phase.Send:
      return settings.sendTimeoutMs;
    case Phase.Linger:
      return LINGER_MS;
    case Phase.Upgraded:
      return upgradedMs > 0 ? upgradedMs : Infinity;
    default:
      return Infinity;
  }
}
