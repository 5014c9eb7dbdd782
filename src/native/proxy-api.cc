// The cold PROXY entry points JS calls: the listener's mode (startAccepting's last two arguments), the parser over
// bytes (tests and fuzzing run the accept path's own code), what a connection's header said, and the counters.
#include <arpa/inet.h>
#include <napi.h>

#include <cstring>

#include "exports.h"
#include "napi-args.h"
#include "proxy.h"

namespace sluice {

bool readProxyPolicy(napi_env env, napi_value on, napi_value trusted, ProxyPolicy** out) {
  *out = nullptr;
  if (!readBool(env, on)) return true;  // undefined or false: no PROXY stage
  ProxyPolicy* policy = new ProxyPolicy();
  napi_valuetype type;
  napi_typeof(env, trusted, &type);
  if (type == napi_undefined || type == napi_null) {
    *out = policy;
    return true;
  }
  bool isArray = false;
  uint32_t length = 0;
  if (napi_is_array(env, trusted, &isArray) != napi_ok || !isArray || napi_get_array_length(env, trusted, &length) != napi_ok) {
    delete policy;
    return false;
  }
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    char text[64];
    size_t copied = 0;
    bool ok = napi_get_element(env, trusted, i, &item) == napi_ok &&
              napi_get_value_string_utf8(env, item, text, sizeof text, &copied) == napi_ok && copied < sizeof text - 1 &&
              addTrustedRange(policy, text);
    if (!ok) {
      delete policy;
      return false;
    }
  }
  *out = policy;
  return true;
}

static Napi::Value endpoint(Napi::Env env, int family, const uint8_t* address, uint16_t port) {
  char text[INET6_ADDRSTRLEN];
  inet_ntop(family, address, text, sizeof text);
  Napi::Object o = Napi::Object::New(env);
  o.Set("address", text);
  o.Set("port", port);
  return o;
}

static Napi::Value unixEndpoint(Napi::Env env, const std::string& path) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("address", path);
  o.Set("port", 0);
  return o;
}

static Napi::Value bytesOf(Napi::Env env, const uint8_t* value, size_t length) {
  return Napi::Buffer<uint8_t>::Copy(env, value, length);
}

static Napi::Value textOf(Napi::Env env, const uint8_t* value, size_t length) {
  return Napi::String::New(env, reinterpret_cast<const char*>(value), length);
}

// §2.2.6: PP2_TYPE_SSL: client bits, the verify result, then sub-TLVs.
static Napi::Value sslOf(Napi::Env env, const uint8_t* value, size_t length) {
  Napi::Object ssl = Napi::Object::New(env);
  ssl.Set("client", value[0]);
  uint32_t verify = (static_cast<uint32_t>(value[1]) << 24) | (static_cast<uint32_t>(value[2]) << 16) |
                    (static_cast<uint32_t>(value[3]) << 8) | value[4];
  ssl.Set("verified", verify == 0);
  for (const char* key : {"version", "cn", "cipher", "sigAlg", "keyAlg"}) ssl.Set(key, env.Null());
  forEachTlv(value + PP2_SSL_FIXED, length - PP2_SSL_FIXED, [&](uint8_t type, const uint8_t* v, size_t n) {
    const char* key = type == PP2_SUBTYPE_SSL_VERSION ? "version" : type == PP2_SUBTYPE_SSL_CN ? "cn"
                    : type == PP2_SUBTYPE_SSL_CIPHER ? "cipher" : type == PP2_SUBTYPE_SSL_SIG_ALG ? "sigAlg"
                    : type == PP2_SUBTYPE_SSL_KEY_ALG ? "keyAlg" : nullptr;
    if (key != nullptr) ssl.Set(key, textOf(env, v, n));
    return true;
  });
  return ssl;
}

// The TLVs a header carried: the well-known ones by name, and every one (custom ones too, e.g. AWS's 0xEA) in `list`.
static Napi::Value tlvsOf(Napi::Env env, const uint8_t* tlvs, size_t length) {
  Napi::Object o = Napi::Object::New(env);
  for (const char* key : {"alpn", "authority", "uniqueId", "ssl"}) o.Set(key, env.Null());
  Napi::Array list = Napi::Array::New(env);
  forEachTlv(tlvs, length, [&](uint8_t type, const uint8_t* value, size_t n) {
    if (type == PP2_TYPE_ALPN) o.Set("alpn", textOf(env, value, n));
    else if (type == PP2_TYPE_AUTHORITY) o.Set("authority", textOf(env, value, n));
    else if (type == PP2_TYPE_UNIQUE_ID) o.Set("uniqueId", bytesOf(env, value, n));
    else if (type == PP2_TYPE_SSL) o.Set("ssl", sslOf(env, value, n));
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("type", type);
    entry.Set("value", bytesOf(env, value, n));
    list.Set(list.Length(), entry);
    return true;
  });
  o.Set("list", list);
  return o;
}

static const char* familyName(int family) {
  return family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : family == AF_UNIX ? "unix" : "unspec";
}

static const char* transportName(uint8_t transport) {
  return transport == 1 ? "stream" : transport == 2 ? "dgram" : "unspec";
}

// The JS shape shared by parseProxyHeader's header and proxyInfo.
static Napi::Object describe(Napi::Env env, uint8_t version, bool local, int family, uint8_t transport) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", version);
  o.Set("command", local ? "LOCAL" : "PROXY");
  o.Set("family", familyName(family));
  o.Set("transport", transportName(transport));
  return o;
}

/* (bytes: Uint8Array) -> {kind: 'need-more'} | {kind: 'error', code} | {kind: 'header', length, ...}: the accept
   path's parser, for tests and fuzzing (cold: it makes objects) */
Napi::Value ParseProxyHeader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError e = Napi::TypeError::New(env, "parseProxyHeader(bytes: Uint8Array)");
    e.Set("code", "ERR_INVALID_ARG_TYPE");
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  ProxyHeader h;
  ProxyError err;
  ProxyParse r = parseProxyHeader(bytes.Data(), bytes.ByteLength(), &h, &err);
  if (r == ProxyParse::needMore) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("kind", "need-more");
    return o;
  }
  if (r == ProxyParse::error) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("kind", "error");
    o.Set("code", proxyErrorName(err));
    return o;
  }
  Napi::Object o = describe(env, h.version, h.local, h.family, h.transport);
  o.Set("kind", "header");
  o.Set("length", static_cast<double>(h.length));
  bool inet = h.family == AF_INET || h.family == AF_INET6;
  o.Set("source", inet ? endpoint(env, h.family, h.source, h.sourcePort)
                 : h.family == AF_UNIX ? unixEndpoint(env, reinterpret_cast<const char*>(h.unixSource)) : env.Null());
  o.Set("destination", inet ? endpoint(env, h.family, h.destination, h.destinationPort)
                      : h.family == AF_UNIX ? unixEndpoint(env, reinterpret_cast<const char*>(h.unixDestination)) : env.Null());
  o.Set("tlvs", tlvsOf(env, h.tlvs, h.tlvLength));
  return o;
}

/* (fd) -> what the connection's PROXY header said, plus `peer` (the TCP peer: the balancer), or null (no header) */
Napi::Value ProxyInfoOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopState* s = static_cast<LoopState*>(info.Data());
  TrackedFd* t = info[0].IsNumber() ? findFd(s, info[0].As<Napi::Number>().Int32Value()) : nullptr;
  if (t == nullptr || t->proxy == nullptr) return env.Null();
  const ProxyInfo* p = t->proxy;
  Napi::Object o = describe(env, p->version, p->local, p->family, p->transport);
  bool inet = p->family == AF_INET || p->family == AF_INET6;
  o.Set("source", inet ? endpoint(env, p->family, p->source, p->sourcePort)
                 : p->family == AF_UNIX ? unixEndpoint(env, p->unixSource) : env.Null());
  o.Set("destination", inet ? endpoint(env, p->family, p->destination, p->destinationPort)
                      : p->family == AF_UNIX ? unixEndpoint(env, p->unixDestination) : env.Null());
  o.Set("tlvs", tlvsOf(env, reinterpret_cast<const uint8_t*>(p->tlvs.data()), p->tlvs.size()));
  std::string peer = formatSocketName(t->fd, true);
  o.Set("peer", peer.empty() ? env.Null() : Napi::String::New(env, peer));
  return o;
}

/* () -> {proxied, local, untrusted, malformed, timedOut, aborted}: PROXY stage outcomes since init */
Napi::Value ProxyStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ProxyCounters& c = static_cast<LoopState*>(info.Data())->proxyCounts;
  Napi::Object o = Napi::Object::New(env);
  o.Set("proxied", c.proxied);
  o.Set("local", c.local);
  o.Set("untrusted", c.untrusted);
  o.Set("malformed", c.malformed);
  o.Set("timedOut", c.timedOut);
  o.Set("aborted", c.aborted);
  return o;
}

}  // namespace sluice
