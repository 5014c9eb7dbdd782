// Session tickets (RFC 5077, and TLS 1.3's NewSessionTicket) under keys the loop rotates: the current key issues and
// resumes, the previous one still resumes but renews the ticket, anything older means a full handshake.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>

#include "tls.h"

namespace sluice {

static_assert(sizeof(TicketKey) == TICKET_KEY_BYTES, "a ticket key is name + HMAC key + AES key, unpadded");

static bool setMacKey(EVP_MAC_CTX* mac, TicketKey& key) {
  OSSL_PARAM params[3];
  params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac, sizeof key.hmac);
  params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("sha256"), 0);
  params[2] = OSSL_PARAM_construct_end();
  return EVP_MAC_CTX_set_params(mac, params) == 1;
}

// OpenSSL's ticket key callback: 1 = use this key, 2 = valid but renew the ticket, 0 = unknown key, -1 = error.
static int onTicketKey(SSL* ssl, unsigned char* keyName, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                       int encrypt) {
  TlsContext* owner = static_cast<TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  TlsState* tls = owner->state->tls;
  if (encrypt) {
    TicketKey& key = tls->keys[0];
    if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1) return -1;
    std::memcpy(keyName, key.name, sizeof key.name);
    if (EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1) return -1;
    return setMacKey(mac, key) ? 1 : -1;
  }
  for (int i = 0; i < tls->keyCount; i++) {
    TicketKey& key = tls->keys[i];
    if (std::memcmp(keyName, key.name, sizeof key.name) != 0) continue;
    if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1 || !setMacKey(mac, key)) return -1;
    // RFC 8446 §C.4: TLS 1.3 clients use a ticket once, so each resumption gets a fresh one (2 = renew); in TLS 1.2 a
    // ticket is renewed only once its key is no longer the current one.
    return i == 0 && SSL_version(ssl) != TLS1_3_VERSION ? 1 : 2;
  }
  return 0;
}

void useTicketKeys(SSL_CTX* ctx) { SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, onTicketKey); }

bool rotateTicketKey(TlsState* tls, const uint8_t* key) {
  TicketKey next;
  if (key != nullptr) {
    std::memcpy(&next, key, sizeof next);
  } else if (RAND_bytes(reinterpret_cast<unsigned char*>(&next), sizeof next) != 1) {
    return false;
  }
  tls->keys[1] = tls->keys[0];
  tls->keys[0] = next;
  tls->keyCount = tls->keyCount == 0 ? 1 : 2;
  OPENSSL_cleanse(&next, sizeof next);
  return true;
}

}  // namespace sluice
