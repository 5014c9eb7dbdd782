// Client-side wire helpers for tests: masked frames as a client sends them, and the server's output parsed back
// into frames (with the same parser the server uses, told that server frames are unmasked).
import { constants, createDeflateRaw, inflateRawSync } from 'node:zlib';
import { FrameHeader, parseFrameHeader, writeFrameHeader, frameHeaderLength } from '../../../src/websocket/frame.js';

/** How a test frame is built. */
export interface FrameSpec {
  fin?: boolean;
  rsv1?: boolean;
  /** Raw first-byte bits to OR in (RSV2/RSV3 tests). */
  extraBits?: number;
  /** false: send unmasked (a protocol error from a client). */
  masked?: boolean;
  mask?: number;
}

/** One client frame: header, mask and masked payload. */
export function clientFrame(opcode: number, payload: Uint8Array | string, spec: FrameSpec = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const masked = spec.masked ?? true;
  const mask = spec.mask ?? 0x37fa213d;
  const out = Buffer.alloc(frameHeaderLength(data.length, masked) + data.length);
  const h = writeFrameHeader(out, 0, opcode, spec.fin ?? true, spec.rsv1 ?? false, data.length, masked, mask);
  out[0] |= spec.extraBits ?? 0;
  for (let i = 0; i < data.length; i++) out[h + i] = data[i]! ^ (masked ? (mask >>> (24 - 8 * (i & 3))) & 0xff : 0);
  return out;
}

/** A close frame's payload: the code and a reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

/** A frame the server sent. */
export interface ServerFrame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

/** Splits the server's output into frames (throws if a frame is cut off or invalid). */
export function serverFrames(output: Uint8Array): ServerFrame[] {
  const frames: ServerFrame[] = [];
  const h = new FrameHeader();
  let at = 0;
  while (at < output.length) {
    const r = parseFrameHeader(output, at, output.length, h, { masked: false, compression: true });
    if (r !== 'header') throw new Error(`server output at ${at}: ${r}`);
    const start = at + h.headerLength;
    if (start + h.payloadLength > output.length) throw new Error('server output ends inside a frame');
    frames.push({ fin: h.fin, rsv1: h.compressed, opcode: h.opcode, payload: Buffer.from(output.subarray(start, start + h.payloadLength)) });
    at = start + h.payloadLength;
  }
  return frames;
}

/** A compressed server message's payload, inflated (RFC 7692 §7.2.2: the 00 00 ff ff tail goes back on). */
export function inflateMessage(payload: Uint8Array): Buffer {
  return inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH });
}

/** A close frame's code and reason. */
export function readClose(payload: Buffer): { code: number; reason: string } | null {
  if (payload.length === 0) return null;
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}

/** A client's compressor with context takeover: each message sync-flushed, its tail stripped (RFC 7692 §7.2.1). */
export function clientDeflater(windowBits = 15): { message(data: Uint8Array | string): Promise<Buffer>; close(): void } {
  const stream = createDeflateRaw({ windowBits });
  return {
    message: (data) => new Promise((resolve) => {
      const out: Buffer[] = [];
      const onData = (c: Buffer): number => out.push(c);
      stream.on('data', onData);
      stream.write(data);
      stream.flush(constants.Z_SYNC_FLUSH, () => {
        stream.off('data', onData);
        resolve(Buffer.concat(out).subarray(0, -4));
      });
    }),
    close: () => stream.close(),
  };
}
