// WebSocket payload unmasking (RFC 6455 §5.3): XOR with a repeating 4-byte key, in place, 8 bytes per step.
// Pure byte work on a caller-owned Uint8Array (no fd, no state); JS calls it only for payloads where the crossing pays.
#include <cstring>

#include "exports.h"
#include "napi-args.h"

namespace sluice {

/* (Uint8Array, offset, length, mask: big-endian u32, maskOffset 0-3) -> 0, or -EINVAL on bad arguments */
napi_value Unmask(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  readArgs(env, info, argv, nullptr);
  uint8_t* data;
  size_t size;
  int32_t offset, length, maskOffset;
  uint32_t mask;
  if (!readBytes(env, argv[0], &data, &size) || !readInt(env, argv[1], &offset) || !readInt(env, argv[2], &length) ||
      napi_get_value_uint32(env, argv[3], &mask) != napi_ok || !readInt(env, argv[4], &maskOffset) ||
      !inBounds(offset, length, size) || maskOffset < 0 || maskOffset > 3) {
    return returnInt(env, -EINVAL);
  }
  // The key as it applies from the first byte on, twice over: 8 bytes of key line up with any 8 bytes of payload.
  uint8_t key[8];
  for (int i = 0; i < 8; i++) key[i] = static_cast<uint8_t>(mask >> (8 * (3 - ((i + maskOffset) & 3))));
  uint64_t key64;
  std::memcpy(&key64, key, 8);
  uint8_t* p = data + offset;
  size_t n = static_cast<size_t>(length);
  // memcpy keeps the unaligned loads and stores defined; the compiler turns them into plain moves.
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    v ^= key64;
    std::memcpy(p, &v, 8);
  }
  for (size_t i = 0; i < n; i++) p[i] ^= key[i];
  return returnInt(env, 0);
}

}  // namespace sluice
