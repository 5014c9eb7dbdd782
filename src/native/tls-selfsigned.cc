// A throwaway certificate for local development (`sluice serve --tls-self-signed`), made with the node binary's own
// OpenSSL: an ECDSA P-256 key and a self-signed X.509 v3 leaf for the given names. Cold path, once at start-up.
#include <napi.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>

#include "exports.h"

namespace sluice {

// One extension from its config-file text (the `openssl req -addext` syntax); false when OpenSSL refuses it.
static bool addExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// PEM text of what write() puts into a memory BIO.
template <typename Write>
static std::string toPem(Write write) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio != nullptr && write(bio) == 1) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    if (n > 0) out.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  return out;
}

// Builds and signs the certificate; false on any OpenSSL failure.
static bool buildCertificate(X509* cert, EVP_PKEY* key, const std::string& commonName, const std::string& altNames, int days) {
  BIGNUM* serial = BN_new();
  // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets; 127 random bits stay positive and unique enough.
  bool ok = serial != nullptr && BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) != nullptr;
  BN_free(serial);
  ok = ok && X509_set_version(cert, 2) == 1;  // v3, for the extensions
  // An hour of slack before now, for clocks a little behind.
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
       X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(days) * 86400) != nullptr;
  ok = ok && X509_set_pubkey(cert, key) == 1;
  X509_NAME* name = X509_get_subject_name(cert);
  ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Sluice development certificate"), -1, -1, 0) == 1 &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0) == 1 &&
       X509_set_issuer_name(cert, name) == 1;
  if (!ok) return false;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  // RFC 6125: browsers match the subjectAltName only. A leaf (CA:FALSE) for TLS servers only.
  return addExtension(cert, &ctx, NID_subject_alt_name, altNames) &&
         addExtension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
         addExtension(cert, &ctx, NID_key_usage, "critical,digitalSignature") &&
         addExtension(cert, &ctx, NID_ext_key_usage, "serverAuth") &&
         addExtension(cert, &ctx, NID_subject_key_identifier, "hash") &&
         X509_sign(cert, key, EVP_sha256()) > 0;
}

/* (names: string[] (DNS names and IP addresses, the first is the CN), days) -> { cert, key } PEM; throws a coded Error */
Napi::Value CreateSelfSignedCertificate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray() || info[0].As<Napi::Array>().Length() == 0 || !info[1].IsNumber()) {
    Napi::TypeError e = Napi::TypeError::New(env, "createSelfSignedCertificate(names: string[] (at least one), days: number)");
    e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array names = info[0].As<Napi::Array>();
  std::string altNames;
  std::string commonName;
  for (uint32_t i = 0; i < names.Length(); i++) {
    std::string n = names.Get(i).ToString().Utf8Value();
    if (i == 0) commonName = n;
    // An address is an iPAddress entry (what browsers compare for https://127.0.0.1), a name a dNSName.
    bool ip = n.find(':') != std::string::npos || n.find_first_not_of("0123456789.") == std::string::npos;
    if (!altNames.empty()) altNames += ",";
    altNames += (ip ? "IP:" : "DNS:") + n;
  }
  int days = info[1].As<Napi::Number>().Int32Value();
  ERR_clear_error();
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* cert = X509_new();
  bool ok = key != nullptr && cert != nullptr && buildCertificate(cert, key, commonName, altNames, days);
  std::string certPem = ok ? toPem([&](BIO* b) { return PEM_write_bio_X509(b, cert); }) : "";
  std::string keyPem = ok ? toPem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); }) : "";
  unsigned long reason = ERR_peek_last_error();
  ERR_clear_error();
  X509_free(cert);
  EVP_PKEY_free(key);
  if (certPem.empty() || keyPem.empty()) {
    char text[256] = "unknown reason";
    if (reason != 0) ERR_error_string_n(reason, text, sizeof text);
    Napi::Error e = Napi::Error::New(env, std::string("OpenSSL could not make a self-signed certificate: ") + text);
    e.Set("code", Napi::String::New(env, "ERR_SLUICE_TLS_INIT"));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("cert", certPem);
  out.Set("key", keyPem);
  return out;
}

}  // namespace sluice
