// TLS contexts: Mozilla "intermediate" defaults, the SNI and ALPN callbacks, refcounting, and the loop's TLS state.
// A context is immutable once built; a reload builds a new one and swaps it in for new connections only.
#include <openssl/err.h>

#include <cctype>
#include <cstdlib>

#include "tls.h"

namespace sluice {

// Mozilla's "intermediate" TLS 1.2 suites (server-side TLS guidelines v5.7): ECDHE/DHE with AEAD only, in order.
static const char* INTERMEDIATE_CIPHERS =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
static const char* INTERMEDIATE_GROUPS = "X25519:prime256v1:secp384r1";
// nginx's ssl_session_timeout: a ticket resumes for 5 minutes.
constexpr long SESSION_TIMEOUT_S = 300;

TlsState* ensureTlsState(LoopState* s) {
  if (s->tls != nullptr) return s->tls;
  TlsState* tls = new TlsState();
  tls->bioMethod = createBioMethod();
  tls->sinkCap = TLS_WRITE_BATCH + 64 * 1024;  // a batch's records plus their headers and tags
  tls->sink = static_cast<uint8_t*>(std::malloc(tls->sinkCap));
  tls->cipher = static_cast<uint8_t*>(std::malloc(TLS_CIPHER_BUFFER));
  tls->staging = static_cast<uint8_t*>(std::malloc(TLS_WRITE_BATCH));
  if (tls->bioMethod == nullptr || tls->sink == nullptr || tls->cipher == nullptr || tls->staging == nullptr ||
      !rotateTicketKey(tls, nullptr)) {
    s->tls = tls;
    freeTlsState(s);
    return nullptr;
  }
  s->tls = tls;
  return tls;
}

void freeTlsState(LoopState* s) {
  TlsState* tls = s->tls;
  if (tls == nullptr) return;
  for (TlsContext* c : tls->contexts) {
    if (c != nullptr) releaseTlsContext(c);
  }
  if (tls->bioMethod != nullptr) BIO_meth_free(tls->bioMethod);
  std::free(tls->sink);
  std::free(tls->cipher);
  std::free(tls->staging);
  OPENSSL_cleanse(tls->keys, sizeof tls->keys);
  delete tls;
  s->tls = nullptr;
}

TlsContext* findTlsContext(LoopState* s, int32_t id) {
  if (s->tls == nullptr || id < 0 || static_cast<size_t>(id) >= s->tls->contexts.size()) return nullptr;
  return s->tls->contexts[id];
}

void retainTlsContext(TlsContext* c) { c->refs++; }

void releaseTlsContext(TlsContext* c) {
  if (--c->refs > 0) return;
  c->state->tls->liveContexts--;
  SSL_CTX_free(c->ctx);
  for (auto& entry : c->sni) SSL_CTX_free(entry.second);
  delete c;
}

// SNI (RFC 6066 §3): an exact name first, then "*.parent" for one more label; unknown names keep the default
// certificate, as nginx's default server does.
static int onServerName(SSL* ssl, int* alert, void* arg) {
  TlsContext* c = static_cast<TlsContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr || c->sni.empty()) return SSL_TLSEXT_ERR_OK;
  std::string host(name);
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  size_t dot = host.find('.');
  std::string wildcard = dot == std::string::npos ? std::string() : "*" + host.substr(dot);
  SSL_CTX* match = nullptr;
  for (auto& entry : c->sni) {
    if (entry.first == host) {
      match = entry.second;
      break;
    }
    if (match == nullptr && !wildcard.empty() && entry.first == wildcard) match = entry.second;
  }
  if (match != nullptr) SSL_set_SSL_CTX(ssl, match);
  return SSL_TLSEXT_ERR_OK;
}

// ALPN (RFC 7301 §3.2): the server's preference wins; no protocol in common is a fatal no_application_protocol.
static int onAlpn(SSL* ssl, const unsigned char** out, unsigned char* outLength, const unsigned char* in,
                  unsigned int inLength, void* arg) {
  TlsContext* c = static_cast<TlsContext*>(arg);
  if (c->alpn.empty()) return SSL_TLSEXT_ERR_NOACK;
  unsigned char* chosen = nullptr;
  int r = SSL_select_next_proto(&chosen, outLength, reinterpret_cast<const unsigned char*>(c->alpn.data()),
                                static_cast<unsigned int>(c->alpn.size()), in, inLength);
  if (r != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

SSL_CTX* createServerCtx(TlsContext* owner, int minVersion) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return nullptr;
  bool ok = SSL_CTX_set_min_proto_version(ctx, minVersion) == 1 &&
            SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1 &&
            SSL_CTX_set_cipher_list(ctx, INTERMEDIATE_CIPHERS) == 1 &&
            SSL_CTX_set1_groups_list(ctx, INTERMEDIATE_GROUPS) == 1 && SSL_CTX_set_dh_auto(ctx, 1) == 1;
  if (!ok) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  // Renegotiation refused (TLS 1.2; TLS 1.3 has none); a peer dropping TCP without close_notify reads as EOF, as
  // in nginx. The server's suite order wins (testssl.sh flags client order), except that a client putting
  // ChaCha20 first (no AES hardware: phones) gets it: what Mozilla's "prefer client order" is for.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA);
  // Idle connections give their 2 x 17 KiB record buffers back (47.9 -> 14.5 KB per idle connection).
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
  // Stateless tickets only: no server-side session store to grow or share between workers. (Measured on 3.0.19:
  // SSL_SESS_CACHE_NO_INTERNAL_STORE, nginx's "none", silently stops TLS 1.3 resumption; OFF keeps both versions'.)
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_timeout(ctx, SESSION_TIMEOUT_S);
  useTicketKeys(ctx);
  SSL_CTX_set_app_data(ctx, owner);
  SSL_CTX_set_tlsext_servername_callback(ctx, onServerName);
  SSL_CTX_set_tlsext_servername_arg(ctx, owner);
  SSL_CTX_set_alpn_select_cb(ctx, onAlpn, owner);
  ERR_clear_error();
  return ctx;
}

int useTlsContext(LoopState* s, TrackedFd* listener, int32_t id) {
  TlsContext* next = nullptr;
  if (id >= 0) {
    next = findTlsContext(s, id);
    if (next == nullptr) return -EINVAL;
    // Room for a record's plaintext in the turn's buffer, and for EV_ACCEPT + EV_DATA + EV_EOF in one batch, or TLS
    // connections could never be read.
    if (s->recvCap < TLS_MIN_RECV_BUFFER || s->eventCap < TLS_MIN_EVENT_RECORDS) return -ENOBUFS;
    retainTlsContext(next);
  }
  if (listener->tlsContext != nullptr) releaseTlsContext(listener->tlsContext);
  listener->tlsContext = next;
  return 0;
}

}  // namespace sluice
