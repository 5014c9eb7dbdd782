// The receiving state machine (RFC 6455 §5, §6.2): chunks in, whole messages and control frames out. Key decisions:
// payloads are unmasked in place and a message that arrived whole is a view, never a copy; text is checked as it
// arrives, so invalid UTF-8 fails at the first chunk that shows it; limits apply before bytes are held. A receiver
// between messages holds nothing a socket needs, so idle sockets hold none: they borrow the spare one (takeReceiver)
// while reading and keep one only while a frame or message is cut off (memory per idle WebSocket).
import { parseClosePayload, WebSocketError, type CloseFrame } from './close.js';
import {
  FrameHeader, MAX_CONTROL_PAYLOAD, MAX_HEADER_LENGTH, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_TEXT, parseFrameHeader,
  type FrameError, type FrameRules,
} from './frame.js';
import { recycleFrame } from './frame-pool.js';
import { unmask } from './mask.js';
import type { MessageDecompressor } from './permessage-deflate.js';
import { decodeUtf8, Utf8Validator } from './utf8.js';

const EMPTY = Buffer.alloc(0);

/** A ping or pong and its application data (at most 125 bytes). */
export interface PingPong {
  readonly kind: 'ping' | 'pong';
  readonly data: Buffer;
}

/** A close frame received: the peer starts or answers the closing handshake. */
export interface CloseReceived extends CloseFrame {
  readonly kind: 'close';
}

/** What the receiver emits: a text message, a binary message, or a control frame. */
export type Received = string | Buffer | PingPong | CloseReceived;

/** How a receiver reads. */
export interface ReceiverOptions {
  /** The largest message (after decompression), in bytes: 1009 above it. */
  readonly maxPayloadLength: number;
  /** Present when permessage-deflate was negotiated (RSV1 is then allowed on a message's first frame). */
  readonly decompressor: MessageDecompressor | null;
  /** Whether frames arrive masked: true for a server reading a client (the default). */
  readonly masked?: boolean;
}

/**
 * Compressed frames may carry a little more than the limit on the wire (stored blocks of incompressible data cost
 * 5 bytes per 64 KiB): the inflated size is what maxPayloadLength bounds.
 */
function wireLimitOf(max: number): number {
  return max + Math.ceil(max / 256) + 1024;
}

/**
 * The header being read. One for every receiver: a header is parsed and copied into the receiver in one synchronous
 * step, so nothing per socket needs to hold it.
 */
const HEADER = new FrameHeader();

/** The four rule sets, indexed by masked (1) + compression (2). */
const RULES: readonly FrameRules[] = [
  { masked: false, compression: false }, { masked: true, compression: false },
  { masked: false, compression: true }, { masked: true, compression: true },
];

/** Frames in, messages out: feed() a chunk, then next() until it returns null. */
export class Receiver {
  private chunk: Uint8Array = EMPTY;
  private pos = 0;
  /** A view of the chunk went out (a binary message, a fragment): its buffer must not be reused (frame-pool.ts). */
  private viewed = false;
  /** Binary messages are lent, not given (WebSocketHandler.reuseMessageBuffers): see settleLent. */
  private lending = false;
  /** The last message was lent from the chunk, and settleLent has not been called yet. */
  lent = false;
  /** A header cut off at the end of a chunk, completed from the next one (made when first needed). */
  private spill: Uint8Array | null = null;
  private spilled = 0;
  private rules: FrameRules = RULES[1]!;
  private max = 0;
  private wireMax = 0;
  private decompressor: MessageDecompressor | null = null;
  // The frame being read.
  private inPayload = false;
  private remaining = 0;
  private opcode = 0;
  private fin = false;
  private mask = 0;
  private maskOffset = 0;
  // The data message being assembled (opcode 0: none).
  private messageOpcode = 0;
  private compressed = false;
  private parts: Uint8Array[] = [];
  private total = 0;
  private wire = 0;
  /** A message that arrived whole in one chunk: chunk[wholeStart, wholeEnd), not copied into parts. */
  private whole: Uint8Array | null = null;
  private wholeStart = 0;
  private wholeEnd = 0;
  // Made when first needed.
  private validator: Utf8Validator | null = null;
  private control: Uint8Array | null = null;
  private controlLength = 0;

  /** Sets the socket's rules (see ReceiverOptions); a receiver taken from the spare gets them each time. */
  configure(maxPayloadLength: number, decompressor: MessageDecompressor | null, masked = true, lending = false): this {
    this.lending = lending;
    this.rules = RULES[(masked ? 1 : 0) + (decompressor !== null ? 2 : 0)]!;
    if (this.max !== maxPayloadLength) {
      this.max = maxPayloadLength;
      this.wireMax = wireLimitOf(maxPayloadLength);
    }
    this.decompressor = decompressor;
    return this;
  }

  /** The next chunk to read (after next() returned null). */
  feed(chunk: Uint8Array): void {
    this.release();
    this.chunk = chunk;
    this.pos = 0;
  }

  /**
   * The app is done with a lent message (its hook returned): `kept` when its bytes may still be referenced (queued to
   * send, handed to other sockets), else the buffer under it may be reused once the chunk is read.
   */
  settleLent(kept: boolean): void {
    this.lent = false;
    if (kept) this.viewed = true;
  }

  /** The chunk is read: its buffer goes back to the frame pool unless a view of it went out. */
  private release(): void {
    if (!this.viewed) recycleFrame(this.chunk);
    this.viewed = false;
  }

  /** Whether nothing is held: the chunk is read, and no header, frame or message is cut off. */
  get atRest(): boolean {
    return this.pos === this.chunk.length && !this.inPayload && this.spilled === 0 && this.messageOpcode === 0;
  }

  /** The next message or control frame from the chunk, or null once it is used up; throws a WebSocketError. */
  next(): Received | null {
    for (;;) {
      if (this.pos === this.chunk.length) return null;
      if (!this.inPayload) {
        if (!this.readHeader()) continue;
        this.startFrame();
        if (this.remaining > 0) continue;
      } else this.readPayload();
      if (this.inPayload) continue;
      const out = this.endFrame();
      if (out !== null) return out;
    }
  }

  /** Forgets the socket (its last chunk, its decompressor) once at rest, to become the spare. */
  clear(): void {
    this.release();
    this.chunk = EMPTY;
    this.pos = 0;
    this.decompressor = null;
  }

  /** Parses the next header into HEADER (through the spill when it spans chunks); false when more bytes are needed. */
  private readHeader(): boolean {
    const chunk = this.chunk;
    if (this.spilled === 0) {
      const r = parseFrameHeader(chunk, this.pos, chunk.length, HEADER, this.rules);
      if (r === 'header') {
        this.pos += HEADER.headerLength;
        return true;
      }
      if (r !== 'need-more') throw new WebSocketError(r);
      (this.spill ??= new Uint8Array(MAX_HEADER_LENGTH)).set(chunk.subarray(this.pos), 0);
      this.spilled = chunk.length - this.pos;
      this.pos = chunk.length;
      return false;
    }
    const spill = this.spill!;
    const before = this.spilled;
    const take = Math.min(MAX_HEADER_LENGTH - before, chunk.length - this.pos);
    spill.set(chunk.subarray(this.pos, this.pos + take), before);
    const r = parseFrameHeader(spill, 0, before + take, HEADER, this.rules);
    if (r === 'need-more') {
      this.spilled = before + take;
      this.pos += take;
      return false;
    }
    if (r !== 'header') throw new WebSocketError(r as FrameError);
    this.spilled = 0;
    this.pos += HEADER.headerLength - before;
    return true;
  }

  private get utf8(): Utf8Validator {
    return (this.validator ??= new Utf8Validator());
  }

  /** Applies the message rules to a new frame (RFC 6455 §5.4) and the size limit before any payload is held. */
  private startFrame(): void {
    const h = HEADER;
    const op = h.opcode;
    this.opcode = op;
    this.fin = h.fin;
    this.mask = h.mask;
    this.maskOffset = 0;
    this.remaining = h.payloadLength;
    this.inPayload = h.payloadLength > 0;
    if (op >= OP_CLOSE) {
      this.controlLength = 0;
      return;
    }
    if (op === OP_CONTINUATION) {
      if (this.messageOpcode === 0) throw new WebSocketError('UNEXPECTED_CONTINUATION');
    } else {
      if (this.messageOpcode !== 0) throw new WebSocketError('EXPECTED_CONTINUATION');
      this.messageOpcode = op;
      this.compressed = h.compressed;
    }
    this.wire += h.payloadLength;
    if (this.wire > (this.compressed ? this.wireMax : this.max)) throw new WebSocketError('MESSAGE_TOO_LARGE');
  }

  /** Takes the payload bytes of the current frame that this chunk holds. */
  private readPayload(): void {
    const chunk = this.chunk;
    const start = this.pos;
    const end = start + Math.min(this.remaining, chunk.length - start);
    // A key of 0 changes nothing: the frame copier already unmasked a large frame and left 0 in its place.
    if (this.rules.masked && this.mask !== 0) unmask(chunk, start, end, this.mask, this.maskOffset);
    this.maskOffset = (this.maskOffset + end - start) & 3;
    this.remaining -= end - start;
    this.pos = end;
    this.inPayload = this.remaining > 0;
    if (this.opcode >= OP_CLOSE) {
      const control = (this.control ??= new Uint8Array(MAX_CONTROL_PAYLOAD));
      for (let i = start; i < end; i++) control[this.controlLength++] = chunk[i]!;
    } else this.takeData(chunk, start, end);
  }

  private takeData(chunk: Uint8Array, start: number, end: number): void {
    const text = this.messageOpcode === OP_TEXT;
    if (this.compressed) {
      const first = this.parts.length;
      this.total += this.decompressor!.push(chunk, start, end, this.parts, this.total, this.max);
      if (text) this.checkParts(first);
      return;
    }
    // The whole message is here: decoding validates it at once, and a binary message is a view of the chunk.
    if (this.fin && !this.inPayload && this.total === 0 && this.parts.length === 0) {
      this.whole = chunk;
      this.wholeStart = start;
      this.wholeEnd = end;
      this.total = end - start;
      return;
    }
    if (text && !this.utf8.push(chunk, start, end)) throw new WebSocketError('INVALID_UTF8');
    this.viewed = true;
    this.parts.push(viewOf(chunk, start, end));
    this.total += end - start;
  }

  /** Validates the decompressed parts from index `from` on, as the next bytes of the text. */
  private checkParts(from: number): void {
    for (let k = from; k < this.parts.length; k++) {
      const part = this.parts[k]!;
      if (!this.utf8.push(part, 0, part.length)) throw new WebSocketError('INVALID_UTF8');
    }
  }

  /** A frame ended: a control frame or a completed message comes out, else null (more fragments follow). */
  private endFrame(): Received | null {
    if (this.opcode >= OP_CLOSE) {
      const data = this.controlLength === 0 ? Buffer.alloc(0) : Buffer.from(this.control!.subarray(0, this.controlLength));
      if (this.opcode === OP_CLOSE) return { kind: 'close', ...parseClosePayload(data) };
      return { kind: this.opcode === OP_PING ? 'ping' : 'pong', data };
    }
    if (!this.fin) return null;
    const text = this.messageOpcode === OP_TEXT;
    if (this.compressed) {
      const first = this.parts.length;
      this.total += this.decompressor!.finish(this.parts, this.total, this.max);
      if (text) this.checkParts(first);
    }
    let message: string | Buffer;
    const whole = this.whole;
    if (whole !== null) {
      const decoded = text ? decodeUtf8(whole, this.wholeStart, this.wholeEnd) : viewOf(whole, this.wholeStart, this.wholeEnd);
      if (decoded === null) throw new WebSocketError('INVALID_UTF8');
      // A string is a copy; a binary message is a view of the chunk, given away or lent.
      if (!text) {
        if (this.lending) this.lent = true;
        else this.viewed = true;
      }
      message = decoded;
      this.whole = null;
    } else {
      const bytes = this.parts.length === 0 ? EMPTY : this.parts.length === 1 ? viewOf(this.parts[0]!, 0, this.parts[0]!.length) : Buffer.concat(this.parts, this.total);
      if (text && !this.utf8.finish()) throw new WebSocketError('INVALID_UTF8');
      message = text ? bytes.toString('utf8') : bytes;
      this.parts = [];
    }
    this.messageOpcode = 0;
    this.total = 0;
    this.wire = 0;
    return message;
  }
}

/** The spare receiver: at rest and configured for no socket (one for all the sockets that are between messages). */
let spare: Receiver | null = null;

/** A receiver for a socket that holds none: the spare, or a new one while the spare is lent (a nested read). */
export function takeReceiver(maxPayloadLength: number, decompressor: MessageDecompressor | null, lending: boolean): Receiver {
  const r = spare ?? new Receiver();
  spare = null;
  return r.configure(maxPayloadLength, decompressor, true, lending);
}

/**
 * What a socket keeps once it has read all that arrived: null when `r` is at rest (it becomes the spare), else `r`
 * (a header, frame or message is cut off and continues with the next bytes).
 */
export function keepReceiver(r: Receiver): Receiver | null {
  if (!r.atRest) return r;
  r.clear();
  spare = r;
  return null;
}

/** A Buffer over chunk[start, end) sharing its memory. */
function viewOf(chunk: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(chunk.buffer, chunk.byteOffset + start, end - start);
}
