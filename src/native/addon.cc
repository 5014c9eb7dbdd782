// Module entry: one LoopState per JS environment (main thread or worker), bound to every export as its data.
// Export names keep the syscall names (recv, sendfile...), so `man 2 recv` documents them; see src/native/README.md.
#include <napi.h>

#include "exports.h"
#include "loop-state.h"

namespace sluice {

struct RawExport {
  const char* name;
  napi_callback fn;
};

// Hot or per-fd calls: plain C callbacks, the state arrives as the function's data pointer (no instance-data lookup).
static const RawExport RAW_EXPORTS[] = {
    {"recv", Recv},
    {"send", Send},
    {"writev", Writev},
    {"sendfile", Sendfile},
    {"flush", Flush},
    {"watch", Watch},
    {"setReading", SetReading},
    {"wantWritable", WantWritable},
    {"setRef", SetRef},
    {"close", Close},
    {"startAccepting", StartAccepting},
    {"stopAccepting", StopAccepting},
    {"heldConnections", HeldConnections},
    {"releaseHeld", ReleaseHeld},
    {"shutdown", Shutdown},
    {"setNoDelay", SetNoDelay},
    {"getNoDelay", GetNoDelay},
    {"setCork", SetCork},
    {"localPort", LocalPort},
    {"freeTlsContext", FreeTlsContext},
    {"setTls", SetTls},
    {"rotateTicketKeys", RotateTicketKeys},
    {"unmask", Unmask},
    {"copyUnmask", CopyUnmask},
    {"inotifyAddWatch", InotifyAddWatch},
    {"inotifyRmWatch", InotifyRmWatch},
};

static void setConstant(Napi::Object exports, const char* name, int32_t value) {
  exports.Set(name, Napi::Number::New(exports.Env(), value));
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  LoopState* s = createLoopState(env);
  for (const RawExport& e : RAW_EXPORTS) {
    napi_value fn;
    napi_create_function(env, e.name, NAPI_AUTO_LENGTH, e.fn, s, &fn);
    exports.Set(e.name, fn);
  }
  exports.Set("init", Napi::Function::New(env, InitSink, "init", s));
  exports.Set("listen", Napi::Function::New(env, Listen, "listen", s));
  exports.Set("getaddrinfo", Napi::Function::New(env, GetAddrInfo, "getaddrinfo", s));
  exports.Set("peerAddress", Napi::Function::New(env, PeerAddress, "peerAddress", s));
  exports.Set("localAddress", Napi::Function::New(env, LocalAddress, "localAddress", s));
  exports.Set("socketpair", Napi::Function::New(env, Socketpair, "socketpair", s));
  exports.Set("pollsCreated", Napi::Function::New(env, PollsCreated, "pollsCreated", s));
  exports.Set("createTlsContext", Napi::Function::New(env, CreateTlsContext, "createTlsContext", s));
  exports.Set("transportInfo", Napi::Function::New(env, TransportInfo, "transportInfo", s));
  exports.Set("tlsStats", Napi::Function::New(env, TlsStats, "tlsStats", s));
  exports.Set("createSelfSignedCertificate", Napi::Function::New(env, CreateSelfSignedCertificate, "createSelfSignedCertificate", s));
  exports.Set("parseProxyHeader", Napi::Function::New(env, ParseProxyHeader, "parseProxyHeader", s));
  exports.Set("proxyInfo", Napi::Function::New(env, ProxyInfoOf, "proxyInfo", s));
  exports.Set("execv", Napi::Function::New(env, Execv, "execv", s));
  exports.Set("proxyStats", Napi::Function::New(env, ProxyStats, "proxyStats", s));
  // The wire layout, so the TS facade can check it was built against the same numbers.
  setConstant(exports, "EV_NONE", EV_NONE);
  setConstant(exports, "EV_DATA", EV_DATA);
  setConstant(exports, "EV_EOF", EV_EOF);
  setConstant(exports, "EV_ERROR", EV_ERROR);
  setConstant(exports, "EV_WRITABLE", EV_WRITABLE);
  setConstant(exports, "EV_ACCEPT", EV_ACCEPT);
  setConstant(exports, "EV_ACCEPT_ERROR", EV_ACCEPT_ERROR);
  setConstant(exports, "EV_INOTIFY", EV_INOTIFY);
  setConstant(exports, "EVENT_RECORD_INT32", EVENT_RECORD_INT32);
  setConstant(exports, "FLUSH_RECORD_INT32", FLUSH_RECORD_INT32);
  setConstant(exports, "FLUSH_CHAIN_MAX", FLUSH_CHAIN_MAX);
  setConstant(exports, "FLUSH_CLOSE", FLUSH_CLOSE);
  setConstant(exports, "FLUSH_CLOSED", FLUSH_CLOSED);
  return exports;
}

}  // namespace sluice

// NODE_API_MODULE pastes the name into identifiers, so it needs an unqualified function.
static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return sluice::InitModule(env, exports); }
NODE_API_MODULE(sluice_native, InitAddon)
