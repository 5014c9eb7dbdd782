// permessage-deflate (RFC 7692 §7.2): one message at a time over raw DEFLATE streams. Key decisions: without context
// takeover a stream is borrowed from a process-wide pool for one message (so idle sockets hold no zlib memory); with
// it, the socket owns one, made at its first compressed message. Inflated output is capped as it is produced. The
// streams are the conduit library's ZlibEngine (raw specs), driven with a sync flush.
import * as zlib from 'node:zlib';
import { ZlibEngine, ZlibError } from '../conduit/index.js';
import { WebSocketError } from './close.js';

/** What a raw DEFLATE stream (RFC 1951, no wrapper) does, in RFC 7692's parameters. */
export type RawSpec =
  | { readonly kind: 'deflate'; readonly windowBits: number; readonly level: number; readonly memLevel: number }
  | { readonly kind: 'inflate'; readonly windowBits: number };

/** Z_SYNC_FLUSH: everything so far comes out, byte-aligned, ending in 00 00 ff ff (RFC 7692 §7.2.1). */
const SYNC_FLUSH = zlib.constants.Z_SYNC_FLUSH;

/** RFC 7692 §7.2.1: the empty stored block a sync flush ends with, stripped on send and put back on receive. */
const TAIL = Uint8Array.of(0x00, 0x00, 0xff, 0xff);
/** Output is produced into this much scratch space per zlib call. */
const SCRATCH_BYTES = 64 * 1024;
/** Idle pooled streams kept per spec; more are closed (a deflate stream at window 15 holds ~256 KiB). */
const POOLED_PER_SPEC = 8;

/** zlib's compression settings. */
export interface DeflateTuning {
  /** 0-9 (zlib's Z_DEFAULT_COMPRESSION is 6). */
  readonly level: number;
  /** 1-9: memory for the compressor's internal state, 2^(memLevel+9) bytes. */
  readonly memLevel: number;
}

const idle = new Map<string, ZlibEngine[]>();

/** A new stream for `spec`. */
function open(spec: RawSpec): ZlibEngine {
  return new ZlibEngine(spec.kind === 'deflate'
    ? { kind: 'deflate', raw: true, level: spec.level, windowBits: spec.windowBits, memLevel: spec.memLevel, strategy: zlib.constants.Z_DEFAULT_STRATEGY }
    : { kind: 'inflate-raw', windowBits: spec.windowBits });
}

function keyOf(spec: RawSpec): string {
  return spec.kind === 'deflate' ? `d${spec.windowBits}/${spec.level}/${spec.memLevel}` : `i${spec.windowBits}`;
}

/** A fresh stream for `spec`, reused from the pool when one is idle. */
function borrow(spec: RawSpec): ZlibEngine {
  return idle.get(keyOf(spec))?.pop() ?? open(spec);
}

/** Gives a stream back reset, or closes it (after a failure, or when the pool is full). */
function giveBack(engine: ZlibEngine, spec: RawSpec): void {
  const key = keyOf(spec);
  let list = idle.get(key);
  if (engine.failed || (list !== undefined && list.length >= POOLED_PER_SPEC)) {
    engine.close();
    return;
  }
  engine.reset();
  if (list === undefined) idle.set(key, (list = []));
  list.push(engine);
}

/** How many pooled streams are idle (diagnostics and tests). */
export function idleStreams(): number {
  let n = 0;
  for (const list of idle.values()) n += list.length;
  return n;
}

let scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);

/**
 * Runs input[inOff, inOff+inLen) through `engine` (a sync flush), appending the output to `parts` as owned buffers.
 * Throws MESSAGE_TOO_LARGE as soon as `produced` + the new output would pass `limit`. Returns the bytes appended.
 */
function run(engine: ZlibEngine, input: Uint8Array, inOff: number, inLen: number, parts: Uint8Array[], produced: number, limit: number): number {
  let added = 0;
  for (;;) {
    // One byte more than the limit allows: producing it proves the message too large, without holding more.
    const room = Math.min(SCRATCH_BYTES, limit - produced - added + 1);
    write(engine, input, inOff, inLen, room);
    const n = room - engine.availOut;
    if (produced + added + n > limit) throw new WebSocketError('MESSAGE_TOO_LARGE');
    if (n === SCRATCH_BYTES) {
      parts.push(scratch);
      scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    } else if (n > 0) parts.push(Buffer.from(scratch.subarray(0, n)));
    added += n;
    if (engine.availOut > 0) return added;
    inOff += inLen - engine.availIn;
    inLen = engine.availIn;
  }
}

/** One sync-flush zlib call into the scratch buffer. RFC 7692 §8.2.3.1 leaves corrupt data to the endpoint: it fails
 *  the connection as invalid data (1007). */
function write(engine: ZlibEngine, input: Uint8Array, inOff: number, inLen: number, room: number): void {
  try {
    engine.write(SYNC_FLUSH, input, inOff, inLen, scratch, 0, room);
  } catch (e) {
    if (e instanceof ZlibError) throw new WebSocketError('BAD_COMPRESSED_DATA', `invalid compressed data: ${e.message}`);
    throw e;
  }
}

/** The contiguous bytes of `parts`. */
function join(parts: Uint8Array[], total: number): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** Compresses whole messages for one socket (RFC 7692 §7.2.1). */
export class MessageCompressor {
  private own: ZlibEngine | null = null;
  private readonly spec: RawSpec;

  constructor(windowBits: number, private readonly contextTakeover: boolean, tuning: DeflateTuning) {
    this.spec = { kind: 'deflate', windowBits, level: tuning.level, memLevel: tuning.memLevel };
  }

  /** `payload` as the compressed data of one message, without the 00 00 ff ff tail. */
  compress(payload: Uint8Array): Uint8Array {
    if (!this.contextTakeover) return compressMessage(payload, this.spec);
    this.own ??= open(this.spec);
    return deflate(this.own, payload);
  }

  /** Frees the socket's own stream. */
  close(): void {
    this.own?.close();
    this.own = null;
  }
}

/** One message compressed with a pooled stream and no context (shared by every socket and by pub/sub). */
export function compressMessage(payload: Uint8Array, spec: RawSpec): Uint8Array {
  const engine = borrow(spec);
  try {
    return deflate(engine, payload);
  } finally {
    giveBack(engine, spec);
  }
}

function deflate(engine: ZlibEngine, payload: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const total = run(engine, payload, 0, payload.length, parts, 0, Number.MAX_SAFE_INTEGER);
  const out = join(parts, total);
  // A sync flush always ends in the empty stored block: the wire form leaves it out.
  return out.subarray(0, total - TAIL.length);
}

/** One inflate spec per window size, shared by every socket's decompressor. */
const inflateSpecs = new Map<number, RawSpec>();

function inflateSpec(windowBits: number): RawSpec {
  let spec = inflateSpecs.get(windowBits);
  if (spec === undefined) inflateSpecs.set(windowBits, (spec = Object.freeze({ kind: 'inflate', windowBits })));
  return spec;
}

/** Decompresses the messages of one socket as their frames arrive (RFC 7692 §7.2.2). */
export class MessageDecompressor {
  private engine: ZlibEngine | null = null;
  /** The stream hit its end (a BFINAL block): the client starts a new one with its next message. */
  private ended = false;
  private readonly spec: RawSpec;

  constructor(windowBits: number, private readonly contextTakeover: boolean) {
    this.spec = inflateSpec(windowBits);
  }

  /** Inflates buf[start, end) as more of the current message, appending to `parts`; returns the bytes added. */
  push(buf: Uint8Array, start: number, end: number, parts: Uint8Array[], produced: number, limit: number): number {
    if (this.engine === null) this.engine = this.contextTakeover ? open(this.spec) : borrow(this.spec);
    const added = run(this.engine, buf, start, end - start, parts, produced, limit);
    if (this.engine.availIn > 0) this.ended = true;
    return added;
  }

  /** Ends the current message (the tail goes in) and returns the bytes that added. */
  finish(parts: Uint8Array[], produced: number, limit: number): number {
    const added = this.push(TAIL, 0, TAIL.length, parts, produced, limit);
    if (!this.contextTakeover) {
      giveBack(this.engine!, this.spec);
      this.engine = null;
    } else if (this.ended) this.engine!.reset();
    this.ended = false;
    return added;
  }

  /** Frees the stream (a message cut off by the connection's end included). */
  close(): void {
    if (this.engine === null) return;
    if (this.contextTakeover) this.engine.close();
    else giveBack(this.engine, this.spec);
    this.engine = null;
  }
}
