// The hot syscalls: recv, send, writev, sendfile and the per-turn batched flush. n >= 0 or -errno, never a throw.
// MSG_NOSIGNAL on every send: a peer that went away is EPIPE, not a SIGPIPE that kills the process.
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <climits>

#include "exports.h"
#include "loop-state.h"
#include "napi-args.h"
#include "tls.h"

namespace sluice {

// Linux sends at most this much per sendfile(2) call.
constexpr int64_t SENDFILE_MAX_COUNT = 0x7ffff000;
// iovecs per writev; more buffers are left for the next call (the return value tells how far it got).
constexpr uint32_t WRITEV_MAX_BUFFERS = IOV_MAX;

static ssize_t sendRetrying(int fd, const uint8_t* data, size_t length, int flags) {
  ssize_t n;
  do n = ::send(fd, data, length, flags | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n;
}

// The connection's TLS state when fd speaks TLS (its writes are encrypted), else nullptr.
static TrackedFd* tlsFd(void* data, int32_t fd) {
  TrackedFd* t = findFd(static_cast<LoopState*>(data), fd);
  return t != nullptr && t->tls != nullptr ? t : nullptr;
}

/* (fd, Uint8Array, offset, length) -> bytes read, 0 on EOF, or -errno (-EAGAIN: nothing to read yet);
   -EOPNOTSUPP on a TLS connection (its plaintext comes only as EV_DATA) */
napi_value Recv(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  void* state;
  readArgs(env, info, argv, &state);
  int32_t fd, offset, length;
  uint8_t* data;
  size_t size;
  if (!readInt(env, argv[0], &fd) || !readBytes(env, argv[1], &data, &size) || !readInt(env, argv[2], &offset) ||
      !readInt(env, argv[3], &length) || !inBounds(offset, length, size)) {
    return returnInt(env, -EINVAL);
  }
  if (tlsFd(state, fd) != nullptr) return returnInt(env, -EOPNOTSUPP);
  ssize_t n;
  do n = ::recv(fd, data + offset, static_cast<size_t>(length), 0);
  while (n < 0 && errno == EINTR);
  return returnInt(env, n >= 0 ? n : minusErrno());
}

/* (fd, Uint8Array, offset, length, more) -> bytes sent (maybe fewer) or -errno; more = MSG_MORE (another part follows).
   TLS: plaintext bytes accepted; after a short send, resubmit the rest (it is not encrypted twice) */
napi_value Send(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  void* state;
  readArgs(env, info, argv, &state);
  int32_t fd, offset, length;
  uint8_t* data;
  size_t size;
  if (!readInt(env, argv[0], &fd) || !readBytes(env, argv[1], &data, &size) || !readInt(env, argv[2], &offset) ||
      !readInt(env, argv[3], &length) || !inBounds(offset, length, size)) {
    return returnInt(env, -EINVAL);
  }
  int flags = readBool(env, argv[4]) ? MSG_MORE : 0;
  if (TrackedFd* t = tlsFd(state, fd)) {
    iovec one = {data + offset, static_cast<size_t>(length)};
    return returnInt(env, writeTls(static_cast<LoopState*>(state), t, &one, 1, flags));
  }
  ssize_t n = sendRetrying(fd, data + offset, static_cast<size_t>(length), flags);
  return returnInt(env, n >= 0 ? n : minusErrno());
}

/* (fd, Uint8Array[], more) -> total bytes sent (maybe fewer) or -errno; sendmsg(2), so MSG_NOSIGNAL applies */
napi_value Writev(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  void* state;
  readArgs(env, info, argv, &state);
  int32_t fd;
  uint32_t count = 0;
  bool isArray = false;
  napi_is_array(env, argv[1], &isArray);
  if (!readInt(env, argv[0], &fd) || !isArray) return returnInt(env, -EINVAL);
  napi_get_array_length(env, argv[1], &count);
  if (count > WRITEV_MAX_BUFFERS) count = WRITEV_MAX_BUFFERS;
  iovec iov[WRITEV_MAX_BUFFERS];
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    uint8_t* data;
    size_t size;
    if (napi_get_element(env, argv[1], i, &element) != napi_ok || !readBytes(env, element, &data, &size)) {
      return returnInt(env, -EINVAL);
    }
    iov[i].iov_base = data;
    iov[i].iov_len = size;
  }
  int flags = readBool(env, argv[2]) ? MSG_MORE : 0;
  if (TrackedFd* t = tlsFd(state, fd)) {
    return returnInt(env, writeTls(static_cast<LoopState*>(state), t, iov, static_cast<int>(count), flags));
  }
  msghdr msg = {};
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  ssize_t n;
  do n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | flags);
  while (n < 0 && errno == EINTR);
  return returnInt(env, n >= 0 ? n : minusErrno());
}

/* (outFd, inFd, offset, count) -> bytes sent (0 at or past EOF) or -errno; offset is a JS number (files > 4 GiB).
   TLS (no kTLS here): pread into a pooled buffer + encrypt + send, up to 1 MiB per call; same contract */
napi_value Sendfile(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  void* state;
  readArgs(env, info, argv, &state);
  int32_t outFd, inFd;
  int64_t offset, count;
  if (!readInt(env, argv[0], &outFd) || !readInt(env, argv[1], &inFd) || !readInt64(env, argv[2], &offset) ||
      !readInt64(env, argv[3], &count) || offset < 0 || count < 0) {
    return returnInt(env, -EINVAL);
  }
  if (TrackedFd* t = tlsFd(state, outFd)) {
    return returnInt(env, sendfileTls(static_cast<LoopState*>(state), t, inFd, offset, count));
  }
  off_t off = static_cast<off_t>(offset);
  ssize_t n;
  do n = ::sendfile(outFd, inFd, &off, static_cast<size_t>(count < SENDFILE_MAX_COUNT ? count : SENDFILE_MAX_COUNT));
  while (n < 0 && errno == EINTR);
  return returnInt(env, n >= 0 ? n : minusErrno());
}

/* (buf, desc: Int32Array of [fd, offset, length, result, next, follows] records, count) -> records not fully sent,
   or -EINVAL. A record whose `next` is >= 0 heads a chain (the same connection's later, non-adjacent bytes: one
   published frame after another); the chain goes out in one sendmsg and its records (follows != 0) are skipped
   when the loop reaches them. Writes each record's result: bytes sent (EAGAIN counts as 0) or -errno. A short record
   arms EV_WRITABLE itself. A lone record whose `follows` is FLUSH_CLOSE is sent with MSG_MORE and its fd closed once
   all of it is out: the kernel tacks the FIN onto the held segment, so a Connection: close response costs the peer one
   segment, not two (nginx's tcp_nopush does the same); `follows` then says FLUSH_CLOSED. */
napi_value Flush(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  uint8_t* buf;
  size_t size, descLength;
  int32_t* desc;
  int32_t count;
  if (!readBytes(env, argv[0], &buf, &size) || !readInt32s(env, argv[1], &desc, &descLength) ||
      !readInt(env, argv[2], &count) || count < 0 || static_cast<size_t>(count) * FLUSH_RECORD_INT32 > descLength) {
    return returnInt(env, -EINVAL);
  }
  int32_t shortRecords = 0;
  iovec iov[FLUSH_CHAIN_MAX];
  int32_t* chain[FLUSH_CHAIN_MAX];
  for (int32_t i = 0; i < count; i++) {
    int32_t* r = desc + static_cast<size_t>(i) * FLUSH_RECORD_INT32;
    if (r[5] > 0) continue;  // a chain's later record: sent with its head
    // Closing after the send: only a tracked connection (close() below must be allowed to close it), never a chain.
    TrackedFd* closing = r[5] == FLUSH_CLOSE && r[4] < 0 ? findFd(s, r[0]) : nullptr;
    if (closing != nullptr && closing->listener) closing = nullptr;
    r[5] = 0;
    int more = closing != nullptr ? MSG_MORE : 0;
    int k = 0;
    bool valid = true;
    for (int32_t j = i; j >= 0 && j < count && k < FLUSH_CHAIN_MAX;) {
      int32_t* c = desc + static_cast<size_t>(j) * FLUSH_RECORD_INT32;
      if (!inBounds(c[1], c[2], size)) valid = false;
      else iov[k] = {buf + c[1], static_cast<size_t>(c[2])};
      chain[k++] = c;
      j = c[4] > j ? c[4] : -1;
    }
    int64_t n;
    if (!valid) {
      n = -EINVAL;
    } else if (TrackedFd* tls = tlsFd(s, r[0])) {
      n = writeTls(s, tls, iov, k, 0);
    } else if (k == 1) {
      n = sendRetrying(r[0], buf + r[1], static_cast<size_t>(r[2]), more);
      if (n < 0) n = minusErrno();
    } else {
      msghdr msg = {};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(k);
      do n = ::sendmsg(r[0], &msg, MSG_NOSIGNAL | more);
      while (n < 0 && errno == EINTR);
      if (n < 0) n = minusErrno();
    }
    if (n == -EAGAIN || n == -EWOULDBLOCK) n = 0;
    bool isShort = false;
    for (int m = 0; m < k; m++) {
      int32_t* c = chain[m];
      if (n < 0) {
        c[3] = static_cast<int32_t>(n);
      } else {
        int64_t take = n < c[2] ? n : c[2];
        c[3] = static_cast<int32_t>(take);
        n -= take;
      }
      if (c[3] != c[2]) {
        shortRecords++;
        isShort = true;
      }
    }
    if (closing != nullptr && !isShort) {
      forgetFd(s, closing, true);
      r[5] = FLUSH_CLOSED;
      continue;
    }
    if (isShort && r[3] >= 0) {  // socket buffer full: JS queues the rest, native already waits for writability
      TrackedFd* t = findFd(s, r[0]);
      if (t != nullptr && !t->listener && s->initialized) {
        t->wantWrite = true;
        applyMask(t);
      }
    }
  }
  return returnInt(env, shortRecords);
}

}  // namespace sluice
