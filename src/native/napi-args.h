// Hot-path N-API argument helpers: read int32s, bools and Uint8Array views with the plain C API.
// No node-addon-api wrappers and no exceptions here: a bad argument becomes -EINVAL, never a throw.
#pragma once
#include <node_api.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace sluice {

/** Reads exactly N arguments (missing ones arrive as undefined) and the function's bound data pointer. */
template <size_t N>
inline void readArgs(napi_env env, napi_callback_info info, napi_value (&argv)[N], void** data) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, data);
}

/** Reads an int32; false when the value is not a number. */
inline bool readInt(napi_env env, napi_value v, int32_t* out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/** Reads a JS number as int64 (offsets past 2^32); false when the value is not a number. */
inline bool readInt64(napi_env env, napi_value v, int64_t* out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

/** Reads a boolean; anything that is not `true` reads as false. */
inline bool readBool(napi_env env, napi_value v) {
  bool b = false;
  napi_get_value_bool(env, v, &b);
  return b;
}

/** True when an optional argument was left out (or passed as undefined). */
inline bool isUndefined(napi_env env, napi_value v) {
  napi_valuetype type;
  return napi_typeof(env, v, &type) == napi_ok && type == napi_undefined;
}

/** Reads a Uint8Array's data pointer (already adjusted by its byteOffset) and length; false for anything else. */
inline bool readBytes(napi_env env, napi_value v, uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  void* p = nullptr;
  if (napi_get_typedarray_info(env, v, &type, length, &p, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_uint8_array) return false;
  *data = static_cast<uint8_t*>(p);
  return true;
}

/** Reads an Int32Array's data pointer and element count; false for anything else. */
inline bool readInt32s(napi_env env, napi_value v, int32_t** data, size_t* length) {
  napi_typedarray_type type;
  void* p = nullptr;
  if (napi_get_typedarray_info(env, v, &type, length, &p, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_int32_array) return false;
  *data = static_cast<int32_t*>(p);
  return true;
}

/** True when [offset, offset + length) lies inside a view of `size` bytes. */
inline bool inBounds(int32_t offset, int32_t length, size_t size) {
  return offset >= 0 && length >= 0 && static_cast<size_t>(offset) + static_cast<size_t>(length) <= size;
}

/** Returns a small integer (n >= 0 or -errno) to JS. */
inline napi_value returnInt(napi_env env, int64_t n) {
  napi_value v;
  if (n >= INT32_MIN && n <= INT32_MAX) {
    napi_create_int32(env, static_cast<int32_t>(n), &v);
  } else {
    napi_create_int64(env, n, &v);
  }
  return v;
}

/** The result of a syscall that returned -1: -errno. */
inline int64_t minusErrno() { return -static_cast<int64_t>(errno); }

}  // namespace sluice
