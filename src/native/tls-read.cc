// Reading TLS: recv ciphertext into the loop's buffer, then the handshake or SSL_read straight into the turn's
// JS buffer, so EV_DATA carries plaintext (uSockets' ssl_on_data). Whatever OpenSSL writes meanwhile leaves at once.
#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>

#include "tls.h"

namespace sluice {

// This read's room in the turn's buffer, or 0 when the turn is too full: level-triggered polling retries next turn.
static size_t readRoom(LoopState* s, uint32_t records) {
  if (s->eventCount + records > s->eventCap) return 0;
  size_t space = s->recvCap - s->recvUsed;
  return space < TLS_RECV_MIN_SPACE ? 0 : space;
}

// recv of ciphertext, bounded so all its plaintext fits `room`, handed to the BIO. Bytes, 0 on EOF, or -errno.
static ssize_t recvCipher(LoopState* s, TrackedFd* t, size_t room) {
  TlsState* tls = s->tls;
  size_t want = room - TLS_HELD_PLAINTEXT_MAX;
  if (want > TLS_CIPHER_BUFFER) want = TLS_CIPHER_BUFFER;
  ssize_t n;
  do n = ::recv(t->fd, tls->cipher, want, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  tls->in = tls->cipher;
  tls->inLen = static_cast<size_t>(n);
  return n;
}

static bool isAgain(ssize_t n) { return n == -EAGAIN || n == -EWOULDBLOCK; }

enum class ReadEnd { more, eof, error };

// Decrypts into the turn's buffer until OpenSSL wants more input (everything fed was consumed), the peer's
// close_notify, or a fatal error.
static ReadEnd decrypt(LoopState* s, TrackedFd* t, size_t* produced) {
  SSL* ssl = t->tls->ssl;
  uint8_t* out = s->recv + s->recvUsed;
  size_t room = s->recvCap - s->recvUsed;
  *produced = 0;
  ERR_clear_error();
  while (*produced < room) {
    size_t got = 0;
    int r = SSL_read_ex(ssl, out + *produced, room - *produced, &got);
    if (r == 1) {
      *produced += got;
      continue;
    }
    int e = SSL_get_error(ssl, r);
    ERR_clear_error();  // the queue is per thread and shared with node's own crypto
    if (e == SSL_ERROR_WANT_READ) return ReadEnd::more;
    return e == SSL_ERROR_ZERO_RETURN ? ReadEnd::eof : ReadEnd::error;
  }
  // The recv bound makes this unreachable; if plaintext were ever left inside OpenSSL, fail rather than stall.
  return s->tls->inLen == 0 && SSL_has_pending(ssl) == 0 ? ReadEnd::more : ReadEnd::error;
}

// Stops reading and reports the end (EV_EOF or EV_ERROR) after the data.
static void endReading(LoopState* s, TrackedFd* t, int32_t kind, int32_t error) {
  pushEvent(s, t->fd, kind, error, 0);
  t->reading = false;
  applyMask(t);
}

bool readFed(LoopState* s, TrackedFd* t) {
  size_t produced = 0;
  ReadEnd end = decrypt(s, t, &produced);
  s->tls->inLen = 0;
  if (produced > 0) {
    pushEvent(s, t->fd, EV_DATA, static_cast<int32_t>(s->recvUsed), static_cast<int32_t>(produced));
    s->recvUsed += produced;
  }
  if (end == ReadEnd::eof) endReading(s, t, EV_EOF, 0);
  if (end == ReadEnd::error) {
    endReading(s, t, EV_ERROR, -EPROTO);  // bad record MAC, unexpected message...: the alert is in the sink
    t->tls->broken = true;
  }
  // Tickets after the handshake, KeyUpdate answers, alerts: written by reads, sent now.
  if (sendSink(s, t, 0) < 0) breakTls(s, t);
  return produced > 0;
}

bool recvTls(LoopState* s, TrackedFd* t) {
  size_t room = readRoom(s, 2);  // EV_DATA and EV_EOF/EV_ERROR
  if (room == 0) return false;
  ssize_t n = recvCipher(s, t, room);
  if (isAgain(n)) return false;  // spurious: normal after readiness
  if (n <= 0) {
    endReading(s, t, n == 0 ? EV_EOF : EV_ERROR, static_cast<int32_t>(n));
    return false;
  }
  return readFed(s, t);
}

// OpenSSL saw "GET ", "POST ", "HEAD " or "PUT " where a ClientHello belongs (it checks the first record only).
static bool sawPlainHttp() {
  bool http = false;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_HTTP_REQUEST) http = true;
  }
  return http;
}

Handshake stepHandshake(LoopState* s, TrackedFd* t) {
  size_t room = readRoom(s, 3);  // EV_ACCEPT, then EV_DATA and EV_EOF/EV_ERROR for what came behind the Finished
  if (room == 0) return Handshake::waiting;
  ssize_t n = recvCipher(s, t, room);
  if (isAgain(n)) return Handshake::waiting;
  if (n <= 0) return Handshake::failed;  // gone before the handshake finished: nobody to tell
  return feedHandshake(s, t);
}

ssize_t recvPreludeBytes(LoopState* s, TrackedFd* t, uint8_t** at) {
  size_t room = readRoom(s, 3);  // as stepHandshake: the handshake may finish on what follows the PROXY header
  if (room == 0) return -EAGAIN;
  *at = s->tls->cipher;
  return recvCipher(s, t, room);
}

Handshake feedHandshake(LoopState* s, TrackedFd* t) {
  TlsConn* c = t->tls;
  ERR_clear_error();
  int r = SSL_do_handshake(c->ssl);
  if (r == 1) {
    c->open = true;
    return Handshake::done;  // the caller reports EV_ACCEPT, then readFed decrypts the rest
  }
  int e = SSL_get_error(c->ssl, r);
  s->tls->inLen = 0;
  if (e == SSL_ERROR_WANT_READ) {
    ERR_clear_error();
    return sendSink(s, t, 0) < 0 ? Handshake::failed : Handshake::waiting;  // our flight (ServerHello...)
  }
  const std::vector<uint8_t>& reply = c->context->plainHttpReply;
  if (sawPlainHttp() && !reply.empty()) {
    // nginx's answer to plain HTTP on a TLS port, composed by JS; the request was read whole, so close sends FIN.
    s->tls->sinkLen = 0;
    ::send(t->fd, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  } else {
    sendSink(s, t, 0);  // the alert, best effort
  }
  ERR_clear_error();
  return Handshake::failed;
}

}  // namespace sluice
