// Host name resolution for listen(): one blocking getaddrinfo(3) at start-up, as nginx resolves its `listen` names
// while reading its configuration. Cold path only: serve() must return a listening server synchronously.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "exports.h"

namespace sluice {

// The getaddrinfo failure as Node's dns module names it (ENOTFOUND for "no such name"), so callers match on code.
static const char* nameGaiError(int code, int savedErrno) {
  switch (code) {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
      return "ENOTFOUND";
    case EAI_AGAIN:
      return "EAI_AGAIN";
    case EAI_FAIL:
      return "EAI_FAIL";
    case EAI_MEMORY:
      return "ENOMEM";
    case EAI_SYSTEM:
      return savedErrno == ENOENT ? "ENOTFOUND" : "EAI_SYSTEM";
    default:
      return "EAI_FAIL";
  }
}

// One address as listen() takes it: dotted IPv4 or bare IPv6 ('::1'). listen() parses numeric addresses without a
// scope id, so a link-local IPv6 result (which needs one) is left out rather than bound wrongly.
static bool formatAddress(const addrinfo* ai, std::string* out) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (ai->ai_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr, text, sizeof text);
  } else {
    const sockaddr_in6* a6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
    if (a6->sin6_scope_id != 0) return false;
    inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
  }
  *out = text;
  return true;
}

/* (host) -> the numeric addresses it resolves to (resolver order, no duplicates), or an error code name string */
Napi::Value GetAddrInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return Napi::String::New(env, "EINVAL");
  std::string host = info[0].As<Napi::String>().Utf8Value();
  addrinfo hints;
  std::memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  // One record per address (not one per socket type). No AI_ADDRCONFIG: it would drop ::1 on hosts whose only IPv6
  // address is the loopback one, and `localhost` must then still listen on both loopbacks.
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  errno = 0;
  int code = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (code != 0) return Napi::String::New(env, nameGaiError(code, errno));
  std::vector<std::string> addresses;
  for (const addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    std::string address;
    if (!formatAddress(ai, &address)) continue;
    bool seen = false;
    for (const std::string& a : addresses) seen = seen || a == address;
    if (!seen) addresses.push_back(address);
  }
  freeaddrinfo(result);
  Napi::Array out = Napi::Array::New(env, addresses.size());
  for (size_t i = 0; i < addresses.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::String::New(env, addresses[i]));
  return out;
}

}  // namespace sluice
