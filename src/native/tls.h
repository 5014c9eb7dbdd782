// TLS in the addon, on the node binary's own OpenSSL 3: the types and entry points shared by tls-*.cc.
// JS sees plaintext: EV_DATA carries decrypted bytes and send/writev/flush/sendfile encrypt when an fd has a TlsConn.
#pragma once
#include <openssl/ssl.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "loop-state.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "sluice needs OpenSSL 3 headers (node's include dir has them); check the include path order in CMakeLists.txt"
#endif

namespace sluice {

// Plaintext encrypted and sent per send(2): 16 records. The prototype's sweet spot for files (1 MiB was no better).
constexpr size_t TLS_WRITE_BATCH = 256 * 1024;
// Ciphertext read per readiness (a native, loop-wide buffer; OpenSSL copies partial records into its own).
constexpr size_t TLS_CIPHER_BUFFER = 128 * 1024;
// The most plaintext a record OpenSSL already holds part of can still yield; the recv is bounded so that this plus
// the new ciphertext always fits the turn's buffer (plaintext is never longer than its ciphertext).
constexpr size_t TLS_HELD_PLAINTEXT_MAX = 16384 + 1024;
// A TLS fd is read only when the turn's buffer has this much room; otherwise level-triggered polling retries.
constexpr size_t TLS_RECV_MIN_SPACE = TLS_HELD_PLAINTEXT_MAX + 4096;
// startAccepting with TLS refuses (-ENOBUFS) a recv buffer or an events array smaller than these.
constexpr size_t TLS_MIN_RECV_BUFFER = 64 * 1024;
constexpr uint32_t TLS_MIN_EVENT_RECORDS = 4;
// sendfile over TLS reads, encrypts and sends at most this much per call (JS loops, as it does for sendfile(2)).
constexpr size_t TLS_SENDFILE_CALL_MAX = 1024 * 1024;
// A session ticket key: name (16) + HMAC-SHA256 key (32) + AES-256-CBC key (32), as rotateTicketKeys takes it.
constexpr size_t TICKET_KEY_BYTES = 80;

/** Certificates and settings a new connection starts from (one default certificate plus SNI ones). Refcounted: the
 *  registry, each listener using it and each connection hold a reference, so a swap never pulls it from under them. */
struct TlsContext {
  LoopState* state = nullptr;
  int refs = 1;
  SSL_CTX* ctx = nullptr;                                  // the default certificate
  std::vector<std::pair<std::string, SSL_CTX*>> sni;       // lower-case name or "*.suffix" -> its certificate
  std::string alpn;                                        // server preference, wire format (RFC 7301 §3.1)
  std::vector<uint8_t> plainHttpReply;                     // sent in the clear to a plain HTTP client, then closed
};

/** One session ticket key (RFC 5077 §4 layout: key_name, then the MAC and cipher keys). */
struct TicketKey {
  uint8_t name[16];
  uint8_t hmac[32];
  uint8_t aes[32];
};

/** Loop-wide TLS state: the custom BIO's buffers, the context registry and the ticket keys. */
struct TlsState {
  BIO_METHOD* bioMethod = nullptr;
  const uint8_t* in = nullptr;  // ciphertext the BIO hands to OpenSSL (this call's recv)
  size_t inLen = 0;
  uint8_t* sink = nullptr;      // ciphertext OpenSSL wrote during this call; sent (or stashed) before the call ends
  size_t sinkLen = 0;
  size_t sinkCap = 0;
  uint8_t* cipher = nullptr;    // TLS_CIPHER_BUFFER: where recv puts ciphertext
  uint8_t* staging = nullptr;   // TLS_WRITE_BATCH: writev gathering and sendfile's pread
  std::vector<TlsContext*> contexts;  // by id; nullptr once freed (ids are never reused)
  TicketKey keys[2];                  // [0] encrypts and decrypts, [1] (the previous one) only decrypts
  int keyCount = 0;
  double liveContexts = 0;            // TlsContext objects not freed yet, registered or not (tlsStats)
  double connections = 0;             // live TlsConn objects (tlsStats)
  double pendingBytes = 0;            // ciphertext waiting in TlsConn::pending, all connections
};

/** A connection's TLS state. */
struct TlsConn {
  SSL* ssl = nullptr;
  TlsContext* context = nullptr;  // referenced: the SNI/ALPN callbacks and the plain-HTTP reply need it
  uint8_t* pending = nullptr;     // ciphertext the kernel did not take yet (sent before anything newer)
  size_t pendingLen = 0;
  size_t owed = 0;                // plaintext already encrypted but not reported as sent: skipped when JS resubmits it
  int shutdownHow = -1;           // shutdown(2) to run once `pending` has drained (close_notify went first)
  bool open = false;              // the handshake completed
  bool broken = false;            // fatal alert or send error: no close_notify, writes fail with -EPIPE
};

// tls-context.cc
/** The loop's TLS state, created on first use; nullptr only if OpenSSL cannot allocate. */
TlsState* ensureTlsState(LoopState* s);
/** Frees the loop's TLS state after every fd was forgotten (env teardown). */
void freeTlsState(LoopState* s);
/** The context registered under id, or nullptr. */
TlsContext* findTlsContext(LoopState* s, int32_t id);
/** Takes one more reference. */
void retainTlsContext(TlsContext* c);
/** Drops a reference; the last one frees the SSL_CTXs. */
void releaseTlsContext(TlsContext* c);
/** A server SSL_CTX with the defaults (Mozilla intermediate, tickets, SNI and ALPN callbacks bound to owner). */
SSL_CTX* createServerCtx(TlsContext* owner, int minVersion);
/** Sets the context a listener gives new connections (id -1: plain TCP). 0, -EINVAL (unknown id) or -ENOBUFS. */
int useTlsContext(LoopState* s, TrackedFd* listener, int32_t id);

// tls-tickets.cc
/** Installs the ticket key callback (RFC 5077 tickets, TLS 1.2 and 1.3) on ctx. */
void useTicketKeys(SSL_CTX* ctx);
/** Makes key (or fresh random bytes when nullptr) the encrypting key; the previous one only decrypts. */
bool rotateTicketKey(TlsState* tls, const uint8_t* key);

// tls-bio.cc
/** The custom BIO method: reads tls->in, appends writes to tls->sink. */
BIO_METHOD* createBioMethod();
/** A BIO of that method over the loop's buffers. */
BIO* createBio(TlsState* tls);
/** Sends the sink (after anything pending) and keeps what the kernel did not take as pending. 0 or -errno. */
int sendSink(LoopState* s, TrackedFd* t, int flags);
/** Sends what is pending; once nothing is left, stops polling for it and runs a deferred shutdown. 0 or -errno. */
int drainPending(LoopState* s, TrackedFd* t);
/** Marks t's TLS broken (a send failed or a fatal alert): drops pending ciphertext; later writes fail with -EPIPE. */
void breakTls(LoopState* s, TrackedFd* t);
/** The writability callback's part: sends pending ciphertext; true when none is left (JS may hear EV_WRITABLE). */
bool drainOnWritable(LoopState* s, TrackedFd* t);

// tls-conn.cc
/** Gives an accepted connection an SSL from context (server side); false when OpenSSL cannot allocate one. */
bool attachTls(LoopState* s, TrackedFd* t, TlsContext* context);
/** Frees the connection's TLS state; sends close_notify first when closing an open, healthy connection. */
void freeTlsConn(LoopState* s, TrackedFd* t, bool closing);
/** shutdown(2) on a TLS connection: close_notify first, the shutdown itself once it has left. 0 or -errno. */
int shutdownTls(LoopState* s, TrackedFd* t, int how);

// tls-read.cc
/** The handshake results of stepHandshake. */
enum class Handshake { waiting, done, failed };
/** Reads ciphertext and advances the handshake; done leaves any application data after it fed for readFed. */
Handshake stepHandshake(LoopState* s, TrackedFd* t);
/** Advances the handshake over bytes already fed (tls->in): the entry for a stage that read them itself, such as
 *  the PROXY header's, which hands over what follows the header. The caller has kept room as stepHandshake does. */
Handshake feedHandshake(LoopState* s, TrackedFd* t);
/** Decrypts what was fed into the turn's buffer (EV_DATA, then EV_EOF/EV_ERROR); true when plaintext came. */
bool readFed(LoopState* s, TrackedFd* t);
/** The PROXY stage's read before a handshake: recv into the ciphertext buffer as stepHandshake would (same bound, same
 *  room kept), *at = where the bytes are. Bytes, 0 on EOF, -EAGAIN (nothing yet, or no room this turn) or -errno. */
ssize_t recvPreludeBytes(LoopState* s, TrackedFd* t, uint8_t** at);
/** recvOnce for an open TLS connection: recv ciphertext, decrypt into the turn's buffer. */
bool recvTls(LoopState* s, TrackedFd* t);

// tls-write.cc
/** Encrypts and sends the bytes of iov (after acknowledging resubmitted ones): plaintext bytes accepted or -errno. */
int64_t writeTls(LoopState* s, TrackedFd* t, const iovec* iov, int iovcnt, int flags);
/** sendfile(2) for a TLS connection: pread + encrypt + send. Bytes accepted, 0 at EOF, or -errno. */
int64_t sendfileTls(LoopState* s, TrackedFd* t, int inFd, int64_t offset, int64_t count);

}  // namespace sluice
