// Raw deflate one message at a time, outside any pipeline: what WebSocket's permessage-deflate (RFC 7692) needs.
// Key decisions: one engine per connection direction keeps its history between messages (context takeover), or,
// without takeover, is borrowed from a pool for one message only (idle connections then hold no zlib state); a
// message ends with a sync flush, whose output always ends in the empty stored block 00 00 ff ff (§7.2.1), even when
// nothing new went in; the inflater appends that block itself (§7.2.2) and caps each message's decoded size.
import * as zlib from 'node:zlib';
import { ZlibEngine, type EngineSpec } from './engine.js';
import type { EnginePool } from './pool.js';
import { checkRange, deflateSpec, tooLarge } from './codecs.js';

/** The empty stored block a sync flush ends with; RFC 7692 strips it from a message and its receiver puts it back. */
export const SYNC_FLUSH_TAIL: Uint8Array = Uint8Array.of(0x00, 0x00, 0xff, 0xff);
/** A whole empty stored block: what a sync flush with nothing new yields (zlib itself emits nothing then). */
const EMPTY_STORED_BLOCK = Uint8Array.of(0x00, 0x00, 0x00, 0xff, 0xff);

const PIECE_BYTES = 16 * 1024;

/** One connection direction's engine: its own (kept across messages), or borrowed from a pool for one message. */
class Lease {
  private engine: ZlibEngine | null;

  constructor(private readonly spec: EngineSpec, private readonly pool: EnginePool | null) {
    this.engine = pool === null ? new ZlibEngine(spec) : null;
  }

  /** The engine, borrowed now if needed. */
  get(): ZlibEngine {
    return (this.engine ??= this.pool!.acquire(this.spec));
  }

  /** Back to a fresh stream: a pooled engine goes back (reset there); a failed one is replaced. */
  reset(): void {
    const e = this.engine;
    if (e === null) return;
    if (this.pool !== null) {
      this.engine = null;
      this.pool.release(e, !e.failed);
    } else if (e.failed) {
      e.close();
      this.engine = new ZlibEngine(this.spec);
    } else e.reset();
  }

  /** Frees or returns the engine for good. */
  close(): void {
    const e = this.engine;
    this.engine = null;
    if (e === null) return;
    if (this.pool !== null) this.pool.release(e, !e.failed);
    else e.close();
  }
}

/** Deflater options (RFC 7692 §7.1 parameters map to windowBits and noContextTakeover). */
export interface DeflaterOptions {
  /** 0-9. Default 6. */
  readonly level?: number;
  /** 8-15 (`*_max_window_bits`): zlib compresses with 9 when asked for 8. Default 15. */
  readonly windowBits?: number;
  /** 1-9. Default 8 (ws and uWS use lower values to save memory per connection). */
  readonly memLevel?: number;
  /** Forget the history after each message (`*_no_context_takeover`). Default false. */
  readonly noContextTakeover?: boolean;
  /** With noContextTakeover: borrow an engine per message from this pool (createEnginePool) instead of owning one. */
  readonly pool?: EnginePool;
}

/** The pool a Deflater or Inflater borrows from: only without context takeover (with it, history must persist). */
function poolOf(options: { noContextTakeover?: boolean; pool?: EnginePool }): EnginePool | null {
  return options.noContextTakeover === true ? options.pool ?? null : null;
}

/**
 * A raw deflate compressor for one direction of one connection, used synchronously, a message at a time.
 * `deflateMessage(m)` returns bytes ending in 00 00 ff ff; a permessage-deflate sender drops those 4 bytes.
 */
export class Deflater {
  private readonly engine: Lease;
  private readonly resetAfterMessage: boolean;
  /** Input went in since the last flush. */
  private dirty = false;

  constructor(options: DeflaterOptions = {}) {
    this.engine = new Lease(deflateSpec({ ...options, raw: true }), poolOf(options));
    this.resetAfterMessage = options.noContextTakeover === true;
  }

  /** Compresses part of a message without flushing: the output so far (often empty; zlib holds the rest). */
  write(data: Uint8Array): Buffer {
    if (data.byteLength === 0) return Buffer.alloc(0);
    this.dirty = true;
    return this.engine.get().writeAll(zlib.constants.Z_NO_FLUSH, data, PIECE_BYTES);
  }

  /** Ends a message: everything written is emitted, decodable, ending in 00 00 ff ff (then resets if no takeover). */
  flush(): Buffer {
    return this.endMessage(Buffer.alloc(0));
  }

  /** write(message) + flush() in one zlib call: the whole compressed message, ending in 00 00 ff ff. */
  deflateMessage(message: Uint8Array): Buffer {
    return this.endMessage(message);
  }

  /** Forgets the history: the next message is compressed as if it were the first (no_context_takeover). */
  reset(): void {
    this.engine.reset();
    this.dirty = false;
  }

  /** Frees the zlib state; the deflater is unusable afterwards. */
  close(): void {
    this.engine.close();
  }

  private endMessage(data: Uint8Array): Buffer {
    let out: Buffer;
    if (data.byteLength === 0 && !this.dirty) {
      // zlib emits nothing for a second sync flush in a row; an explicit empty stored block keeps the framing.
      out = Buffer.from(EMPTY_STORED_BLOCK);
    } else {
      out = this.engine.get().writeAll(zlib.constants.Z_SYNC_FLUSH, data, Math.max(64, data.byteLength + (data.byteLength >>> 3) + 64));
    }
    this.dirty = false;
    if (this.resetAfterMessage) this.engine.reset();
    return out;
  }
}

/** Inflater options. */
export interface InflaterOptions {
  /** 8-15: the largest window the peer may use (`*_max_window_bits`); 8 is read as 9, as zlib compresses. Default 15. */
  readonly windowBits?: number;
  /** Fail with ConduitError 'TOO_LARGE' once a message decodes to more than this many bytes. Default: none. */
  readonly maxBytes?: number;
  /** Forget the history after each message (the peer's `*_no_context_takeover`). Default false. */
  readonly noContextTakeover?: boolean;
  /** With noContextTakeover: borrow an engine per message from this pool (createEnginePool) instead of owning one. */
  readonly pool?: EnginePool;
}

/**
 * A raw deflate decompressor for one direction of one connection, used synchronously, a message at a time.
 * Feed a message's payload (one or more frames) with write(), then endMessage(); or inflateMessage(payload).
 * A corrupt payload throws ZlibError, past maxBytes ConduitError 'TOO_LARGE'; either is rethrown until reset().
 */
export class Inflater {
  private readonly engine: Lease;
  private readonly maxBytes: number;
  private readonly resetAfterMessage: boolean;
  /** Bytes this message has decoded to so far. */
  private total = 0;
  /** The peer ended its deflate stream with a final block: the next message starts a new one. */
  private streamEnded = false;
  /** A failed write (corrupt data, too large): rethrown until reset(). */
  private failure: unknown = null;

  constructor(options: InflaterOptions = {}) {
    const windowBits = checkRange('windowBits', options.windowBits ?? 15, 8, 15);
    this.engine = new Lease({ kind: 'inflate-raw', windowBits }, poolOf(options));
    this.maxBytes = options.maxBytes ?? Infinity;
    this.resetAfterMessage = options.noContextTakeover === true;
  }

  /** Decompresses part of a message's payload: the bytes decoded so far. */
  write(payload: Uint8Array): Buffer {
    return this.run(payload);
  }

  /** Ends a message: appends 00 00 ff ff (RFC 7692 §7.2.2), returns the last decoded bytes, resets if no takeover. */
  endMessage(): Buffer {
    const out = this.run(SYNC_FLUSH_TAIL);
    this.total = 0;
    if (this.resetAfterMessage || this.streamEnded) this.reset();
    return out;
  }

  /** A whole message: write(payload) then endMessage(), joined. */
  inflateMessage(payload: Uint8Array): Buffer {
    const head = this.write(payload);
    const tail = this.endMessage();
    return head.byteLength === 0 ? tail : tail.byteLength === 0 ? head : Buffer.concat([head, tail]);
  }

  /** Forgets the history and the current message, and clears a failure (a corrupted engine is replaced). */
  reset(): void {
    this.engine.reset();
    this.total = 0;
    this.streamEnded = false;
    this.failure = null;
  }

  /** Frees the zlib state; the inflater is unusable afterwards. */
  close(): void {
    this.engine.close();
  }

  private run(input: Uint8Array): Buffer {
    if (this.failure !== null) throw this.failure;
    // After a final block (BFINAL) the peer's stream is over: the rest of this message (the appended tail) is not data.
    if (input.byteLength === 0 || this.streamEnded) return Buffer.alloc(0);
    const left = this.maxBytes - this.total;
    let out: Buffer;
    try {
      out = this.engine.get().writeAll(zlib.constants.Z_SYNC_FLUSH, input, PIECE_BYTES, left, () => tooLarge(this.maxBytes));
    } catch (e) {
      this.failure = e;
      throw e;
    }
    this.streamEnded = this.engine.get().availIn !== 0;
    this.total += out.byteLength;
    return out;
  }
}
