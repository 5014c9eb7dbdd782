// Listening and accepting: socket/bind/listen, and an accept4 drain per listener wakeup (up to a cap).
// libuv >= 1.45 accepts one connection per loop turn (libuv #3696), which starves c1000; we drain here instead.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "exports.h"
#include "loop-state.h"
#include "napi-args.h"
#include "prelude.h"
#include "proxy.h"

namespace sluice {

// listen(2) clamps the backlog to net.core.somaxconn, so asking for INT_MAX yields exactly somaxconn.
constexpr int LISTEN_BACKLOG_REQUEST = INT_MAX;

static void onBackoffDone(uv_timer_t* timer) {
  applyMask(static_cast<TrackedFd*>(timer->data));  // the timer is inactive now, so this restarts polling
}

// EMFILE/ENFILE/ENOBUFS...: the pending connection stays queued and the listener stays readable, so polling on
// would spin. Report, stop polling, and retry after a doubling delay (nginx's accept_mutex_delay); a success resets
// it. Out of descriptors, the listener also waits for the next close of a tracked fd, which frees one: accepting
// resumes then rather than at the end of the delay. Queued clients wait in the backlog instead of being accepted and
// dropped at once (libuv's reserve-fd trick), since a keep-alive server frees descriptors within its idle timeout.
static void reportAndBackOff(TrackedFd* t, int minusErrno) {
  LoopState* s = t->state;
  pushEvent(s, t->fd, EV_ACCEPT_ERROR, minusErrno, 0);
  std::vector<int>& starved = s->fdStarvedListeners;
  if ((minusErrno == -EMFILE || minusErrno == -ENFILE) && std::find(starved.begin(), starved.end(), t->fd) == starved.end()) {
    starved.push_back(t->fd);
  }
  if (!t->timerInit) {
    uv_timer_init(s->loop, &t->backoff);
    t->backoff.data = t;
    t->timerInit = true;
    if (!t->ref) uv_unref(reinterpret_cast<uv_handle_t*>(&t->backoff));
  }
  t->backoffMs = t->backoffMs == 0 ? ACCEPT_BACKOFF_MIN_MS : std::min(t->backoffMs * 2, ACCEPT_BACKOFF_MAX_MS);
  uv_timer_start(&t->backoff, onBackoffDone, t->backoffMs, 0);
  applyMask(t);
}

void resumeFdStarvedListeners(LoopState* s) {
  std::vector<int> listeners;
  listeners.swap(s->fdStarvedListeners);
  for (int fd : listeners) {
    TrackedFd* t = findFd(s, fd);
    // The number may have been closed (or reused) since: only a listener still waiting out its delay resumes.
    if (t == nullptr || !t->listener || !t->timerInit || !uv_is_active(reinterpret_cast<uv_handle_t*>(&t->backoff))) continue;
    uv_timer_stop(&t->backoff);
    applyMask(t);
  }
}

// Whether the read at accept is worth its syscall. A client writes its request right after its handshake completes, and
// the listener is readable from that handshake on: a server keeping up sees the connection before the request (the read
// at accept missed about 97% of the time at c64 here), one that is behind finds it waiting. A saturating score of
// recent outcomes decides (LoopState::readAtAccept, a Hunch), so a server that falls behind notices.
//
// A plain TCP connection. On a holdSilent listener it is announced with its first bytes (EV_ACCEPT, then EV_DATA, one
// crossing): read at once when that is likely to find them, otherwise held natively until they come (prelude.cc,
// holdUntilFirstBytes), so JS hears of it once, with its request, and a client that never writes is closed at the
// header timeout without a crossing. Without holdSilent it is announced at once. A connection answered in the batch
// that announced it (Connection: close) is never polled: no epoll_ctl at all.
static void acceptPlain(LoopState* s, TrackedFd* listener, TrackedFd* c) {
  bool room = roomForFirstBytes(s);
  if (listener->holdSilent && room && !s->readAtAccept.worthTrying()) {
    holdUntilFirstBytes(s, listener, c);
    return;
  }
  pushEvent(s, c->fd, EV_ACCEPT, listener->fd, 0);
  if (room) {
    uint32_t announced = s->eventCount;
    recvOnce(s, c);  // EV_DATA, or EV_EOF / EV_ERROR (a client that left at once: JS closes it)
    bool hit = s->eventCount > announced;
    if (listener->holdSilent) {
      s->readAtAccept.record(hit);
      if (!hit) {
        s->eventCount = announced - 1;  // take the announcement back: it comes with the first bytes
        holdUntilFirstBytes(s, listener, c);
        return;
      }
    }
  }
  // Announced (no room to read into this turn, or not holding): JS polls it after delivery unless it closed it.
  if (c->reading) {
    c->pollDeferred = true;
    s->deferredPolls.push_back(c->fd);
  }
}

// Whether to call accept4 again after a wakeup's first connection. A loaded server finds several waiting; one whose
// clients come one at a time (a balancer's Connection: close traffic, health checks) finds EAGAIN every time, one
// wasted syscall per connection. The listener is level-triggered, so a connection left waiting makes the next
// epoll_wait return at once: stopping early loses nothing but a turn. A saturating score of what the second accept4
// found decides (LoopState::drainAccepts), as for the read at accept, and so does a listener ready again in the very
// turn after one that stopped early (a queue: drain it now).
static bool worthDraining(LoopState* s, TrackedFd* listener) {
  if (listener->stoppedAtTurn != 0 && listener->stoppedAtTurn + 1 == s->turn) return true;
  return s->drainAccepts.worthTrying();
}

void onListenReady(TrackedFd* t, int status, int events) {
  LoopState* s = t->state;
  if (status < 0) {  // already out of the epoll set
    reportAndBackOff(t, status);
    return;
  }
  // Never accept a connection the events array cannot announce this turn (its EV_ACCEPT record).
  int budget = ACCEPT_BATCH_MAX;
  int retries = 0;
  // A PROXY listener with trusted ranges checks the peer accept4 reports (no extra syscall); others ask for nothing.
  bool checkPeer = t->proxyPolicy != nullptr && (!t->proxyPolicy->trusted.empty() || t->proxyPolicy->unixTrusted);
  sockaddr_storage peer;
  int accepted = 0;
  while (budget > 0 && s->eventCount < s->eventCap) {
    if (accepted == 1 && !worthDraining(s, t)) {
      t->stoppedAtTurn = s->turn;
      return;
    }
    socklen_t peerLength = sizeof peer;
    int fd = accept4(t->fd, checkPeer ? reinterpret_cast<sockaddr*>(&peer) : nullptr, checkPeer ? &peerLength : nullptr,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (accepted == 1) s->drainAccepts.record(fd >= 0);
    if (fd >= 0) accepted++;
    if (fd < 0) {
      int e = errno;
      if (e == EAGAIN || e == EWOULDBLOCK) return;
      // The client gave up before we got to it (or a signal): take the next one.
      if ((e == ECONNABORTED || e == EINTR || e == EPROTO) && ++retries < ACCEPT_BATCH_MAX) continue;
      reportAndBackOff(t, -e);
      return;
    }
    t->backoffMs = 0;
    if (checkPeer && !isTrustedPeer(t->proxyPolicy, &peer)) {
      // Not a balancer we trust to name clients: closed before a byte is read (its header would be a lie we believe).
      ::close(fd);
      s->proxyCounts.untrusted++;
      budget--;
      continue;
    }
    // TCP_NODELAY comes from the listener: Linux copies it into every accepted socket (one syscall less per accept).
    TrackedFd* c = trackFd(s, fd);
    c->nonblocking = true;  // SOCK_NONBLOCK
    c->exclusive = true;  // accepted here, never shared: its close(2) alone takes it out of the epoll set
    c->reading = true;  // data arrives as EV_DATA without another crossing
    budget--;
    if (t->tlsContext != nullptr || t->proxyPolicy != nullptr) {
      beginPrelude(s, t, c);  // PROXY, TLS: EV_ACCEPT (and the first data) once they are done (prelude.cc)
      continue;
    }
    acceptPlain(s, t, c);
  }
}

// Parses host into addr: '' = any (IPv6 dual-stack), '[v6]' or 'v6', or dotted IPv4. Numeric only: names are JS's job.
static bool parseHost(const std::string& host, sockaddr_storage* addr, socklen_t* len, int port) {
  std::memset(addr, 0, sizeof *addr);
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty() || h.find(':') != std::string::npos) {
    sockaddr_in6* a6 = reinterpret_cast<sockaddr_in6*>(addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *a6;
    return h.empty() || inet_pton(AF_INET6, h.c_str(), &a6->sin6_addr) == 1;  // '' -> in6addr_any (zeroed)
  }
  sockaddr_in* a4 = reinterpret_cast<sockaddr_in*>(addr);
  a4->sin_family = AF_INET;
  a4->sin_port = htons(static_cast<uint16_t>(port));
  *len = sizeof *a4;
  return inet_pton(AF_INET, h.c_str(), &a4->sin_addr) == 1;
}

// Creates, configures, binds and listens; -errno on failure (the socket is closed again).
static int openListener(const sockaddr_storage& addr, socklen_t len, bool dualStack, bool reusePort) {
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1, zero = 0;
  bool ok = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            (!reusePort || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0) &&
            (!dualStack || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) == 0) &&
            bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0 && ::listen(fd, LISTEN_BACKLOG_REQUEST) == 0;
  if (ok) return fd;
  int e = errno;
  ::close(fd);
  return -e;
}

/* (host, port, backlog, reusePort) -> listen fd or -errno; backlog is always raised to somaxconn */
Napi::Value Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopState* s = static_cast<LoopState*>(info.Data());
  if (!info[0].IsString() || !info[1].IsNumber()) return Napi::Number::New(env, -EINVAL);
  std::string host = info[0].As<Napi::String>().Utf8Value();
  int port = info[1].As<Napi::Number>().Int32Value();
  bool reusePort = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  sockaddr_storage addr;
  socklen_t len;
  if (port < 0 || port > 65535 || !parseHost(host, &addr, &len, port)) return Napi::Number::New(env, -EINVAL);
  int fd = openListener(addr, len, host.empty(), reusePort);
  if (fd == -EAFNOSUPPORT && host.empty()) {  // no IPv6 in this kernel: fall back to 0.0.0.0
    parseHost("0.0.0.0", &addr, &len, port);
    fd = openListener(addr, len, false, reusePort);
  }
  if (fd >= 0) {
    TrackedFd* t = trackFd(s, fd);
    t->listener = true;
    t->nonblocking = true;  // SOCK_NONBLOCK
  }
  return Napi::Number::New(env, fd);
}

/* (listenFd, tlsContext = -1, preludeTimeoutMs = 10000, proxyProtocol = false, trustedProxies = [], deferAccept = false,
    holdSilent = false) -> 0 or -errno;
   adopts an untracked listening fd, then accepts on readiness; with a TLS context id or proxyProtocol, connections are
   reported once their PROXY header is read and their handshake done (or closed: bad header, untrusted peer, timeout);
   with holdSilent, a plain connection is reported with its first bytes (or closed, silent, at the deadline) */
napi_value StartAccepting(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  void* data;
  readArgs(env, info, argv, &data);
  LoopState* s = static_cast<LoopState*>(data);
  int32_t fd, tlsContext = -1, timeoutMs = PRELUDE_TIMEOUT_DEFAULT_MS;
  if (!readInt(env, argv[0], &fd) || fd < 0 || !s->initialized) return returnInt(env, -EINVAL);
  if (!isUndefined(env, argv[1]) && !readInt(env, argv[1], &tlsContext)) return returnInt(env, -EINVAL);
  if (!isUndefined(env, argv[2]) && (!readInt(env, argv[2], &timeoutMs) || timeoutMs <= 0)) return returnInt(env, -EINVAL);
  TrackedFd* t = findFd(s, fd);
  if (t == nullptr || !t->listener) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0) return returnInt(env, minusErrno());
    if (!listening || (t != nullptr && t->mask != 0)) return returnInt(env, -EINVAL);
    if (t == nullptr) t = trackFd(s, fd);
    t->listener = true;
  }
  ProxyPolicy* proxy = nullptr;
  if (!readProxyPolicy(env, argv[3], argv[4], &proxy)) return returnInt(env, -EINVAL);
  int r = configurePrelude(s, t, tlsContext, static_cast<uint32_t>(timeoutMs), proxy);
  if (r != 0) return returnInt(env, r);
  t->accepting = true;
  t->holdSilent = readBool(env, argv[6]);
  // Responses leave as soon as they are sent: set on the listener, every accepted socket inherits it. Not a TCP
  // socket (an adopted AF_UNIX listener): nothing to set, and nothing lost.
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // TCP_DEFER_ACCEPT (nginx's `listen ... deferred`): the kernel queues a connection for accept only once its first
  // bytes are in, so the read at accept always finds them (no accept-only wakeup, no poll registration, no second
  // read). A silent client is held as a half-open request for about a second, then accepted like any other. Set or
  // cleared explicitly: an adopted listener may carry an earlier owner's choice.
  int defer = !isUndefined(env, argv[5]) && readBool(env, argv[5]) ? 1 : 0;
  setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
  return returnInt(env, applyMask(t));
}

/* (listenFd) -> 0 or -errno; stops accepting (the fd stays open and tracked; queued clients wait) */
napi_value StopAccepting(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void* data;
  readArgs(env, info, argv, &data);
  int32_t fd;
  if (!readInt(env, argv[0], &fd)) return returnInt(env, -EINVAL);
  TrackedFd* t = findFd(static_cast<LoopState*>(data), fd);
  if (t == nullptr) return returnInt(env, -EBADF);
  if (!t->listener) return returnInt(env, -EINVAL);
  t->accepting = false;
  if (t->timerInit) uv_timer_stop(&t->backoff);
  return returnInt(env, applyMask(t));
}

/* (listenFd) -> connections of the listener held for their first bytes (holdSilent), or -errno */
napi_value HeldConnections(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void* data;
  readArgs(env, info, argv, &data);
  int32_t fd;
  if (!readInt(env, argv[0], &fd)) return returnInt(env, -EINVAL);
  return returnInt(env, countHeld(static_cast<LoopState*>(data), fd));
}

/* (listenFd) -> fds of the listener's held connections, now JS's (open, polled for reading); [] when none */
napi_value ReleaseHeld(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void* data;
  readArgs(env, info, argv, &data);
  int32_t fd = -1;
  readInt(env, argv[0], &fd);
  std::vector<int> fds = releaseHeld(static_cast<LoopState*>(data), fd);
  napi_value list;
  napi_create_array_with_length(env, fds.size(), &list);
  for (size_t i = 0; i < fds.size(); i++) {
    napi_value n;
    napi_create_int32(env, fds[i], &n);
    napi_set_element(env, list, static_cast<uint32_t>(i), n);
  }
  return list;
}

}  // namespace sluice
