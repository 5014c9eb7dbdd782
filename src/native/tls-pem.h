// PEM credentials of one certificate (tls-pem.cc): what createTlsContext reads from JS for the default and SNI names.
#pragma once
#include <openssl/ssl.h>

#include <string>

namespace sluice {

/** One certificate's PEM inputs, copied out of JS strings or Uint8Arrays. */
struct Credentials {
  std::string cert;         // leaf certificate, then the chain to send
  std::string key;          // private key (PKCS#8, PKCS#1 or SEC1; encrypted when a passphrase is given)
  std::string passphrase;
  bool hasPassphrase = false;
  std::string ca;           // optional CAs that complete the chain
};

/** A failure to report: an ERR_SLUICE_TLS_* code and a message with OpenSSL's reason. */
struct PemError {
  const char* code = nullptr;
  std::string message;
};

/** Installs creds into ctx; false with err filled in when something does not parse or the key does not match. */
bool useCredentials(SSL_CTX* ctx, const Credentials& creds, PemError* err);

}  // namespace sluice
