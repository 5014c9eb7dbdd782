// Session ticket keys: the addon keeps one key that issues tickets and the previous one that still resumes (and
// renews) them. Key decision: keys belong to the process (the native TLS state is per JS environment), so one
// unref'd timer rotates them for every TLS server here, started by the first and stopped with the last.
import type { NativeBinding } from '../native/index.js';
import { loadNative, TICKET_KEY_BYTES, sysError } from '../native/index.js';

/** Default rotation period: hourly, so a stolen key opens at most about two hours of sessions (forward secrecy). */
export const TICKET_KEY_ROTATION_MS = 60 * 60 * 1000;

let holders = 0;
let timer: NodeJS.Timeout | null = null;
let period = Infinity;

/** A TLS server that rotates its process's ticket keys every `periodMs` (the shortest period asked for wins). */
export function retainTicketRotation(native: NativeBinding, periodMs: number): () => void {
  holders++;
  if (periodMs < period) {
    if (timer !== null) clearInterval(timer);
    period = periodMs;
    timer = setInterval(() => rotateTicketKeys(undefined, native), periodMs);
    timer.unref();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
      period = Infinity;
    }
  };
}

/**
 * Makes `key` (80 bytes: name, HMAC-SHA256 key, AES-256 key; fresh random bytes when omitted) the ticket key of this
 * process; the previous key still resumes. Prefork workers given the same key resume each other's sessions.
 */
export function rotateTicketKeys(key?: Uint8Array, native: NativeBinding = loadNative()): void {
  if (key !== undefined && key.length !== TICKET_KEY_BYTES) throw new RangeError(`a session ticket key is ${TICKET_KEY_BYTES} bytes, got ${key.length}`);
  const r = native.rotateTicketKeys(key);
  if (r < 0) throw sysError(r, 'rotateTicketKeys');
}
