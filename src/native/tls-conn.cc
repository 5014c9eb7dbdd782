// A connection's TLS lifetime: an SSL per accepted fd, close_notify before the half-close and the close, and free.
// nginx's order on close: one SSL_shutdown (close_notify), a best-effort send, then close(2); no waiting for the peer's.
#include <openssl/err.h>
#include <sys/socket.h>

#include <cstdlib>

#include "tls.h"

namespace sluice {

bool attachTls(LoopState* s, TrackedFd* t, TlsContext* context) {
  SSL* ssl = SSL_new(context->ctx);
  BIO* bio = ssl != nullptr ? createBio(s->tls) : nullptr;
  if (bio == nullptr) {
    SSL_free(ssl);
    ERR_clear_error();
    return false;
  }
  SSL_set_bio(ssl, bio, bio);  // one BIO both ways; SSL_free frees it
  SSL_set_accept_state(ssl);
  TlsConn* c = new TlsConn();
  c->ssl = ssl;
  c->context = context;
  retainTlsContext(context);
  t->tls = c;
  s->tls->connections++;
  return true;
}

// Writes close_notify (RFC 8446 §6.1) into the sink, unless the connection cannot or already did.
static bool writeCloseNotify(TlsConn* c) {
  if (!c->open || c->broken || (SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN) != 0) return false;
  ERR_clear_error();
  SSL_shutdown(c->ssl);  // 0 = sent, the peer's not seen: we never wait for it
  ERR_clear_error();
  return true;
}

void freeTlsConn(LoopState* s, TrackedFd* t, bool closing) {
  TlsConn* c = t->tls;
  TlsState* tls = s->tls;
  // Unsent ciphertext means JS gave up on its data: no close_notify then, so the peer sees the truncation.
  if (closing && c->pendingLen == 0 && writeCloseNotify(c) && tls->sinkLen > 0) {
    ::send(t->fd, tls->sink, tls->sinkLen, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  tls->sinkLen = 0;
  tls->pendingBytes -= static_cast<double>(c->pendingLen);
  std::free(c->pending);
  SSL_free(c->ssl);
  ERR_clear_error();
  releaseTlsContext(c->context);
  delete c;
  t->tls = nullptr;
  t->nativeWrite = false;
  tls->connections--;
}

int shutdownTls(LoopState* s, TrackedFd* t, int how) {
  TlsConn* c = t->tls;
  if (how != SHUT_RD && writeCloseNotify(c)) {
    int r = sendSink(s, t, 0);
    if (r < 0) return r;
    if (c->pendingLen > 0) {
      c->shutdownHow = how;  // drainPending runs it once close_notify (and what was before it) has left
      return 0;
    }
  }
  return ::shutdown(t->fd, how) == 0 ? 0 : -errno;
}

}  // namespace sluice
