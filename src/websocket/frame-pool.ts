// Buffers for large received frames, reused once nothing can see them any more. Key decision: a frame buffer comes
// back only when the receiver read it without handing a view of it out (a text message decoded to a string, a
// compressed frame inflated, a binary message whose socket lends its buffers), so a Buffer an app got stays its own.
// A fresh 64 KiB buffer per message costs a first touch of cold memory and counts as external memory for V8, which
// starts a full garbage collection every 64 MiB of it (bench: the 64 KiB echo).

/** Frames from 4 KiB on have buffers of their own (frame-copier.ts); sizes are classes of 2^k + SLACK bytes. */
const MIN_SHIFT = 12;
/** Frames above 1 MiB (+ SLACK) get a buffer of their exact size, never pooled. */
const MAX_SHIFT = 20;
/** Room for a frame header above the power of two, so a 64 KiB payload fits the 64 KiB class. */
const SLACK = 64;
/** Free bytes kept across all classes; more are left to the garbage collector. */
const POOL_BYTES = 4 * 1024 * 1024;

/** Free buffers per class (index: shift - MIN_SHIFT), most recently freed last (its memory is the warmest). */
const free: ArrayBuffer[][] = Array.from({ length: MAX_SHIFT - MIN_SHIFT + 1 }, () => []);
let freeBytes = 0;
/** The pooled buffers that are free now. */
const unused = new WeakSet<ArrayBuffer>();

function classOf(length: number): number {
  let shift = MIN_SHIFT;
  while (shift <= MAX_SHIFT && (1 << shift) + SLACK < length) shift++;
  return shift;
}

/** A buffer of exactly `length` bytes (unset) for one received frame: a view of a pooled buffer when one is free. */
export function allocFrame(length: number): Buffer {
  const shift = classOf(length);
  if (shift > MAX_SHIFT) return Buffer.allocUnsafeSlow(length);
  const list = free[shift - MIN_SHIFT]!;
  let ab = list.pop();
  if (ab !== undefined) {
    freeBytes -= ab.byteLength;
    unused.delete(ab);
  } else {
    // Unset memory, as Buffer.allocUnsafe (new ArrayBuffer would zero it first).
    ab = Buffer.allocUnsafeSlow((1 << shift) + SLACK).buffer as ArrayBuffer;
  }
  return Buffer.from(ab, 0, length);
}

/** Whether `n` is the size of a pooled class (2^k + SLACK). */
function isClassSize(n: number): boolean {
  const p = n - SLACK;
  return p >= 1 << MIN_SHIFT && p <= 1 << MAX_SHIFT && (p & (p - 1)) === 0;
}

/**
 * Takes back the buffer under `chunk` when it has a pooled size and the chunk starts it and fills more than half of
 * it. The caller guarantees that no view of the chunk is left (no message handed out, nothing queued to send), and
 * received chunks are the reader's own copies (UpgradedIO.input): so a buffer of that shape is the reader's alone,
 * whoever made it. A slice of Node's shared pool never fills half of it (Buffer.allocUnsafe pools only below half).
 * Other chunks are ignored.
 */
export function recycleFrame(chunk: Uint8Array): void {
  const ab = chunk.buffer;
  const size = ab.byteLength;
  if (chunk.byteOffset !== 0 || !isClassSize(size) || chunk.length * 2 <= size - SLACK || !(ab instanceof ArrayBuffer)) return;
  // The same buffer twice would hand one frame's memory to two frames.
  if (unused.has(ab) || freeBytes + ab.byteLength > POOL_BYTES) return;
  free[classOf(ab.byteLength) - MIN_SHIFT]!.push(ab);
  unused.add(ab);
  freeBytes += ab.byteLength;
}

/** Bytes held by free pooled buffers (diagnostics and tests). */
export function pooledFrameBytes(): number {
  return freeBytes;
}

// ** Lent messages (WebSocketHandler.reuseMessageBuffers): the bytes of the message whose hook is running, and
// whether they went anywhere the lending socket's own backlog does not account for (another socket, a publish).

let lentBuffer: ArrayBufferLike | null = null;
let lender: object | null = null;
let escaped = false;

/** The message hook of `owner` is about to run with a view of `bytes`. */
export function beginLend(bytes: Uint8Array, owner: object): void {
  lentBuffer = bytes.buffer;
  lender = owner;
  escaped = false;
}

/** `bytes` are being queued to send by `writer` (null: a publish, to any number of sockets). */
export function noteOutgoing(bytes: Uint8Array, writer: object | null): void {
  if (bytes.buffer === lentBuffer && writer !== lender) escaped = true;
}

/** The hook returned: whether the lent bytes went to another socket (then they are never reused). */
export function endLend(): boolean {
  lentBuffer = null;
  lender = null;
  return escaped;
}
