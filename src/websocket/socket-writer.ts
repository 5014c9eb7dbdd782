// The sending side of one socket: messages to frames (compressed when asked and worth it), Bun's send results
// (bytes, -1 under backpressure, 0 dropped), maxBackpressure, and one drain wait at a time.
import type { DeflateParams } from './extensions.js';
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

/** What the writer asks of the socket it writes for. */
export interface WriterOwner {
  /** Whether messages may still be sent (open, no close frame sent yet). */
  readonly sending: boolean;
  /** Over maxBackpressure with closeOnBackpressureLimit: end the socket now. */
  terminate(reason: string): void;
  /** The backlog went to the kernel after a -1 or 0: time for the drain hook. */
  drained(): void;
}

/** Writes one socket's frames through its UpgradedIO. */
export class SocketWriter {
  private readonly compressor: MessageCompressor | null;
  private draining = false;

  constructor(
    private readonly io: UpgradedIO,
    private readonly settings: Settings,
    private readonly deflate: DeflateParams | null,
    private readonly owner: WriterOwner,
  ) {
    const tuning = settings.deflate?.tuning;
    // A negotiated window of 8 cannot be produced by zlib: that socket's messages go out uncompressed.
    this.compressor = deflate !== null && tuning !== undefined && settings.deflate!.compress !== false && deflate.serverWindowBits >= 9
      ? new MessageCompressor(deflate.serverWindowBits, deflate.serverContextTakeover, tuning) : null;
  }

  /** Sends one message; bytes sent, -1 when it is queued behind backpressure, 0 when dropped or closing (Bun). */
  send(data: MessageData, compress: boolean): number {
    if (!this.owner.sending) return 0;
    if (this.overLimit()) return this.drop();
    if (typeof data === 'string' && !compress) {
      const length = Buffer.byteLength(data, 'utf8');
      return this.sent(encodeTextFrame(data, length), length);
    }
    const bytes = bytesOf(data);
    const opcode = opcodeOf(data);
    if (compress && this.worthCompressing(bytes.length)) {
      return this.sent(encodeFrame(opcode, this.compressor!.compress(bytes), true), bytes.length);
    }
    return this.sent(encodeFrame(opcode, bytes, false), bytes.length);
  }

  /** Sends a published message, framed once for every subscriber that shares its form. */
  deliver(m: PreparedMessage): number {
    if (!this.owner.sending) return 0;
    if (this.overLimit()) return this.drop();
    const d = this.deflate;
    const length = m.payload.length;
    if (m.compress && this.worthCompressing(length)) {
      // A socket with context takeover must compress with its own stream: its peer's window follows that stream.
      const frame = d!.serverContextTakeover
        ? encodeFrame(m.opcode, this.compressor!.compress(m.payload), true)
        : m.compressedFrame(d!.serverWindowBits, this.settings.deflate!.tuning);
      return this.sent(frame, length);
    }
    return this.sent(m.plainFrame(), length);
  }

  /** An app's ping or pong with up to 125 bytes of data; the result follows send(). */
  control(opcode: typeof OP_PING | typeof OP_PONG, data: MessageData | undefined): number {
    const bytes = data === undefined ? EMPTY : bytesOf(data);
    if (bytes.length > MAX_CONTROL_PAYLOAD) throw new ControlPayloadError(`a ping or pong carries at most 125 bytes, not ${bytes.length}`);
    if (!this.owner.sending) return 0;
    return this.sent(encodeFrame(opcode, bytes, false), bytes.length);
  }

  /** Writes a frame whatever the backpressure (protocol frames: pongs, pings, close). */
  writeFrame(frame: EncodedFrame): void {
    if (frame.length === 2) this.io.writePair(frame[0], frame[1]);
    else this.io.write(frame[0]);
  }

  /** Frees the socket's own compressor. */
  close(): void {
    this.compressor?.close();
  }

  /** Compression was negotiated and pays for a message of `length` bytes (RFC 7692: never for an empty one). */
  private worthCompressing(length: number): boolean {
    return this.compressor !== null && length > 0 && length >= this.settings.deflate!.threshold;
  }

  private overLimit(): boolean {
    const limit = this.settings.maxBackpressure;
    return limit > 0 && this.io.bufferedAmount > limit;
  }

  private drop(): number {
    if (this.settings.closeOnBackpressureLimit) this.owner.terminate('backpressure limit');
    else this.awaitDrain();
    return 0;
  }

  private sent(frame: EncodedFrame, length: number): number {
    this.writeFrame(frame);
    if (this.io.bufferedAmount === 0) return length;
    this.awaitDrain();
    return -1;
  }

  /** Tells the owner once the backlog has gone to the kernel (one wait at a time). */
  private awaitDrain(): void {
    if (this.draining) return;
    const drained = this.io.whenDrained();
    if (drained === null) return;
    this.draining = true;
    void drained.then(() => {
      this.draining = false;
      this.owner.drained();
    });
  }
}
