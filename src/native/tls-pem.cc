// PEM inputs of a TLS context: the certificate chain, the private key (optionally encrypted) and extra CAs.
// A failure comes back as a code plus OpenSSL's own reason; createTlsContext throws it (cold path, never per request).
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "tls-pem.h"

namespace sluice {

// "what: OpenSSL's reason", and an empty error queue (it is per thread and shared with node's own crypto).
static void fail(PemError* err, const char* code, const char* what) {
  unsigned long e = ERR_peek_last_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  err->code = code;
  err->message = reason != nullptr ? std::string(what) + ": " + reason : what;
  ERR_clear_error();
}

// Supplies the passphrase; without one, an encrypted key fails instead of prompting on a terminal (OpenSSL's default).
static int passphraseCallback(char* buf, int size, int rwflag, void* u) {
  const std::string* passphrase = static_cast<const std::string*>(u);
  if (passphrase == nullptr) return -1;
  int n = static_cast<int>(passphrase->size()) < size ? static_cast<int>(passphrase->size()) : size;
  std::memcpy(buf, passphrase->data(), static_cast<size_t>(n));
  return n;
}

static BIO* openPem(const std::string& pem) {
  return BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
}

// Leaf first, then the chain the server sends (intermediates), as in nginx's ssl_certificate file.
static bool useCertificateChain(SSL_CTX* ctx, const std::string& pem, PemError* err) {
  BIO* bio = openPem(pem);
  X509* leaf = bio != nullptr ? PEM_read_bio_X509_AUX(bio, nullptr, nullptr, nullptr) : nullptr;
  if (leaf == nullptr) {
    BIO_free(bio);
    fail(err, "ERR_SLUICE_TLS_CERT", "cert: no PEM certificate could be read");
    return false;
  }
  bool ok = SSL_CTX_use_certificate(ctx, leaf) == 1;
  X509_free(leaf);
  while (ok) {
    X509* extra = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (extra == nullptr) break;
    ok = SSL_CTX_add0_chain_cert(ctx, extra) == 1;  // takes ownership on success
    if (!ok) X509_free(extra);
  }
  BIO_free(bio);
  if (!ok) {
    fail(err, "ERR_SLUICE_TLS_CERT", "cert: the certificate was rejected");
    return false;
  }
  ERR_clear_error();  // the loop ends on "no start line": the expected end of the PEM text
  return true;
}

static bool usePrivateKey(SSL_CTX* ctx, const std::string& pem, const std::string* passphrase, PemError* err) {
  BIO* bio = openPem(pem);
  EVP_PKEY* key = bio != nullptr
                      ? PEM_read_bio_PrivateKey(bio, nullptr, passphraseCallback, const_cast<std::string*>(passphrase))
                      : nullptr;
  BIO_free(bio);
  if (key == nullptr) {
    fail(err, "ERR_SLUICE_TLS_KEY",
         passphrase == nullptr ? "key: no PEM private key could be read (an encrypted key needs its passphrase)"
                               : "key: no PEM private key could be read with this passphrase");
    return false;
  }
  bool ok = SSL_CTX_use_PrivateKey(ctx, key) == 1;
  EVP_PKEY_free(key);
  if (!ok || SSL_CTX_check_private_key(ctx) != 1) {
    fail(err, "ERR_SLUICE_TLS_KEY_MISMATCH", "key: the private key does not match the certificate");
    return false;
  }
  return true;
}

// CAs complete the chain the server sends (intermediates found in them; the root itself is left out).
static bool useCertificateAuthorities(SSL_CTX* ctx, const std::string& pem, PemError* err) {
  BIO* bio = openPem(pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (bio != nullptr) {
    X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (ca == nullptr) break;
    if (X509_STORE_add_cert(store, ca) == 1) added++;
    X509_free(ca);
  }
  BIO_free(bio);
  if (added == 0) {
    fail(err, "ERR_SLUICE_TLS_CA", "ca: no PEM certificate could be read");
    return false;
  }
  ERR_clear_error();
  SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_NO_ROOT | SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR);
  ERR_clear_error();
  return true;
}

bool useCredentials(SSL_CTX* ctx, const Credentials& creds, PemError* err) {
  return useCertificateChain(ctx, creds.cert, err) &&
         usePrivateKey(ctx, creds.key, creds.hasPassphrase ? &creds.passphrase : nullptr, err) &&
         (creds.ca.empty() || useCertificateAuthorities(ctx, creds.ca, err));
}

}  // namespace sluice
