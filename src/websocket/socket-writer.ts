// The sending side of one socket: messages to frames (compressed when asked and worth it), Bun's send results
// (bytes, -1 under backpressure, 0 dropped), maxBackpressure, and one drain wait at a time. Key decision: functions
// over the session's own fields (WriterHost), not an object per socket (memory per idle WebSocket).
import type { DeflateParams } from './extensions.js';
import { noteOutgoing } from './frame-pool.js';
import { MAX_CONTROL_PAYLOAD, type OP_PING, type OP_PONG } from './frame.js';
import type { UpgradedIO } from '../server/index.js';
import type { Settings } from './options.js';
import { bytesOf, encodeFrame, encodeTextFrame, opcodeOf, type EncodedFrame, type MessageData, type PreparedMessage } from './outgoing.js';
import { MessageCompressor } from './permessage-deflate.js';

const EMPTY = new Uint8Array(0);

/** An error an app gets for a ping or pong payload over 125 bytes (RFC 6455 §5.5). */
export class ControlPayloadError extends RangeError {
  /** Always 'ERR_WS_CONTROL_PAYLOAD'. */
  readonly code = 'ERR_WS_CONTROL_PAYLOAD';
}

/** The socket a writer function writes for (session.ts implements it). */
export interface WriterHost {
  readonly io: UpgradedIO;
  readonly settings: Settings;
  /** The negotiated permessage-deflate, or null. */
  readonly deflate: DeflateParams | null;
  /** The socket's own compressor (context takeover), made at its first compressed message. */
  compressor: MessageCompressor | null;
  /** Whether a drain wait is under way. */
  draining: boolean;
  /** Whether messages may still be sent (open, no close frame sent yet). */
  readonly sending: boolean;
  /** Over maxBackpressure with closeOnBackpressureLimit: end the socket now. */
  terminate(reason: string): void;
  /** The backlog went to the kernel after a -1 or 0: time for the drain hook. */
  drained(): void;
}

/** Sends one message; bytes sent, -1 when it is queued behind backpressure, 0 when dropped or closing (Bun). */
export function sendMessage(h: WriterHost, data: MessageData, compress: boolean): number {
  if (!h.sending) return 0;
  if (overLimit(h)) return drop(h);
  if (typeof data === 'string' && !compress) {
    const length = Buffer.byteLength(data, 'utf8');
    return sent(h, encodeTextFrame(data, length), length);
  }
  const bytes = bytesOf(data);
  noteOutgoing(bytes, h);
  const opcode = opcodeOf(data);
  if (compress && worthCompressing(h, bytes.length)) {
    return sent(h, encodeFrame(opcode, compressorOf(h).compress(bytes), true), bytes.length);
  }
  return sent(h, encodeFrame(opcode, bytes, false), bytes.length);
}

/** Sends a published message, framed once for every subscriber that shares its form. */
export function deliverMessage(h: WriterHost, m: PreparedMessage): number {
  if (!h.sending) return 0;
  if (overLimit(h)) return drop(h);
  const length = m.payload.length;
  if (m.compress && worthCompressing(h, length)) {
    const d = h.deflate!;
    // A socket with context takeover must compress with its own stream: its peer's window follows that stream.
    const frame = d.serverContextTakeover
      ? encodeFrame(m.opcode, compressorOf(h).compress(m.payload), true)
      : m.compressedFrame(d.serverWindowBits, h.settings.deflate!.tuning);
    return sent(h, frame, length);
  }
  return sent(h, m.plainFrame(), length);
}

/** An app's ping or pong with up to 125 bytes of data; the result follows send(). */
export function sendControl(h: WriterHost, opcode: typeof OP_PING | typeof OP_PONG, data: MessageData | undefined): number {
  const bytes = data === undefined ? EMPTY : bytesOf(data);
  noteOutgoing(bytes, h);
  if (bytes.length > MAX_CONTROL_PAYLOAD) throw new ControlPayloadError(`a ping or pong carries at most 125 bytes, not ${bytes.length}`);
  if (!h.sending) return 0;
  return sent(h, encodeFrame(opcode, bytes, false), bytes.length);
}

/** Writes a frame whatever the backpressure (protocol frames: pongs, pings, close). */
export function writeFrame(io: UpgradedIO, frame: EncodedFrame): void {
  if (frame.length === 2) io.writePair(frame[0], frame[1]);
  else io.write(frame[0]);
}

/** Frees the socket's own compressor. */
export function closeWriter(h: WriterHost): void {
  h.compressor?.close();
  h.compressor = null;
}

/**
 * Compression was negotiated, zlib can produce it (a negotiated window of 8 cannot be: that socket's messages go out
 * uncompressed), the settings compress, and it pays for a message of `length` bytes (RFC 7692: never an empty one).
 */
function worthCompressing(h: WriterHost, length: number): boolean {
  const d = h.deflate;
  const config = h.settings.deflate;
  return d !== null && config !== null && config.compress !== false && d.serverWindowBits >= 9 && length > 0 && length >= config.threshold;
}

function compressorOf(h: WriterHost): MessageCompressor {
  const d = h.deflate!;
  return (h.compressor ??= new MessageCompressor(d.serverWindowBits, d.serverContextTakeover, h.settings.deflate!.tuning));
}

function overLimit(h: WriterHost): boolean {
  const limit = h.settings.maxBackpressure;
  return limit > 0 && h.io.bufferedAmount > limit;
}

function drop(h: WriterHost): number {
  if (h.settings.closeOnBackpressureLimit) h.terminate('backpressure limit');
  else awaitDrain(h);
  return 0;
}

function sent(h: WriterHost, frame: EncodedFrame, length: number): number {
  const io = h.io;
  if (frame.length === 2) io.writePair(frame[0], frame[1]);
  else io.write(frame[0]);
  if (io.bufferedAmount === 0) return length;
  awaitDrain(h);
  return -1;
}

/** Tells the host once the backlog has gone to the kernel (one wait at a time). */
function awaitDrain(h: WriterHost): void {
  if (h.draining) return;
  const drained = h.io.whenDrained();
  if (drained === null) return;
  h.draining = true;
  void drained.then(() => {
    h.draining = false;
    h.drained();
  });
}
