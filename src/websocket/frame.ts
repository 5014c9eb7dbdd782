// WebSocket frame headers (RFC 6455 §5.2): a pure parser over buf[start, end) that reports "need more" or the first
// rule a header breaks as soon as the bytes that break it are in, and the header writer for outgoing frames.

/** Opcodes (RFC 6455 §5.2, §11.8). */
export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** RFC 6455 §5.5: a control frame's payload is at most 125 bytes. */
export const MAX_CONTROL_PAYLOAD = 125;
/** The longest header: 2 bytes, a 64-bit length and a 4-byte mask. */
export const MAX_HEADER_LENGTH = 14;

/** A parsed frame header; the parser fills one in place, so reading a frame allocates nothing. */
export class FrameHeader {
  /** FIN: the last frame of its message. */
  fin = false;
  /** RSV1 on the first frame of a message: permessage-deflate compressed (RFC 7692 §6). */
  compressed = false;
  opcode = 0;
  /** The masking key as a big-endian u32 of the four wire bytes (0 when unmasked). */
  mask = 0;
  masked = false;
  payloadLength = 0;
  /** Bytes the header took on the wire (2 to 14). */
  headerLength = 0;
}

/** What the receiving side requires of every frame. */
export interface FrameRules {
  /** RFC 6455 §5.1: frames from a client are masked, frames from a server are not. */
  readonly masked: boolean;
  /** RSV1 may be set (permessage-deflate was negotiated). */
  readonly compression: boolean;
}

/** Why a header is refused. Each is a protocol error (1002) except LENGTH_OVERFLOW (1009). */
export type FrameError =
  | 'RESERVED_BITS'
  | 'RESERVED_OPCODE'
  | 'CONTROL_FRAGMENTED'
  | 'CONTROL_TOO_LONG'
  | 'UNMASKED_FRAME'
  | 'MASKED_FRAME'
  | 'BAD_LENGTH'
  | 'LENGTH_OVERFLOW';

/** The parser's answer: more bytes are needed, `out` holds a header, or the rule the header breaks. */
export type FrameParse = 'need-more' | 'header' | FrameError;

/** 2^53 / 2^32: a 64-bit length whose high word reaches this does not fit a JS number exactly. */
const HIGH_WORD_LIMIT = 0x200000;

/**
 * Parses the frame header at buf[start]; bytes past it are not read. Errors are final as soon as the bytes that
 * cause them are in, so a header trickling in fails at the same byte whatever the split.
 */
export function parseFrameHeader(buf: Uint8Array, start: number, end: number, out: FrameHeader, rules: FrameRules): FrameParse {
  const avail = end - start;
  if (avail < 1) return 'need-more';
  const b0 = buf[start]!;
  // RFC 6455 §5.2: RSV2 and RSV3 must be 0 (no extension we negotiate defines them).
  if ((b0 & 0x30) !== 0) return 'RESERVED_BITS';
  const opcode = b0 & 0x0f;
  if ((opcode > OP_BINARY && opcode < OP_CLOSE) || opcode > OP_PONG) return 'RESERVED_OPCODE';
  const control = opcode >= OP_CLOSE;
  // RFC 7692 §6.1: RSV1 only with permessage-deflate, and only on the first frame of a data message.
  const rsv1 = (b0 & 0x40) !== 0;
  if (rsv1 && (!rules.compression || control || opcode === OP_CONTINUATION)) return 'RESERVED_BITS';
  const fin = (b0 & 0x80) !== 0;
  // RFC 6455 §5.5: control frames are never fragmented and carry at most 125 bytes.
  if (control && !fin) return 'CONTROL_FRAGMENTED';
  if (avail < 2) return 'need-more';
  const b1 = buf[start + 1]!;
  const masked = (b1 & 0x80) !== 0;
  if (masked !== rules.masked) return masked ? 'MASKED_FRAME' : 'UNMASKED_FRAME';
  const len7 = b1 & 0x7f;
  if (control && len7 > MAX_CONTROL_PAYLOAD) return 'CONTROL_TOO_LONG';
  const lengthBytes = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
  if (lengthBytes === 8 && avail > 2) {
    // RFC 6455 §5.2: the most significant bit of a 64-bit length must be 0.
    if ((buf[start + 2]! & 0x80) !== 0) return 'BAD_LENGTH';
    if (avail >= 6 && readU32(buf, start + 2) >= HIGH_WORD_LIMIT) return 'LENGTH_OVERFLOW';
  }
  const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
  if (avail < headerLength) return 'need-more';
  let length = len7;
  if (lengthBytes === 2) length = (buf[start + 2]! << 8) | buf[start + 3]!;
  else if (lengthBytes === 8) length = readU32(buf, start + 2) * 0x100000000 + readU32(buf, start + 6);
  out.fin = fin;
  out.compressed = rsv1;
  out.opcode = opcode;
  out.masked = masked;
  out.mask = masked ? readU32(buf, start + headerLength - 4) : 0;
  out.payloadLength = length;
  out.headerLength = headerLength;
  return 'header';
}

function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** The header length of a frame carrying `length` payload bytes (RFC 6455 §5.2: the shortest length encoding). */
export function frameHeaderLength(length: number, masked = false): number {
  return (length < 126 ? 2 : length <= 0xffff ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes a frame header at buf[at] and returns its length. `mask` (a big-endian u32) is written only when
 * `masked` (clients mask, servers never do); the payload itself is the caller's.
 */
export function writeFrameHeader(
  buf: Uint8Array, at: number, opcode: number, fin: boolean, compressed: boolean, length: number,
  masked = false, mask = 0,
): number {
  buf[at] = (fin ? 0x80 : 0) | (compressed ? 0x40 : 0) | opcode;
  const maskBit = masked ? 0x80 : 0;
  let i = at + 2;
  if (length < 126) buf[at + 1] = maskBit | length;
  else if (length <= 0xffff) {
    buf[at + 1] = maskBit | 126;
    buf[at + 2] = length >>> 8;
    buf[at + 3] = length & 0xff;
    i = at + 4;
  } else {
    buf[at + 1] = maskBit | 127;
    writeU32(buf, at + 2, Math.floor(length / 0x100000000));
    writeU32(buf, at + 6, length >>> 0);
    i = at + 10;
  }
  if (masked) {
    writeU32(buf, i, mask);
    i += 4;
  }
  return i - at;
}

function writeU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = (v >>> 16) & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = v & 0xff;
}
