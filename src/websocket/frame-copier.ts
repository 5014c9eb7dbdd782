// How a WebSocket copies received bytes out of the engine's receive buffer (a ReceiveCopier). Key decision: a large
// frame whose header is all there is copied once, into one buffer of the length the header announces, and queued
// when complete: the receiver then reads the message as a view, never joining 64 KiB chunks with Buffer.concat.
// Its payload is unmasked in the same pass (the copy's masking key is then 0, which the receiver skips), so a large
// message is read once on its way in. Everything else (small frames, a header split across receives, a frame over
// the limit) goes out in plain chunks, still masked. A copier between frames holds nothing a socket needs, so idle
// sockets hold none: they borrow the spare one for each receive (takeCopier / keepCopier).
import { pushCopies, type ChunkSink, type ReceiveCopier } from '../server/index.js';
import { allocFrame } from './frame-pool.js';
import { MAX_HEADER_LENGTH } from './frame.js';
import { copyUnmask } from './mask.js';

/** Frames from this total size on get a buffer of their own (smaller ones rarely span chunks; one copy covers many). */
export const OWN_FRAME_MIN = 4 * 1024;

/**
 * The total length (header and payload) of the frame whose header starts at buf[at], or -1 when buf[at, end) does
 * not hold the whole length field yet (RFC 6455 §5.2). Nothing else is checked here: the receiver validates.
 */
export function frameLengthAt(buf: Uint8Array, at: number, end: number): number {
  if (end - at < 2) return -1;
  const b1 = buf[at + 1]!;
  const size = b1 & 0x7f;
  const maskBytes = b1 & 0x80 ? 4 : 0;
  if (size < 126) return 2 + maskBytes + size;
  if (size === 126) return end - at < 4 ? -1 : 4 + maskBytes + ((buf[at + 2]! << 8) | buf[at + 3]!);
  if (end - at < 10) return -1;
  const high = ((buf[at + 2]! << 24) | (buf[at + 3]! << 16) | (buf[at + 4]! << 8) | buf[at + 5]!) >>> 0;
  const low = ((buf[at + 6]! << 24) | (buf[at + 7]! << 16) | (buf[at + 8]! << 8) | buf[at + 9]!) >>> 0;
  return 10 + maskBytes + high * 0x1_0000_0000 + low;
}

/** Copies one socket's received bytes into chunks that hold each large frame whole. */
export class FrameCopier implements ReceiveCopier {
  /** The large frame being filled (queued once full), or null. */
  private frame: Buffer | null = null;
  private filled = 0;
  /** Whether the frame's payload is being unmasked as it is copied, with this key from key byte maskOffset on. */
  private unmasking = false;
  private mask = 0;
  private maskOffset = 0;
  /** Bytes of the current small (or oversized) frame still to pass through in plain chunks. */
  private passLeft = 0;
  /** The start of a header cut off at the end of a receive (made when first needed), and how much of it there is. */
  private head: Uint8Array | null = null;
  private headLength = 0;

  /**
   * `maxFrame`: the largest frame, header included, held back until whole (maxPayloadLength): the receiver must see
   * the header of a bigger one at once, to answer 1009 before its payload has arrived.
   */
  constructor(private maxFrame: number) {}

  /** Whether nothing is held: no frame filling, passing through or cut off in its header. */
  get atRest(): boolean {
    return this.frame === null && this.passLeft === 0 && this.headLength === 0;
  }

  /** Sets the socket's limit; a copier taken from the spare gets it each time. */
  configure(maxFrame: number): this {
    this.maxFrame = maxFrame;
    return this;
  }

  copy(src: Buffer, at: number, end: number, sink: ChunkSink): void {
    let run = at;
    while (at < end) {
      const frame = this.frame;
      if (frame !== null) {
        const n = Math.min(end - at, frame.length - this.filled);
        if (this.unmasking) {
          copyUnmask(src, at, at + n, frame, this.filled, this.mask, this.maskOffset);
          this.maskOffset = (this.maskOffset + n) & 3;
        } else src.copy(frame, this.filled, at, at + n);
        this.filled += n;
        at += n;
        run = at;
        if (this.filled === frame.length) {
          this.frame = null;
          sink.pushData(frame);
        }
      } else if (this.passLeft > 0) {
        const n = Math.min(end - at, this.passLeft);
        this.passLeft -= n;
        at += n;
      } else if (this.headLength > 0) {
        at = this.completeHead(src, at, end);
      } else {
        const length = frameLengthAt(src, at, end);
        if (length < 0) {
          this.keepHead(src, at, end);
          at = end;
        } else if (length >= OWN_FRAME_MIN && length <= this.maxFrame) {
          pushCopies(src, run, at, sink);
          this.frame = allocFrame(length);
          this.filled = 0;
          at = run = this.startUnmasking(src, at, end);
        } else this.passLeft = length;
      }
    }
    pushCopies(src, run, end, sink);
  }

  /**
   * The large frame just begun at src[at]: when its whole header, masking key included, is in this receive, the
   * header goes into the frame with a key of 0 (RFC 6455 §5.3: XOR with 0 leaves the payload as it is) and the
   * payload will be unmasked while copied. Returns where copying continues. An unmasked frame, or a header whose key
   * is cut off, is copied as it came (the receiver unmasks, or refuses it).
   */
  private startUnmasking(src: Buffer, at: number, end: number): number {
    this.unmasking = false;
    const b1 = src[at + 1]!;
    if ((b1 & 0x80) === 0) return at;
    const size = b1 & 0x7f;
    const header = (size === 126 ? 4 : size === 127 ? 10 : 2) + 4;
    if (end - at < header) return at;
    const frame = this.frame!;
    // At most 14 bytes: a loop, not Buffer#copy and #fill (a native call each, per large message).
    const keyAt = header - 4;
    for (let i = 0; i < keyAt; i++) frame[i] = src[at + i]!;
    frame[keyAt] = frame[keyAt + 1] = frame[keyAt + 2] = frame[keyAt + 3] = 0;
    this.mask = src.readUInt32BE(at + keyAt);
    this.maskOffset = 0;
    this.unmasking = true;
    this.filled = header;
    return at + header;
  }

  /** A header begins at src[at] but its length field is cut off: keep its start (it still passes through). */
  private keepHead(src: Buffer, at: number, end: number): void {
    const head = (this.head ??= new Uint8Array(MAX_HEADER_LENGTH));
    head.set(src.subarray(at, end), 0);
    this.headLength = end - at;
  }

  /** Adds the next bytes to a cut-off header; once its length is known, the rest of that frame passes through. */
  private completeHead(src: Buffer, at: number, end: number): number {
    const head = this.head!;
    const before = this.headLength;
    const take = Math.min(MAX_HEADER_LENGTH - before, end - at);
    head.set(src.subarray(at, at + take), before);
    const length = frameLengthAt(head, 0, before + take);
    if (length < 0) {
      this.headLength = before + take;
      return at + take;
    }
    this.headLength = 0;
    // The bytes kept before were already passed through as part of the previous receive's plain chunk.
    this.passLeft = length - before;
    return at;
  }
}

/** The spare copier: at rest (one for all the sockets whose last receive ended on a frame boundary). */
let spare: FrameCopier | null = null;

/** A copier for a socket that holds none: the spare, or a new one while the spare is lent. */
export function takeCopier(maxFrame: number): FrameCopier {
  const c = spare ?? new FrameCopier(maxFrame);
  spare = null;
  return c.configure(maxFrame);
}

/** What a socket keeps after a receive: null when `c` is at rest (it becomes the spare), else `c`. */
export function keepCopier(c: FrameCopier): FrameCopier | null {
  if (!c.atRest) return c;
  spare = c;
  return null;
}
