// The prefork supervisor's TLS session ticket keys: one shared key for every worker, so a client resumes its session
// on whichever worker the kernel hands its next connection to (nginx's master shares its keys the same way). Key
// decision: a new worker gets both live keys (previous, current), so tickets issued before it started still resume.
import { randomBytes } from 'node:crypto';
import { TICKET_KEY_BYTES } from '../native/index.js';

/** Keys made here and handed to workers; rotated every period. */
export class SharedTicketKeys {
  #keys: Buffer[] = [randomBytes(TICKET_KEY_BYTES)];
  readonly #timer: NodeJS.Timeout;

  /** Starts rotating: every `periodMs` a new key goes to `broadcast` (every live worker). */
  constructor(periodMs: number, broadcast: (keys: readonly Buffer[]) => void) {
    this.#timer = setInterval(() => {
      const next = randomBytes(TICKET_KEY_BYTES);
      this.#keys = [this.#keys[this.#keys.length - 1]!, next];
      broadcast([next]);
    }, periodMs);
    this.#timer.unref();
  }

  /** What a new worker rotates in, oldest first. */
  get live(): readonly Buffer[] {
    return this.#keys;
  }

  /** Stops rotating. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
