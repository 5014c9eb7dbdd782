// Encrypting writes: plaintext from JS (send, writev, flush) or from a file (sendfile over TLS: pread into a pooled
// buffer) becomes records in the sink, sent with one send(2) per TLS_WRITE_BATCH. Ciphertext the kernel refuses stays
// native and its plaintext is reported as not sent; JS resubmits those bytes (as it would after a short send(2)),
// and they are acknowledged without being encrypted twice. So JS's backlog and EV_WRITABLE logic stay as they are.
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tls.h"

namespace sluice {

// Older ciphertext must be out before new plaintext is encrypted; then the resubmitted prefix (owed) is
// acknowledged. Bytes of `offered` acknowledged, -EAGAIN while ciphertext still waits, or -errno.
static int64_t acknowledge(LoopState* s, TrackedFd* t, size_t offered) {
  TlsConn* c = t->tls;
  if (c->broken || !c->open) return -EPIPE;
  if (c->pendingLen > 0) {
    int r = drainPending(s, t);
    if (r < 0) {
      breakTls(s, t);
      return r;
    }
    if (c->pendingLen > 0) return -EAGAIN;
  }
  size_t ack = offered < c->owed ? offered : c->owed;
  c->owed -= ack;
  return static_cast<int64_t>(ack);
}

// Encrypts n bytes and sends them: n when the kernel took every record, 0 when it kept some back (they are pending
// and the n bytes are owed), or -errno.
static int64_t sendBatch(LoopState* s, TrackedFd* t, const uint8_t* data, size_t n, int flags) {
  TlsConn* c = t->tls;
  ERR_clear_error();
  s->tls->inLen = 0;
  size_t written = 0;
  if (SSL_write_ex(c->ssl, data, n, &written) != 1) {
    ERR_clear_error();
    s->tls->sinkLen = 0;
    breakTls(s, t);  // after our close_notify or a fatal alert: like a write after shutdown(SHUT_WR)
    return -EPIPE;
  }
  int r = sendSink(s, t, flags);
  if (r < 0) {
    breakTls(s, t);
    return r;
  }
  if (c->pendingLen == 0) return static_cast<int64_t>(n);
  c->owed = n;
  return 0;
}

/** A read position over an iovec array. */
struct IovCursor {
  const iovec* iov;
  int count;
  int index = 0;
  size_t offset = 0;

  void skip(size_t n) {
    while (n > 0 && index < count) {
      size_t left = iov[index].iov_len - offset;
      size_t step = n < left ? n : left;
      offset += step;
      n -= step;
      if (offset == iov[index].iov_len) {
        index++;
        offset = 0;
      }
    }
  }

  // The next n bytes: a pointer into the current buffer when they lie in it (no copy), else gathered into `into`.
  const uint8_t* take(size_t n, uint8_t* into) {
    while (index < count && iov[index].iov_len == offset) {
      index++;
      offset = 0;
    }
    if (index < count && iov[index].iov_len - offset >= n) {
      const uint8_t* p = static_cast<const uint8_t*>(iov[index].iov_base) + offset;
      skip(n);
      return p;
    }
    for (size_t got = 0; got < n;) {
      size_t left = iov[index].iov_len - offset;
      size_t step = n - got < left ? n - got : left;
      std::memcpy(into + got, static_cast<const uint8_t*>(iov[index].iov_base) + offset, step);
      got += step;
      skip(step);
    }
    return into;
  }
};

int64_t writeTls(LoopState* s, TrackedFd* t, const iovec* iov, int iovcnt, int flags) {
  size_t total = 0;
  for (int i = 0; i < iovcnt; i++) total += iov[i].iov_len;
  if (total == 0) return 0;
  int64_t acked = acknowledge(s, t, total);
  if (acked < 0) return acked;
  IovCursor cursor{iov, iovcnt};
  cursor.skip(static_cast<size_t>(acked));
  size_t done = static_cast<size_t>(acked);
  while (done < total) {
    size_t n = total - done < TLS_WRITE_BATCH ? total - done : TLS_WRITE_BATCH;
    const uint8_t* data = cursor.take(n, s->tls->staging);
    int64_t r = sendBatch(s, t, data, n, done + n < total ? flags | MSG_MORE : flags);
    if (r < 0) return done > 0 ? static_cast<int64_t>(done) : r;
    if (r == 0) break;
    done += n;
  }
  return done > 0 ? static_cast<int64_t>(done) : -EAGAIN;
}

int64_t sendfileTls(LoopState* s, TrackedFd* t, int inFd, int64_t offset, int64_t count) {
  if (count == 0) return 0;
  int64_t acked = acknowledge(s, t, static_cast<size_t>(count));
  if (acked < 0) return acked;
  int64_t done = acked;
  int64_t limit = count < static_cast<int64_t>(TLS_SENDFILE_CALL_MAX) ? count : TLS_SENDFILE_CALL_MAX;
  bool refused = false;
  while (done < limit) {
    size_t want = limit - done < static_cast<int64_t>(TLS_WRITE_BATCH) ? static_cast<size_t>(limit - done) : TLS_WRITE_BATCH;
    ssize_t n;
    do n = ::pread(inFd, s->tls->staging, want, offset + done);
    while (n < 0 && errno == EINTR);
    if (n < 0) return done > 0 ? done : -errno;
    if (n == 0) break;  // at or past EOF
    int64_t r = sendBatch(s, t, s->tls->staging, static_cast<size_t>(n), done + n < limit ? MSG_MORE : 0);
    if (r < 0) return done > 0 ? done : r;
    if (r == 0) {
      refused = true;
      break;
    }
    done += n;
  }
  // Nothing taken is EAGAIN, never 0: 0 means end of file to the caller.
  return done == 0 && refused ? -EAGAIN : done;
}

}  // namespace sluice
