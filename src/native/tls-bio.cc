// The custom BIO between OpenSSL and the loop: reads hand over the ciphertext of this call's recv, writes append to
// one loop-wide sink that is sent once per call. One recv and one send per request; no BIO_s_mem copy or buffer.
#include <openssl/bio.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "tls.h"

namespace sluice {

static int bioRead(BIO* bio, char* out, size_t length, size_t* readBytes) {
  TlsState* tls = static_cast<TlsState*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (tls->inLen == 0) {
    BIO_set_retry_read(bio);  // empty is "not yet" (WANT_READ), never EOF: TCP EOF is seen by our own recv
    return 0;
  }
  size_t n = length < tls->inLen ? length : tls->inLen;
  std::memcpy(out, tls->in, n);
  tls->in += n;
  tls->inLen -= n;
  *readBytes = n;
  return 1;
}

// Grows the sink geometrically; false when memory is exhausted.
static bool reserveSink(TlsState* tls, size_t more) {
  if (tls->sinkLen + more <= tls->sinkCap) return true;
  size_t cap = tls->sinkCap * 2;
  while (cap < tls->sinkLen + more) cap *= 2;
  uint8_t* grown = static_cast<uint8_t*>(std::realloc(tls->sink, cap));
  if (grown == nullptr) return false;
  tls->sink = grown;
  tls->sinkCap = cap;
  return true;
}

static int bioWrite(BIO* bio, const char* data, size_t length, size_t* written) {
  TlsState* tls = static_cast<TlsState*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (!reserveSink(tls, length)) return 0;
  std::memcpy(tls->sink + tls->sinkLen, data, length);
  tls->sinkLen += length;
  *written = length;
  return 1;
}

static long bioCtrl(BIO* bio, int cmd, long num, void* ptr) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;  // OpenSSL flushes after each flight; the sink is sent by our caller
}

static int bioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* createBioMethod() {
  BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sluice");
  if (m == nullptr) return nullptr;
  BIO_meth_set_read_ex(m, bioRead);
  BIO_meth_set_write_ex(m, bioWrite);
  BIO_meth_set_ctrl(m, bioCtrl);
  BIO_meth_set_create(m, bioCreate);
  return m;
}

BIO* createBio(TlsState* tls) {
  BIO* bio = BIO_new(tls->bioMethod);
  if (bio != nullptr) BIO_set_data(bio, tls);
  return bio;
}

// send(2) that counts a full socket as 0 bytes; -errno on a hard error.
static ssize_t sendSome(int fd, const uint8_t* data, size_t length, int flags) {
  ssize_t n;
  do n = ::send(fd, data, length, flags | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n >= 0) return n;
  return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
}

// Appends bytes to t's pending ciphertext and starts polling for writability. 0 or -ENOMEM.
static int stash(LoopState* s, TrackedFd* t, const uint8_t* data, size_t length) {
  TlsConn* c = t->tls;
  uint8_t* grown = static_cast<uint8_t*>(std::realloc(c->pending, c->pendingLen + length));
  if (grown == nullptr) return -ENOMEM;
  std::memcpy(grown + c->pendingLen, data, length);
  c->pending = grown;
  c->pendingLen += length;
  s->tls->pendingBytes += static_cast<double>(length);
  if (!t->nativeWrite) {
    t->nativeWrite = true;
    applyMask(t);
  }
  return 0;
}

int drainPending(LoopState* s, TrackedFd* t) {
  TlsConn* c = t->tls;
  if (c->pendingLen > 0) {
    ssize_t n = sendSome(t->fd, c->pending, c->pendingLen, 0);
    if (n < 0) return static_cast<int>(n);
    size_t sent = static_cast<size_t>(n);
    s->tls->pendingBytes -= static_cast<double>(sent);
    if (sent < c->pendingLen) {
      std::memmove(c->pending, c->pending + sent, c->pendingLen - sent);
      c->pendingLen -= sent;
      return 0;
    }
    std::free(c->pending);
    c->pending = nullptr;
    c->pendingLen = 0;
  }
  if (t->nativeWrite) {
    t->nativeWrite = false;
    applyMask(t);
  }
  if (c->shutdownHow >= 0) {
    ::shutdown(t->fd, c->shutdownHow);  // the close_notify it waited for has left
    c->shutdownHow = -1;
  }
  return 0;
}

void breakTls(LoopState* s, TrackedFd* t) {
  TlsConn* c = t->tls;
  c->broken = true;
  s->tls->pendingBytes -= static_cast<double>(c->pendingLen);
  std::free(c->pending);
  c->pending = nullptr;
  c->pendingLen = 0;
  c->owed = 0;
  if (t->nativeWrite) {
    t->nativeWrite = false;
    applyMask(t);
  }
}

bool drainOnWritable(LoopState* s, TrackedFd* t) {
  if (drainPending(s, t) < 0) breakTls(s, t);  // JS's next write reports the error
  return t->tls->pendingLen == 0;
}

int sendSink(LoopState* s, TrackedFd* t, int flags) {
  TlsState* tls = s->tls;
  size_t length = tls->sinkLen;
  tls->sinkLen = 0;  // the sink is empty again between calls, whatever happens below
  if (length == 0) return 0;
  if (t->tls->pendingLen > 0) {
    // Older ciphertext goes first: queue behind it, then send as much of both as the kernel takes.
    int r = stash(s, t, tls->sink, length);
    return r != 0 ? r : drainPending(s, t);
  }
  ssize_t n = sendSome(t->fd, tls->sink, length, flags);
  if (n < 0) return static_cast<int>(n);
  size_t sent = static_cast<size_t>(n);
  return sent == length ? 0 : stash(s, t, tls->sink + sent, length - sent);
}

}  // namespace sluice
