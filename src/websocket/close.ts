// Close codes (RFC 6455 §7.4) and the closed union of reasons a connection fails, each mapped to the code it sends.
// Key decision: like ws and undici, 1012-1014 (registered after the RFC) are valid on the wire; 1004-1006 never are.
import { isUtf8 } from 'node:buffer';
import type { FrameError } from './frame.js';

/** The close codes the server itself sends or reports (RFC 6455 §7.4.1). */
export const CloseCodes = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Reported (never sent) when a close frame carried no code. */
  NO_STATUS: 1005,
  /** Reported (never sent) when the connection ended without a close frame. */
  ABNORMAL: 1006,
  INVALID_DATA: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
} as const);

/** One of CloseCodes' values. */
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];

/** RFC 6455 §5.5.1: a close reason fits in a control frame after the 2-byte code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Whether `code` may appear in a close frame (RFC 6455 §7.4: 1000-1003, 1007-1014 registered, 3000-4999 for apps). */
export function isValidCloseCode(code: number): boolean {
  if (code >= 1000 && code <= 1014) return code < 1004 || code > 1006;
  return code >= 3000 && code <= 4999;
}

/** Why a WebSocket connection failed: a frame header's rule, or a message-level one. */
export type WebSocketErrorCode =
  | FrameError
  | 'UNEXPECTED_CONTINUATION'
  | 'EXPECTED_CONTINUATION'
  | 'BAD_CLOSE_PAYLOAD'
  | 'INVALID_UTF8'
  | 'MESSAGE_TOO_LARGE'
  | 'BAD_COMPRESSED_DATA';

interface ErrorEntry {
  readonly close: CloseCode;
  readonly text: string;
}

/** code -> the close code sent and the reason text (short: it travels in the close frame). */
const ERROR_TABLE: Readonly<Record<WebSocketErrorCode, ErrorEntry>> = {
  RESERVED_BITS: { close: 1002, text: 'reserved bits set' },
  RESERVED_OPCODE: { close: 1002, text: 'reserved opcode' },
  CONTROL_FRAGMENTED: { close: 1002, text: 'fragmented control frame' },
  CONTROL_TOO_LONG: { close: 1002, text: 'control frame over 125 bytes' },
  UNMASKED_FRAME: { close: 1002, text: 'unmasked client frame' },
  MASKED_FRAME: { close: 1002, text: 'masked server frame' },
  BAD_LENGTH: { close: 1002, text: 'payload length with the top bit set' },
  LENGTH_OVERFLOW: { close: 1009, text: 'payload length too large' },
  UNEXPECTED_CONTINUATION: { close: 1002, text: 'continuation without a message' },
  EXPECTED_CONTINUATION: { close: 1002, text: 'new message inside a fragmented one' },
  BAD_CLOSE_PAYLOAD: { close: 1002, text: 'invalid close frame' },
  INVALID_UTF8: { close: 1007, text: 'invalid UTF-8' },
  MESSAGE_TOO_LARGE: { close: 1009, text: 'message too large' },
  BAD_COMPRESSED_DATA: { close: 1007, text: 'invalid compressed data' },
};

/** A peer broke the protocol or a limit; the connection is failed with `closeCode` (RFC 6455 §7.1.7). */
export class WebSocketError extends Error {
  /** Machine-readable reason; match on this, never on the message. */
  readonly code: WebSocketErrorCode;
  /** The close code sent to the peer. */
  readonly closeCode: CloseCode;
  constructor(code: WebSocketErrorCode, message?: string) {
    super(message ?? ERROR_TABLE[code].text);
    this.name = 'WebSocketError';
    this.code = code;
    this.closeCode = ERROR_TABLE[code].close;
  }
}

/** The close code a failure sends. */
export function closeCodeOf(code: WebSocketErrorCode): CloseCode {
  return ERROR_TABLE[code].close;
}

/** A received close frame: the code (1005 when absent) and the reason. */
export interface CloseFrame {
  readonly code: number;
  readonly reason: string;
}

/**
 * Reads a close frame's payload (RFC 6455 §5.5.1): empty, or a valid code plus a UTF-8 reason. One byte or an
 * invalid code is a protocol error; a reason that is not UTF-8 is 1007.
 */
export function parseClosePayload(payload: Uint8Array): CloseFrame {
  if (payload.length === 0) return { code: CloseCodes.NO_STATUS, reason: '' };
  if (payload.length === 1) throw new WebSocketError('BAD_CLOSE_PAYLOAD', 'close frame with a 1-byte payload');
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) throw new WebSocketError('BAD_CLOSE_PAYLOAD', `invalid close code ${code}`);
  const reason = payload.subarray(2);
  if (!isUtf8(reason)) throw new WebSocketError('INVALID_UTF8', 'close reason is not UTF-8');
  return { code, reason: Buffer.from(reason.buffer, reason.byteOffset, reason.length).toString('utf8') };
}

/** An error an app gets for a close it may not send (a reserved code, a reason over 123 bytes). */
export class CloseArgumentError extends RangeError {
  /** Always 'ERR_WS_CLOSE_ARGUMENT'. */
  readonly code = 'ERR_WS_CLOSE_ARGUMENT';
}

/**
 * The payload of a close frame the server sends: empty when `code` is undefined, else the code and the UTF-8
 * reason. Throws CloseArgumentError for a code that may not be sent or a reason over 123 bytes.
 */
export function encodeClosePayload(code: number | undefined, reason = ''): Uint8Array {
  if (code === undefined) {
    if (reason !== '') throw new CloseArgumentError('a close reason needs a close code');
    return new Uint8Array(0);
  }
  if (!Number.isInteger(code) || !isValidCloseCode(code)) throw new CloseArgumentError(`close code ${code} may not be sent`);
  const length = Buffer.byteLength(reason);
  if (length > MAX_CLOSE_REASON_BYTES) throw new CloseArgumentError(`close reason is ${length} bytes; at most ${MAX_CLOSE_REASON_BYTES}`);
  const out = Buffer.allocUnsafe(2 + length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.write(reason, 2, 'utf8');
  return out;
}
