// Frames the server sends: payload encoding and the header in front of it, and a message prepared once for many
// sockets (pub/sub: framed, and compressed, once for all subscribers, as uWS's PreparedMessage).
import { noteOutgoing } from './frame-pool.js';
import { frameHeaderLength, OP_BINARY, OP_TEXT, writeFrameHeader } from './frame.js';
import { compressMessage, type DeflateTuning } from './permessage-deflate.js';

/** What an app may send: text, or bytes (any view of an ArrayBuffer, or the buffer itself). */
export type MessageData = string | ArrayBufferView | ArrayBuffer;

/**
 * Up to this payload size the header and payload go out as one buffer (from Node's pool); above it, as two: a
 * copy into a fresh large buffer costs more than the second write (bench/ws-codec.ts: 64 KiB sends).
 */
const ONE_BUFFER_MAX = 4 * 1024;

/** A frame ready to write: one buffer, or the header and then the payload. */
export type EncodedFrame = readonly [Uint8Array] | readonly [Uint8Array, Uint8Array];

/** The payload bytes of a message, and its opcode (text for strings). */
export function bytesOf(data: MessageData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError(`a WebSocket message is a string, an ArrayBuffer or a view of one, not ${typeof data}`);
}

/** The opcode a message goes out with: text for strings, binary for bytes. */
export function opcodeOf(data: MessageData): number {
  return typeof data === 'string' ? OP_TEXT : OP_BINARY;
}

/** One unfragmented server frame (unmasked, RFC 6455 §5.1) carrying `payload`. */
export function encodeFrame(opcode: number, payload: Uint8Array, compressed: boolean): EncodedFrame {
  const length = payload.length;
  const headerLength = frameHeaderLength(length);
  if (length > ONE_BUFFER_MAX) {
    const header = Buffer.allocUnsafe(headerLength);
    writeFrameHeader(header, 0, opcode, true, compressed, length);
    return [header, payload];
  }
  const frame = Buffer.allocUnsafe(headerLength + length);
  writeFrameHeader(frame, 0, opcode, true, compressed, length);
  frame.set(payload, headerLength);
  return [frame];
}

/** A text frame straight from a string of `length` UTF-8 bytes, written into the frame buffer (no intermediate copy). */
export function encodeTextFrame(text: string, length: number): EncodedFrame {
  const headerLength = frameHeaderLength(length);
  const frame = Buffer.allocUnsafe(headerLength + length);
  writeFrameHeader(frame, 0, OP_TEXT, true, false, length);
  frame.write(text, headerLength, 'utf8');
  return [frame];
}

/** A message published to many sockets: its frames are built at most once per form (plain, or per window size). */
export class PreparedMessage {
  readonly opcode: number;
  readonly payload: Uint8Array;
  private plain: EncodedFrame | null = null;
  private compressed: Map<number, EncodedFrame> | null = null;

  constructor(data: MessageData, readonly compress: boolean) {
    this.opcode = opcodeOf(data);
    this.payload = bytesOf(data);
    noteOutgoing(this.payload, null);
  }

  /** The uncompressed frame. */
  plainFrame(): EncodedFrame {
    return (this.plain ??= encodeFrame(this.opcode, this.payload, false));
  }

  /** The frame compressed with no context and a window of `windowBits` (shared by every socket that fits). */
  compressedFrame(windowBits: number, tuning: DeflateTuning): EncodedFrame {
    this.compressed ??= new Map();
    let frame = this.compressed.get(windowBits);
    if (frame === undefined) {
      const data = compressMessage(this.payload, { kind: 'deflate', windowBits, level: tuning.level, memLevel: tuning.memLevel });
      frame = encodeFrame(this.opcode, data, true);
      this.compressed.set(windowBits, frame);
    }
    return frame;
  }
}
