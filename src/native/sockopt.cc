// Socket options and names: shutdown, TCP_NODELAY/TCP_CORK, bound port, peer/local address, socketpair.
// Addresses are formatted natively ('1.2.3.4:80', '[::1]:80'); IPv4-mapped IPv6 reads as plain IPv4.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include "exports.h"
#include "loop-state.h"
#include "napi-args.h"
#include "proxy.h"
#include "tls.h"

namespace sluice {

using NameFn = int (*)(int, sockaddr*, socklen_t*);

static napi_value setTcpOption(napi_env env, napi_callback_info info, int option) {
  napi_value argv[2];
  readArgs(env, info, argv, nullptr);
  int32_t fd;
  if (!readInt(env, argv[0], &fd)) return returnInt(env, -EINVAL);
  int on = readBool(env, argv[1]) ? 1 : 0;
  return returnInt(env, setsockopt(fd, IPPROTO_TCP, option, &on, sizeof on) == 0 ? 0 : minusErrno());
}

/* (fd, how: 0 SHUT_RD | 1 SHUT_WR | 2 SHUT_RDWR) -> 0 or -errno; TLS: close_notify goes out first */
napi_value Shutdown(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  int32_t fd, how;
  if (!readInt(env, argv[0], &fd) || !readInt(env, argv[1], &how)) return returnInt(env, -EINVAL);
  TrackedFd* t = findFd(s, fd);
  if (t != nullptr && t->tls != nullptr) return returnInt(env, shutdownTls(s, t, how));
  return returnInt(env, ::shutdown(fd, how) == 0 ? 0 : minusErrno());
}

/* (fd, on) -> 0 or -errno; TCP_NODELAY (Nagle off) */
napi_value SetNoDelay(napi_env env, napi_callback_info info) { return setTcpOption(env, info, TCP_NODELAY); }

/* (fd) -> 1 when TCP_NODELAY is on, 0 when off, or -errno; a cold-path check (accepted sockets inherit it) */
napi_value GetNoDelay(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  readArgs(env, info, argv, nullptr);
  int32_t fd;
  if (!readInt(env, argv[0], &fd)) return returnInt(env, -EINVAL);
  int on = 0;
  socklen_t len = sizeof on;
  if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) != 0) return returnInt(env, minusErrno());
  return returnInt(env, on != 0 ? 1 : 0);
}

/* (fd, on) -> 0 or -errno; TCP_CORK (hold partial frames until uncorked) */
napi_value SetCork(napi_env env, napi_callback_info info) { return setTcpOption(env, info, TCP_CORK); }

/* (fd) -> bound port (for port 0) or -errno; -EAFNOSUPPORT for non-IP sockets */
napi_value LocalPort(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  readArgs(env, info, argv, nullptr);
  int32_t fd;
  if (!readInt(env, argv[0], &fd)) return returnInt(env, -EINVAL);
  sockaddr_storage addr;
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return returnInt(env, minusErrno());
  if (addr.ss_family == AF_INET) return returnInt(env, ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port));
  if (addr.ss_family == AF_INET6) return returnInt(env, ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port));
  return returnInt(env, -EAFNOSUPPORT);
}

std::string formatSocketName(int fd, bool peer) {
  sockaddr_storage addr;
  socklen_t len = sizeof addr;
  NameFn name = peer ? getpeername : getsockname;
  if (name(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  char text[INET6_ADDRSTRLEN];
  if (addr.ss_family == AF_INET) {
    sockaddr_in* a = reinterpret_cast<sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(a->sin_port));
  }
  if (addr.ss_family != AF_INET6) return "";
  sockaddr_in6* a = reinterpret_cast<sockaddr_in6*>(&addr);
  std::string port = std::to_string(ntohs(a->sin6_port));
  if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {  // a dual-stack listener's IPv4 client
    inet_ntop(AF_INET, a->sin6_addr.s6_addr + 12, text, sizeof text);
    return std::string(text) + ":" + port;
  }
  inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
  return "[" + std::string(text) + "]:" + port;
}

static Napi::Value nameValue(const Napi::CallbackInfo& info, bool peer) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return env.Null();
  int fd = info[0].As<Napi::Number>().Int32Value();
  // A PROXY header names the client: the TCP peer is only the balancer (proxyInfo has it).
  std::string text = peer ? proxiedPeer(static_cast<LoopState*>(info.Data()), fd) : "";
  if (text.empty()) text = formatSocketName(fd, peer);
  return text.empty() ? env.Null() : Napi::String::New(env, text);
}

/* (fd) -> 'ip:port' of the peer (the client its PROXY header named, if any), or null (not hot path) */
Napi::Value PeerAddress(const Napi::CallbackInfo& info) { return nameValue(info, true); }

/* (fd) -> 'ip:port' of this end, or null (not hot path) */
Napi::Value LocalAddress(const Napi::CallbackInfo& info) { return nameValue(info, false); }

/* () -> [fd, fd] (AF_UNIX stream, non-blocking, tracked so close() works) or -errno; for tests */
Napi::Value Socketpair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopState* s = static_cast<LoopState*>(info.Data());
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) return Napi::Number::New(env, -errno);
  trackFd(s, fds[0]);
  trackFd(s, fds[1]);
  Napi::Array pair = Napi::Array::New(env, 2);
  pair.Set(uint32_t(0), Napi::Number::New(env, fds[0]));
  pair.Set(uint32_t(1), Napi::Number::New(env, fds[1]));
  return pair;
}

}  // namespace sluice
