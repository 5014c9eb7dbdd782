// The addon's JS entry points, one declaration each; addon.cc binds them to names. Each .cc owns a group.
// Hot-path calls use the plain C callback type (no CallbackInfo wrapper); cold ones use node-addon-api.
#pragma once
#include <napi.h>

namespace sluice {

// event-sink.cc
Napi::Value InitSink(const Napi::CallbackInfo& info);

// readiness.cc
napi_value Watch(napi_env env, napi_callback_info info);
napi_value SetReading(napi_env env, napi_callback_info info);
napi_value WantWritable(napi_env env, napi_callback_info info);
napi_value SetRef(napi_env env, napi_callback_info info);
napi_value Close(napi_env env, napi_callback_info info);

// accept.cc
Napi::Value Listen(const Napi::CallbackInfo& info);
napi_value StartAccepting(napi_env env, napi_callback_info info);
napi_value StopAccepting(napi_env env, napi_callback_info info);
napi_value HeldConnections(napi_env env, napi_callback_info info);
napi_value ReleaseHeld(napi_env env, napi_callback_info info);

// process-exec.cc
Napi::Value Execv(const Napi::CallbackInfo& info);

// resolve.cc
Napi::Value GetAddrInfo(const Napi::CallbackInfo& info);

// io.cc
napi_value Recv(napi_env env, napi_callback_info info);
napi_value Send(napi_env env, napi_callback_info info);
napi_value Writev(napi_env env, napi_callback_info info);
napi_value Sendfile(napi_env env, napi_callback_info info);
napi_value Flush(napi_env env, napi_callback_info info);

// sockopt.cc
napi_value Shutdown(napi_env env, napi_callback_info info);
napi_value SetNoDelay(napi_env env, napi_callback_info info);
napi_value GetNoDelay(napi_env env, napi_callback_info info);
napi_value SetCork(napi_env env, napi_callback_info info);
napi_value LocalPort(napi_env env, napi_callback_info info);
Napi::Value PeerAddress(const Napi::CallbackInfo& info);
Napi::Value LocalAddress(const Napi::CallbackInfo& info);
Napi::Value Socketpair(const Napi::CallbackInfo& info);
Napi::Value PollsCreated(const Napi::CallbackInfo& info);

// tls-api.cc
Napi::Value CreateTlsContext(const Napi::CallbackInfo& info);
napi_value FreeTlsContext(napi_env env, napi_callback_info info);
napi_value SetTls(napi_env env, napi_callback_info info);
napi_value RotateTicketKeys(napi_env env, napi_callback_info info);
Napi::Value TransportInfo(const Napi::CallbackInfo& info);
Napi::Value TlsStats(const Napi::CallbackInfo& info);

// tls-selfsigned.cc
Napi::Value CreateSelfSignedCertificate(const Napi::CallbackInfo& info);

// proxy-api.cc
Napi::Value ParseProxyHeader(const Napi::CallbackInfo& info);
Napi::Value ProxyInfoOf(const Napi::CallbackInfo& info);
Napi::Value ProxyStats(const Napi::CallbackInfo& info);
// mask.cc
napi_value Unmask(napi_env env, napi_callback_info info);
napi_value CopyUnmask(napi_env env, napi_callback_info info);
// inotify.cc
napi_value InotifyAddWatch(napi_env env, napi_callback_info info);
napi_value InotifyRmWatch(napi_env env, napi_callback_info info);

}  // namespace sluice
