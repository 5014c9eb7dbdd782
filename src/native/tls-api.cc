// The TLS entry points JS calls on cold paths: contexts from PEM, the swap, ticket keys, transport facts, stats.
// Bad options throw a coded error here (never per request); per-fd calls return -errno like the rest of the addon.
#include <napi.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include <malloc.h>

#include <cctype>

#include "exports.h"
#include "napi-args.h"
#include "tls-pem.h"
#include "tls.h"

namespace sluice {

static Napi::Value throwCoded(Napi::Env env, bool typeError, const char* code, const std::string& message) {
  Napi::Error e = typeError ? Napi::TypeError::New(env, message) : Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

// A PEM input: a string or a Uint8Array (Buffer); false for anything else or an empty value.
static bool readPem(Napi::Value v, std::string* out) {
  if (v.IsString()) {
    *out = v.As<Napi::String>().Utf8Value();
  } else if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
    out->assign(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
  } else {
    return false;
  }
  return !out->empty();
}

// cert, key, passphrase?, ca? of one certificate; the name of the first bad field in *bad.
static bool readCredentials(Napi::Object o, Credentials* creds, const char** bad) {
  if (!readPem(o.Get("cert"), &creds->cert)) return *bad = "cert", false;
  if (!readPem(o.Get("key"), &creds->key)) return *bad = "key", false;
  Napi::Value passphrase = o.Get("passphrase");
  if (!passphrase.IsUndefined()) {
    if (!passphrase.IsString()) return *bad = "passphrase", false;
    creds->passphrase = passphrase.As<Napi::String>().Utf8Value();
    creds->hasPassphrase = true;
  }
  Napi::Value ca = o.Get("ca");
  if (!ca.IsUndefined() && !readPem(ca, &creds->ca)) return *bad = "ca", false;
  return true;
}

// ALPN protocol names in preference order, to RFC 7301's wire format; default http/1.1 only.
static bool readAlpn(Napi::Value v, std::string* wire) {
  if (v.IsUndefined()) {
    *wire = std::string("\x08http/1.1", 9);
    return true;
  }
  if (!v.IsArray()) return false;
  Napi::Array names = v.As<Napi::Array>();
  wire->clear();
  for (uint32_t i = 0; i < names.Length(); i++) {
    Napi::Value name = names.Get(i);
    if (!name.IsString()) return false;
    std::string text = name.As<Napi::String>().Utf8Value();
    if (text.empty() || text.size() > 255) return false;
    wire->push_back(static_cast<char>(text.size()));
    *wire += text;
  }
  return true;
}

// Builds one SSL_CTX for creds; on failure throws and returns nullptr.
static SSL_CTX* buildCtx(Napi::Env env, TlsContext* owner, int minVersion, const Credentials& creds) {
  SSL_CTX* ctx = createServerCtx(owner, minVersion);
  if (ctx == nullptr) {
    ERR_clear_error();
    throwCoded(env, false, "ERR_SLUICE_TLS_INIT", "OpenSSL could not create a context");
    return nullptr;
  }
  PemError err;
  if (useCredentials(ctx, creds, &err)) return ctx;
  SSL_CTX_free(ctx);
  throwCoded(env, false, err.code, err.message);
  return nullptr;
}

/* ({cert, key, passphrase?, ca?, minVersion?, alpn?, sni?, plainHttpReply?}) -> context id >= 0; throws coded errors */
Napi::Value CreateTlsContext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopState* s = static_cast<LoopState*>(info.Data());
  // Header and binary must be the same OpenSSL major.minor: struct layouts and macros come from the headers.
  if ((OpenSSL_version_num() >> 20) != (OPENSSL_VERSION_NUMBER >> 20)) {
    return throwCoded(env, false, "ERR_SLUICE_TLS_OPENSSL",
                      std::string("built with ") + OPENSSL_VERSION_TEXT + ", running on " + OpenSSL_version(OPENSSL_VERSION));
  }
  if (!info[0].IsObject()) return throwCoded(env, true, "ERR_INVALID_ARG_TYPE", "createTlsContext(options: object)");
  Napi::Object o = info[0].As<Napi::Object>();
  Credentials main;
  const char* bad = nullptr;
  if (!readCredentials(o, &main, &bad)) {
    return throwCoded(env, true, "ERR_INVALID_ARG_TYPE", std::string("tls.") + bad + " must be a non-empty PEM string or Uint8Array");
  }
  Napi::Value min = o.Get("minVersion");
  std::string minText = min.IsString() ? min.As<Napi::String>().Utf8Value() : "";
  if (!min.IsUndefined() && minText != "TLSv1.2" && minText != "TLSv1.3") {
    return throwCoded(env, true, "ERR_INVALID_ARG_VALUE", "tls.minVersion must be 'TLSv1.2' or 'TLSv1.3'");
  }
  int minVersion = minText == "TLSv1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  std::string alpn;
  if (!readAlpn(o.Get("alpn"), &alpn)) {
    return throwCoded(env, true, "ERR_INVALID_ARG_VALUE", "tls.alpn must be an array of protocol names of 1 to 255 bytes");
  }
  Napi::Value reply = o.Get("plainHttpReply");
  bool replyOk = reply.IsUndefined() || (reply.IsTypedArray() && reply.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array);
  Napi::Value sni = o.Get("sni");
  if (!replyOk || !(sni.IsUndefined() || sni.IsArray())) {
    return throwCoded(env, true, "ERR_INVALID_ARG_TYPE", "tls.plainHttpReply must be a Uint8Array and tls.sni an array");
  }
  TlsState* tls = ensureTlsState(s);
  if (tls == nullptr) return throwCoded(env, false, "ERR_SLUICE_TLS_INIT", "OpenSSL could not allocate the TLS state");
  TlsContext* c = new TlsContext();
  c->state = s;
  c->alpn = alpn;
  tls->liveContexts++;
  if (!reply.IsUndefined()) {
    Napi::Uint8Array bytes = reply.As<Napi::Uint8Array>();
    c->plainHttpReply.assign(bytes.Data(), bytes.Data() + bytes.ByteLength());
  }
  c->ctx = buildCtx(env, c, minVersion, main);
  Napi::Array names = sni.IsArray() ? sni.As<Napi::Array>() : Napi::Array::New(env);
  for (uint32_t i = 0; c->ctx != nullptr && i < names.Length(); i++) {
    Napi::Value entry = names.Get(i);
    Credentials creds;
    Napi::Value name = entry.IsObject() ? entry.As<Napi::Object>().Get("serverName") : env.Undefined();
    if (!name.IsString() || name.As<Napi::String>().Utf8Value().empty() ||
        !readCredentials(entry.As<Napi::Object>(), &creds, &bad)) {
      releaseTlsContext(c);
      return throwCoded(env, true, "ERR_INVALID_ARG_TYPE", "tls.sni entries are { serverName, cert, key, passphrase?, ca? }");
    }
    std::string host = name.As<Napi::String>().Utf8Value();
    for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    SSL_CTX* ctx = buildCtx(env, c, minVersion, creds);
    if (ctx == nullptr) break;
    c->sni.emplace_back(host, ctx);
  }
  if (env.IsExceptionPending()) {
    releaseTlsContext(c);
    return env.Undefined();
  }
  tls->contexts.push_back(c);
  return Napi::Number::New(env, static_cast<double>(tls->contexts.size() - 1));
}

/* (id) -> 0 or -EINVAL; listeners and connections using the context keep it until they are done */
napi_value FreeTlsContext(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  int32_t id;
  if (!readInt(env, argv[0], &id) || findTlsContext(s, id) == nullptr) return returnInt(env, -EINVAL);
  releaseTlsContext(s->tls->contexts[id]);
  s->tls->contexts[id] = nullptr;
  return returnInt(env, 0);
}

/* (listenFd, id or -1) -> 0 or -errno; new connections get this context, open ones keep theirs (certificate reload) */
napi_value SetTls(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  int32_t fd, id;
  if (!readInt(env, argv[0], &fd) || !readInt(env, argv[1], &id)) return returnInt(env, -EINVAL);
  TrackedFd* t = findFd(s, fd);
  if (t == nullptr) return returnInt(env, -EBADF);
  if (!t->listener) return returnInt(env, -EINVAL);
  return returnInt(env, useTlsContext(s, t, id));
}

/* (key?: 80-byte Uint8Array) -> 0 or -errno; the new key issues tickets, the previous one still resumes (and renews) */
napi_value RotateTicketKeys(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  napi_valuetype type;
  napi_typeof(env, argv[0], &type);
  uint8_t* key = nullptr;
  size_t size = 0;
  if (type != napi_undefined && (!readBytes(env, argv[0], &key, &size) || size != TICKET_KEY_BYTES)) {
    return returnInt(env, -EINVAL);
  }
  TlsState* tls = ensureTlsState(s);
  if (tls == nullptr) return returnInt(env, -ENOMEM);
  return returnInt(env, rotateTicketKey(tls, key) ? 0 : -EIO);
}

/* (fd) -> {version, cipher, alpn, serverName, resumed} of an open TLS connection, or null (plain or unknown fd) */
Napi::Value TransportInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopState* s = static_cast<LoopState*>(info.Data());
  TrackedFd* t = info[0].IsNumber() ? findFd(s, info[0].As<Napi::Number>().Int32Value()) : nullptr;
  if (t == nullptr || t->tls == nullptr || !t->tls->open) return env.Null();
  SSL* ssl = t->tls->ssl;
  Napi::Object facts = Napi::Object::New(env);
  facts.Set("version", SSL_get_version(ssl));
  facts.Set("cipher", SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl)));
  const unsigned char* alpn = nullptr;
  unsigned int alpnLength = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpnLength);
  facts.Set("alpn", alpnLength > 0 ? Napi::String::New(env, reinterpret_cast<const char*>(alpn), alpnLength) : env.Null());
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  facts.Set("serverName", name != nullptr ? Napi::String::New(env, name) : env.Null());
  facts.Set("resumed", Napi::Boolean::New(env, SSL_session_reused(ssl) == 1));
  return facts;
}

// Bytes malloc has handed out and not got back (glibc's mallinfo), or -1: OpenSSL allocates with malloc, so a
// leaked SSL shows here even when RSS hides it behind arena reuse (and RSS peaks hide nothing). The old mallinfo, not
// mallinfo2: mallinfo2 is glibc 2.33's and would lift the prebuilt addon's floor above Node 20's (2.28). Its int field
// is read as unsigned, good to 4 GiB, far above what a leak test allocates.
static double mallocInUse() {
#ifdef __GLIBC__
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return static_cast<double>(static_cast<unsigned int>(mallinfo().uordblks));
#pragma GCC diagnostic pop
#else
  return -1;
#endif
}

/* () -> {contexts, connections, preludes, pendingBytes, mallocInUse}: live native TLS objects (leak tests) */
Napi::Value TlsStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopState* s = static_cast<LoopState*>(info.Data());
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("contexts", s->tls != nullptr ? s->tls->liveContexts : 0);
  stats.Set("connections", s->tls != nullptr ? s->tls->connections : 0);
  stats.Set("preludes", s->preludes);
  stats.Set("pendingBytes", s->tls != nullptr ? s->tls->pendingBytes : 0);
  stats.Set("mallocInUse", mallocInUse());
  return stats;
}

}  // namespace sluice
