// Unmasking client payloads (RFC 6455 §5.3), in place or while copying them out of the receive buffer. Key decision:
// a JS loop for short payloads, the addon's unmask (8 bytes per step) from NATIVE_UNMASK_MIN bytes on, where it beats
// the loop (bench/ws-hot-loops.ts); a large frame is copied and unmasked in one native pass (frame-copier.ts).
import { loadNative, type NativeBytes } from '../server/index.js';

/** From this many bytes on the native unmask is faster than the JS loop despite the crossing. */
export const NATIVE_UNMASK_MIN = 192;

let native: NativeBytes | null | undefined;

/** The addon's byte helpers, or null when the addon cannot be loaded (the JS loop then does all the work). */
function nativeBytes(): NativeBytes | null {
  if (native === undefined) {
    try {
      native = loadNative();
    } catch {
      native = null;
    }
  }
  return native;
}

/**
 * XORs buf[start, end) in place with `mask` (the four key bytes as a big-endian u32), beginning at key byte
 * `maskOffset` (0-3): a payload split across chunks continues where the previous piece stopped.
 */
export function unmask(buf: Uint8Array, start: number, end: number, mask: number, maskOffset: number): void {
  if (end - start >= NATIVE_UNMASK_MIN) {
    const addon = nativeBytes();
    if (addon !== null && addon.unmask(buf, start, end - start, mask, maskOffset) === 0) return;
  }
  unmaskJs(buf, start, end, mask, maskOffset);
}

/** The JS loop: the key rotated to start at maskOffset, then four bytes per step. */
export function unmaskJs(buf: Uint8Array, start: number, end: number, mask: number, maskOffset: number): void {
  const shift = (maskOffset & 3) << 3;
  const key = shift === 0 ? mask : ((mask << shift) | (mask >>> (32 - shift))) >>> 0;
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  let i = start;
  for (const last = end - 3; i < last; i += 4) {
    buf[i] ^= k0;
    buf[i + 1] ^= k1;
    buf[i + 2] ^= k2;
    buf[i + 3] ^= k3;
  }
  if (i < end) buf[i++] ^= k0;
  if (i < end) buf[i++] ^= k1;
  if (i < end) buf[i] ^= k2;
}

/**
 * Copies src[start, end) to dst[at] XORed with `mask` from key byte `maskOffset` on: unmask() fused with the copy, so
 * a large payload is read once. src and dst must not overlap.
 */
export function copyUnmask(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number, mask: number, maskOffset: number): void {
  const addon = nativeBytes();
  if (addon !== null && addon.copyUnmask(src, start, dst, at, end - start, mask, maskOffset) === 0) return;
  dst.set(src.subarray(start, end), at);
  unmaskJs(dst, at, at + end - start, mask, maskOffset);
}
