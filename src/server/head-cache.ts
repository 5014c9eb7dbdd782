// The last composed response head, kept as bytes so an identical head is one copy instead of a validating write.
// Why: a server mostly answers with the same head over and over (same status, same app fields, same length, same
// Date for a whole second), and copying ~120 validated bytes costs a fraction of writing them char by char. Only a
// head composed twice in a row is kept, and the slot only changes hands after a run of misses, so varying heads (an
// ETag per file, a length per body) pay one failed key comparison and allocate nothing.

import type { EngineHeaders, ResponseHeaders } from './types.js';

/** What measuring a head found in the cache: nothing, the same key without bytes yet, or the bytes themselves. */
export const MISS = 0;
export const KEY_ONLY = 1;
export const HIT = 2;
export type Lookup = typeof MISS | typeof KEY_ONLY | typeof HIT;

/** Consecutive misses before the slot takes a new key: a head that alternates with another does not evict it. */
const MISSES_BEFORE_EVICT = 8;

/** Heads longer than this are not kept (they are rare, and a copy of them is no longer the point). */
const MAX_CACHED_HEAD = 512;

/** The key of one head: everything that decides its bytes. Date bytes are compared by identity (DateCache replaces them). */
class HeadKey {
  status = -1;
  /** App fields in enumeration order: name, value, name, value… (string and number values only). */
  readonly fields: (string | number)[] = [];
  date: Uint8Array | null = null;
  server: string | null = null;
  contentLength = -1;
  flags = -1;
  /** The composed head, once the same key was written twice in a row. */
  bytes: Uint8Array | null = null;

  matches(status: number, headers: ResponseHeaders, engine: EngineHeaders): boolean {
    if (this.status !== status || this.date !== engine.date || this.server !== engine.server
      || this.contentLength !== engine.contentLength || this.flags !== flagsOf(engine)) return false;
    const fields = this.fields;
    let i = 0;
    for (const name in headers) {
      // An array value never matches: arrays are never stored (they could be mutated in place).
      if (fields[i] !== name || fields[i + 1] !== headers[name]) return false;
      i += 2;
    }
    return i === fields.length;
  }

  /** Takes the key of a head just written; false when it cannot be kept (an array value). */
  assign(status: number, headers: ResponseHeaders, engine: EngineHeaders): boolean {
    const fields = this.fields;
    fields.length = 0;
    for (const name in headers) {
      const value = headers[name]!;
      if (typeof value !== 'string' && typeof value !== 'number') {
        this.status = -1;
        return false;
      }
      fields.push(name, value);
    }
    this.status = status;
    this.date = engine.date;
    this.server = engine.server;
    this.contentLength = engine.contentLength;
    this.flags = flagsOf(engine);
    this.bytes = null;
    return true;
  }
}

function flagsOf(engine: EngineHeaders): number {
  return (engine.chunked ? 1 : 0) | (engine.close ? 2 : 0) | (engine.keepAlive === true ? 4 : 0);
}

/**
 * One process-wide slot. measure() and write() are called back to back for the same head (nothing runs between
 * them), so measure's verdict is handed to write() along with the objects it was made for.
 */
export class HeadCache {
  readonly #last = new HeadKey();
  #verdict: Lookup = MISS;
  #headers: ResponseHeaders | null = null;
  #engine: EngineHeaders | null = null;
  #misses = 0;

  /** Looks the head up; its cached length on a hit, else -1. */
  measure(status: number, headers: ResponseHeaders, engine: EngineHeaders): number {
    const last = this.#last;
    this.#headers = headers;
    this.#engine = engine;
    if (!last.matches(status, headers, engine)) {
      this.#verdict = MISS;
      return -1;
    }
    this.#verdict = last.bytes === null ? KEY_ONLY : HIT;
    this.#misses = 0;
    return last.bytes === null ? -1 : last.bytes.length;
  }

  /**
   * The cached bytes of this very head, or null: measure() and verdictFor() in one step, for a caller that copies the
   * bytes at once. It records nothing about the objects (storing them cost a write barrier per response).
   */
  hit(status: number, headers: ResponseHeaders, engine: EngineHeaders): Uint8Array | null {
    const last = this.#last;
    if (last.bytes === null || !last.matches(status, headers, engine)) return null;
    this.#misses = 0;
    return last.bytes;
  }

  /** What measure() found, if it was made for these very objects (else MISS). */
  verdictFor(status: number, headers: ResponseHeaders, engine: EngineHeaders): Lookup {
    if (this.#headers !== headers || this.#engine !== engine || this.#last.status !== status) return MISS;
    return this.#verdict;
  }

  /** The cached bytes (only after verdictFor() said HIT). */
  get bytes(): Uint8Array {
    return this.#last.bytes!;
  }

  /** Records a head just written to out[start..end) after verdict `found`. */
  remember(found: Lookup, status: number, headers: ResponseHeaders, engine: EngineHeaders, out: Uint8Array, start: number, end: number): void {
    this.#headers = null;
    this.#engine = null;
    if (found === KEY_ONLY) {
      // A copy, never a view: `out` is the cork buffer (and a Buffer's slice() would alias it).
      if (end - start <= MAX_CACHED_HEAD) this.#last.bytes = new Uint8Array(out.subarray(start, end));
    } else if (++this.#misses >= MISSES_BEFORE_EVICT || this.#last.status === -1) {
      this.#misses = 0;
      this.#last.assign(status, headers, engine);
    }
  }
}
